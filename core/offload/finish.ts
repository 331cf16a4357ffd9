/**
 * The end of an offload, once every file went through: the source listed again (a file that
 * appeared or changed since is named, relist.ts), then for each destination still in the
 * running its folders made final and durable (folders.ts), the card's own history carried
 * over (history.ts) and an ASC MHL generation written of what was proven there
 * (manifest.ts); last the summary, the store's final record and `offload.finished`.
 * A cancelled run writes no generation: it stops at this checkpoint and a rerun resumes.
 */
import type { IgnoreMatcher } from '../fs/ignore.ts';
import type { HashFormat } from '../hash/index.ts';
import type { DestinationSummary, OffloadSummary } from './events.ts';
import { failureReport } from './failure.ts';
import { finishDirectories } from './folders.ts';
import { carryOverHistory, type SourceHistory } from './history.ts';
import { writeDestinationManifest, type ManifestOptions, type WrittenManifest } from './manifest.ts';
import { changesSinceListing } from './relist.ts';
import type { DestinationRun, RunState } from './run-state.ts';
import type { VerifyMode } from './store.ts';
import { summariseDestination, summariseOffload } from './summary.ts';
import type { SourceTree } from './walk.ts';

export interface FinishInput {
  source: string;
  roll: string;
  tree: SourceTree;
  ignore: IgnoreMatcher;
  /** The ignore patterns as given, for the MHL generation to record. */
  ignorePatterns: string[];
  cardHistory?: SourceHistory;
  hashFormats: readonly HashFormat[];
  verifyMode: VerifyMode;
  creator?: ManifestOptions['creator'];
  resumedFiles: number;
  started: number;
  cancelled: boolean;
}

export async function finishOffload(run: RunState, f: FinishInput): Promise<OffloadSummary> {
  if (!f.cancelled) {
    const reported = new Set(run.failures.map((r) => r.path));
    for (const change of await run.clock.time('plan', () => changesSinceListing(f.source, f.tree, f.ignore, reported))) run.report(failureReport(change, change.path ?? f.source));
  }
  run.progress.flush();

  const destinations: DestinationSummary[] = [];
  for (const d of run.destinations) {
    let manifest: string | undefined;
    if (!f.cancelled && !d.error) {
      try {
        const written = await run.clock.time('mhl', () => closeDestination(run, d, f));
        if (written) {
          manifest = written.manifestPath;
          run.store.markRecorded(run.offloadId, d.root, written.paths, written.manifestPath);
          run.emit({ type: 'mhl.written', offloadId: run.offloadId, destination: d.root, manifest: written.manifestPath, generation: written.generation });
        }
      } catch (e) {
        run.dropDestination(d, failureReport(e, d.root, d.root));
      }
    }
    destinations.push(summariseDestination(d, f.tree, manifest));
  }

  const summary = summariseOffload({ ...f, offloadId: run.offloadId, ended: Date.now(), destinations, failures: run.failures, phases: run.clock.totals() });
  run.store.finish(run.offloadId, summary.status === 'completed' ? 'completed' : 'incomplete', summary);
  run.emit({ type: 'offload.finished', offloadId: run.offloadId, summary });
  return summary;
}

/** Makes one destination's folders final, carries the card's history over and writes a generation of what was proven there (none when nothing new was). */
async function closeDestination(run: RunState, d: DestinationRun, f: FinishInput): Promise<WrittenManifest | undefined> {
  await finishDirectories(d.root, f.tree);
  if (f.cardHistory) await carryOverHistory(f.source, d.root, f.cardHistory);
  return writeDestinationManifest({
    root: d.root,
    tree: f.tree,
    records: d.records,
    sourceRecords: run.store.sourceFiles(run.offloadId),
    formats: f.hashFormats,
    verifyMode: f.verifyMode,
    ignore: f.ignorePatterns,
    creator: f.creator,
  });
}
