/**
 * A card that already carries an ASC MHL history: the offload checks the card against it
 * in the copy's own read, carries it (nested histories too) to every destination and
 * appends a generation there; a broken or hostile history is named and not carried over.
 */
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeSmallCard, pseudoRandomBytes, removeTree, tempDir, writeFile } from './helpers/card.ts';
import { scratchFolders } from './helpers/scratch.ts';
import { jsonLines, runCli } from './helpers/cli.ts';

const scratch = scratchFolders();

function manifests(dir: string): string[] {
  return readdirSync(join(dir, 'ascmhl')).filter((f) => f.endsWith('.mhl')).sort();
}

describe('offloading a card that has an ASC MHL history', () => {
  it('verifies the card against it, carries it over (nested too) and appends a transfer generation', async () => {
    const base = scratch();
    const card = join(base, 'A001');
    makeSmallCard(card);
    writeFile(card, 'A002R2EC/A002C001.mov', pseudoRandomBytes(300_000, 77));
    const env = { RUSHES_HOME: join(base, 'home') };
    // A nested history (a reel sealed on its own), then the card sealed as a whole.
    expect((await runCli(['mhl', 'create', join(card, 'A002R2EC'), '--hash', 'md5'], env)).code).toBe(0);
    expect((await runCli(['mhl', 'create', card, '--hash', 'md5'], env)).code).toBe(0);
    const cardManifest = manifests(card)[0];

    const r = await runCli(['offload', card, '--to', join(base, 'r1'), '--to', join(base, 'r2'), '--json'], env);
    expect(r.code).toBe(0);
    for (const raid of ['r1', 'r2']) {
      const dest = join(base, raid, 'A001');
      const names = manifests(dest);
      expect(names).toHaveLength(2);
      expect(names[0]).toBe(cardManifest);
      expect(readFileSync(join(dest, 'ascmhl', names[0])).equals(readFileSync(join(card, 'ascmhl', cardManifest)))).toBe(true);
      const transfer = readFileSync(join(dest, 'ascmhl', names[1]), 'utf8');
      expect(transfer).toContain('<process>transfer</process>');
      // md5 was recorded on the card, so it was computed in the same read and verified.
      expect(transfer).toMatch(/<md5 action="verified"/);
      expect(transfer).not.toMatch(/action="failed"/);
      expect(existsSync(join(dest, 'A002R2EC', 'ascmhl'))).toBe(true);
      expect(manifests(join(dest, 'A002R2EC')).length).toBeGreaterThanOrEqual(2);
      const verify = await runCli(['verify', dest]);
      expect(verify.stdout).toContain('OK');
      expect(verify.code).toBe(0);
    }
  });

  it('names a card file that no longer matches its history, still copies it, and records the failed check', async () => {
    const base = scratch();
    const card = join(base, 'B002');
    makeSmallCard(card);
    const env = { RUSHES_HOME: join(base, 'home') };
    expect((await runCli(['mhl', 'create', card], env)).code).toBe(0);
    const victim = join(card, 'A001C002_260314_R1AB.mxf');
    const bytes = readFileSync(victim);
    bytes[1000] ^= 0xff;
    writeFileSync(victim, bytes);

    const r = await runCli(['offload', card, '--to', join(base, 'dst'), '--json'], env);
    expect(r.code).toBe(3);
    const failures = jsonLines(r.stdout).filter((e) => e.type === 'file.failed');
    expect(failures).toHaveLength(1);
    expect(JSON.stringify(failures[0])).toContain('MHL_VERIFY');
    expect(JSON.stringify(failures[0])).toContain(victim);
    const dest = join(base, 'dst', 'B002');
    // Buffer.equals: vitest's deep equality walks a 5 MB buffer byte by byte, for seconds.
    expect(readFileSync(join(dest, 'A001C002_260314_R1AB.mxf')).equals(bytes)).toBe(true);
    const transfer = readFileSync(join(dest, 'ascmhl', manifests(dest)[1]), 'utf8');
    expect(transfer).toMatch(/A001C002_260314_R1AB\.mxf<\/path>\s*<xxh64 action="failed"/);
  });

  it('reports a hostile history on the card by name, does not carry it over, and still copies the footage', async () => {
    const base = scratch();
    const card = join(base, 'C003');
    makeSmallCard(card);
    const env = { RUSHES_HOME: join(base, 'home') };
    expect((await runCli(['mhl', 'create', card], env)).code).toBe(0);
    const manifest = join(card, 'ascmhl', manifests(card)[0]);
    const xml = readFileSync(manifest, 'utf8');
    writeFileSync(manifest, xml.replace('<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'));

    const r = await runCli(['offload', card, '--to', join(base, 'dst')], env);
    expect(r.code).toBe(3);
    expect(r.stdout + r.stderr).toContain('MHL_INVALID');
    expect(r.stdout + r.stderr).toContain(manifest);
    const dest = join(base, 'dst', 'C003');
    expect(existsSync(join(dest, 'Clip', '日本語_テイク.mov'))).toBe(true);
    // The destination has its own fresh history, not the card's broken one.
    expect(manifests(dest)).toHaveLength(1);
    expect(readFileSync(join(dest, 'ascmhl', manifests(dest)[0]), 'utf8')).not.toContain('ENTITY');
    expect((await runCli(['verify', dest])).code).toBe(0);
  });
});
