/**
 * What the offload benchmark times, each from a cold page cache, each leaving the
 * destinations empty again (untimed):
 *
 * - floors: a cold read of the card; `cp -r` to both destinations + `sync` (the copies made
 *   durable); the card read once and written to both at once (`tar | tee`) + `sync`; a cold
 *   read of both copies (what reading them back costs);
 * - the safe script a careful DIT would write: `cp -r` to both destinations, `sync`, drop
 *   the caches, then `xxhsum` of the source and of both copies, so every copy is really read
 *   from its device;
 * - `rushes offload` (xxh64, every file fsynced, read back with O_DIRECT), the real CLI in
 *   its own process, with its peak RSS and its summary's phase times.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OffloadSummary } from '../../core/offload/events.ts';
import type { PhaseTimes } from '../../core/offload/phases.ts';
import { canDropCaches, coldCache } from '../_cold.ts';
import { peakRssUntilClose } from '../_rss.ts';

const rushesBin = fileURLToPath(new URL('../../bin/rushes.cjs', import.meta.url));
const DROP = canDropCaches ? 'echo 3 > /proc/sys/vm/drop_caches' : 'true';

function sh(script: string): void {
  execFileSync('bash', ['-c', `set -e -o pipefail\n${script}`], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Seconds `script` takes from a cold page cache. */
function timedSh(script: string): number {
  coldCache();
  const t = process.hrtime.bigint();
  sh(script);
  return Number(process.hrtime.bigint() - t) / 1e9;
}

const q = (p: string) => `'${p.replaceAll("'", `'\\''`)}'`;
const readAll = (dir: string) => `find ${q(dir)} -type f -print0 | xargs -0 -r cat > /dev/null`;
const hashAll = (dir: string) => `find ${q(dir)} -type f -print0 | xargs -0 -r xxhsum -H1 > /dev/null 2> /dev/null`;

function empty(dests: readonly string[]): void {
  for (const d of dests) rmSync(d, { recursive: true, force: true });
  execFileSync('sync');
}

export function coldRead(card: string): number {
  return timedSh(readAll(card));
}

/**
 * `cp -r` ×2 + `sync`; the card read once and written to every destination at once (`tar`
 * through `tee`, one writer per destination) + `sync`, which is what an offload can do when
 * each destination is its own device; then a cold read of both copies at once.
 */
export function copyFloors(card: string, parents: readonly string[]): { copySync: number; copyOnceSync: number; readCopies: number } {
  const copies = parents.map((p) => join(p, basename(card)));
  const copySync = timedSh(`${copies.map((c) => `cp -r ${q(card)} ${q(c)}`).join(' && ')} && sync`);
  empty(copies);
  const fifos = copies.map((c) => `${c}.fifo`);
  const copyOnceSync = timedSh(
    [
      // The pipes exist before anything opens them: tee would create a plain file in their place.
      ...copies.map((c, i) => `mkdir -p ${q(c)}\nrm -f ${q(fifos[i])}\nmkfifo ${q(fifos[i])}`),
      ...copies.map((c, i) => `tar -xf - -C ${q(c)} < ${q(fifos[i])} &`),
      `tar -cf - -C ${q(card)} . | tee ${fifos.map(q).join(' ')} > /dev/null`,
      'wait',
      'sync',
    ].join('\n'),
  );
  for (const f of fifos) rmSync(f, { force: true });
  const readCopies = timedSh(`${copies.map((c) => `(${readAll(c)}) &`).join('\n')}\nwait`);
  empty(copies);
  return { copySync, copyOnceSync, readCopies };
}

export function safeScript(card: string, parents: readonly string[]): number {
  const copies = parents.map((p) => join(p, basename(card)));
  const seconds = timedSh(
    [...copies.map((c) => `cp -r ${q(card)} ${q(c)}`), 'sync', DROP, hashAll(card), ...copies.map(hashAll)].join('\n'),
  );
  empty(copies);
  return seconds;
}

export interface RushesRun {
  seconds: number;
  peakRssMb: number;
  phases: PhaseTimes | undefined;
  /** The process's time outside the offload itself (start-up, opening the store, shutting down). */
  outsideSeconds: number;
}

/** The real CLI, as a DIT runs it (default concurrency), with its own data home. */
export async function rushesOffload(card: string, parents: readonly string[], home: string, extraArgs: readonly string[] = []): Promise<RushesRun> {
  coldCache();
  const t = process.hrtime.bigint();
  const child = spawn(process.execPath, [rushesBin, 'offload', card, ...parents.flatMap((d) => ['--to', d]), '--json', ...extraArgs], {
    env: { ...process.env, RUSHES_HOME: home },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let summary: OffloadSummary | undefined;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (line.startsWith('{"type":"offload.finished"')) summary = (JSON.parse(line) as { summary: OffloadSummary }).summary;
  });
  const { code, peakRssMb } = await peakRssUntilClose(child);
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  if (code !== 0 || summary?.status !== 'completed') throw new Error(`rushes offload exited ${code} (${summary?.status ?? 'no summary'})`);
  empty([...parents.map((p) => join(p, basename(card))), home]);
  return { seconds, peakRssMb, phases: summary.phases, outsideSeconds: seconds - summary.durationMs / 1000 };
}
