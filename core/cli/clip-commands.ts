/**
 * `rushes inspect PATH` (no store needed: a file or a folder, records printed) and
 * `rushes clips list|show|search` (the clips the daemon inspected after each offload, read
 * from the store).
 */
import type { Command } from 'commander';
import { RushesError } from '../errors.ts';
import type { ClipRecord, Rational } from '../inspect/types.ts';
import type { ClipRow } from '../inspect/clip-store.ts';
import { withEngine } from './engine.ts';
import { formatBytes } from '../util/format.ts';
import { EXIT } from './exit-codes.ts';
import { cancelOnSignals, type Io } from './io.ts';
import { wholeNumber } from './options.ts';

const fps = (r?: Rational) => (r ? `${Math.round((r.num / r.denom) * 1000) / 1000}` : undefined);

/** One line a person reads: name, camera, picture, time, and what went wrong. */
export function clipLine(rec: ClipRecord, id?: number): string {
  const c = rec.camera;
  const parts = [
    id !== undefined ? `#${id}` : undefined,
    rec.clipName,
    rec.roll ? `roll ${rec.roll}` : undefined,
    [c.make, c.model].filter(Boolean).join(' ') || undefined,
    rec.video.width ? `${rec.video.width}x${rec.video.height}` : undefined,
    [rec.video.codec, rec.video.profile].filter(Boolean).join(' ') || undefined,
    rec.projectFrameRate ? `${fps(rec.projectFrameRate)} fps` : undefined,
    c.captureFrameRate && fps(c.captureFrameRate) !== fps(rec.projectFrameRate) ? `sensor ${fps(c.captureFrameRate)} fps` : undefined,
    rec.timecode ? `TC ${rec.timecode.start}-${rec.timecode.end ?? '?'}` : undefined,
    rec.durationFrames !== undefined ? `${rec.durationFrames} frames` : undefined,
    c.isoSpeed ? `ISO ${c.isoSpeed}` : undefined,
    rec.colour.gamma,
    rec.sequence?.missingCount ? `${rec.sequence.missingCount} missing frames` : undefined,
    formatBytes(rec.source.size),
  ];
  const line = parts.filter(Boolean).join('  ');
  const problems = rec.inspection.issues.filter((i) => i.code !== 'SEQUENCE_GAPS');
  return rec.inspection.status === 'ok' ? line : `${line}\n    ${rec.inspection.status}: ${problems.map((i) => `${i.code}: ${i.message}`).join('\n    ') || 'see issues'}`;
}

export async function inspectCommand(path: string, o: { json?: boolean; timeout?: string }, io: Io): Promise<number> {
  const timeoutMs = wholeNumber(o.timeout, 'timeout (milliseconds)', 1, 24 * 3600 * 1000);
  const { findClips, inspectTree } = await import('../inspect/tree.ts');
  const set = await findClips(path);
  for (const p of set.problems) io.stderr.write(`rushes: ${p.message}\n`);
  const complete = set.problems.length === 0 ? EXIT.OK : EXIT.INCOMPLETE;
  if (set.units.length === 0) {
    io.stderr.write(`rushes: no clips found under ${set.root}\n`);
    return complete;
  }
  const { signal, dispose } = cancelOnSignals(io);
  try {
    const records = await inspectTree(set, {
      timeoutMs,
      signal,
      onClip: (r) => io.stdout.write(o.json ? JSON.stringify(r) + '\n' : clipLine(r) + '\n'),
    });
    const failed = records.filter((r) => r.inspection.status === 'failed').length;
    if (!o.json) io.stderr.write(`${records.length} clip(s) inspected${failed ? `, ${failed} could not be read` : ''}${set.problems.length ? `, ${set.problems.length} path(s) could not be listed` : ''}\n`);
    return failed ? EXIT.INCOMPLETE : complete;
  } finally {
    dispose();
    await (await import('../runtime/pool.ts')).destroyPool();
  }
}

const limitOption = (v: string | undefined) => wholeNumber(v, 'limit', 1, 1000);

function printRows(rows: ClipRow[], total: number, json: boolean | undefined, io: Io): void {
  if (json) for (const r of rows) io.stdout.write(JSON.stringify({ id: r.id, thumbnail: r.thumbnail, record: r.record }) + '\n');
  else {
    for (const r of rows) io.stdout.write(clipLine(r.record, r.id) + '\n');
    io.stderr.write(`${rows.length} of ${total} clip(s)\n`);
  }
}

export function registerClipCommands(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('inspect')
    .description('read the camera metadata of a clip, or of every clip in a folder, into normalised records (no store needed); exit 3 if a clip could not be read')
    .argument('<path>', 'a clip file or a folder (a card, a roll folder)')
    .option('--json', 'print one clip record (schemas/clip.schema.json) per line')
    .option('--timeout <ms>', 'kill a probe that takes longer than this (default 30000)')
    .action(async (path: string, flags) => setExit(await inspectCommand(path, flags, io)));

  const clips = program.command('clips').description('the clips inspected after each offload, from the store');
  const home = () => program.opts().home as string | undefined;
  clips
    .command('list')
    .description('list clips, by roll and name')
    .option('--roll <name>', 'only this roll')
    .option('--limit <n>', 'at most this many (default 100)')
    .option('--json', 'one JSON object per line')
    .action((flags) =>
      withEngine(home(), async (api) => {
        const { clips: rows, total } = api.clips.search('', { roll: flags.roll, limit: limitOption(flags.limit) });
        printRows(rows, total, flags.json, io);
      }),
    );
  clips
    .command('search')
    .description('search clips: words, "phrases", and field:value (roll, reel, clip, scene, take, camera, lens, look, codec; iso, fps, wb, shutter, focal, width take numbers and >, >=, <, <=; status:ok|partial|failed)')
    .argument('<query...>', 'e.g. roll:A001 iso:800 "scene 12"')
    .option('--limit <n>', 'at most this many (default 100)')
    .option('--json', 'one JSON object per line')
    .action((query: string[], flags) =>
      withEngine(home(), async (api) => {
        const { clips: rows, total } = api.clips.search(query.join(' '), { limit: limitOption(flags.limit) });
        printRows(rows, total, flags.json, io);
        if (total === 0) setExit(EXIT.NOT_FOUND);
      }),
    );
  clips
    .command('show')
    .description('print one clip record as JSON')
    .argument('<id>', 'clip id (from list or search)')
    .action((id: string) =>
      withEngine(home(), async (api) => {
        if (!/^\d+$/.test(id)) throw new RushesError('USAGE', `"${id}" is not a clip id`);
        const row = api.clips.show(Number(id));
        io.stdout.write(JSON.stringify({ id: row.id, thumbnail: row.thumbnail, record: row.record }, null, 2) + '\n');
      }),
    );
}
