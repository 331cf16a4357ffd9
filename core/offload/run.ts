/**
 * An offload: copy a card into `<destination>/<roll>/` for every destination, prove every
 * byte, record every result, and write an ASC MHL generation where files were proven.
 *
 * Under the destination locks it runs in three steps, each in its own module:
 * - plan (plan.ts, pure): from the source listing, the store's records of an earlier
 *   interrupted run and what each destination holds (survey.ts), what to do with every
 *   file on every destination;
 * - execute (execute.ts): one read of each source file feeds every destination's temporary
 *   file; each is read back and only then renamed to its final name (settle.ts). So a file
 *   under its final name is always a complete, checked copy, and anything else is a
 *   temporary file the next run replaces;
 * - finish (finish.ts): the source listed again, folders made durable, the card's history
 *   carried over, an MHL generation per destination, the summary.
 */
import { randomUUID } from 'node:crypto';
import { basename, join, resolve } from 'node:path';
import { RushesError } from '../errors.ts';
import { ignoreMatcher } from '../fs/ignore.ts';
import { lockFolders } from '../fs/lock.ts';
import type { HashFormat } from '../hash/index.ts';
import { DEFAULT_IGNORE } from '../mhl/index.ts';
import type { Db } from '../store/db.ts';
import type { OffloadListener, OffloadSummary } from './events.ts';
import { executePlan } from './execute.ts';
import { failureReport } from './failure.ts';
import { finishOffload } from './finish.ts';
import { missingFromCard, readSourceHistory } from './history.ts';
import type { ManifestOptions } from './manifest.ts';
import { assertDestinationsOutsideSource } from './paths.ts';
import { formatsToHash, planOffload, resumableOffload, type DestinationFacts, type OffloadIdentity } from './plan.ts';
import { RunState } from './run-state.ts';
import { PhaseClock, wallMs } from './phases.ts';
import { OffloadStore, type DestinationFileRecord, type SourceFileRecord, type VerifyMode } from './store.ts';
import { prepareDestination, surveyDestination } from './survey.ts';
import { walkSource, type SourceTree } from './walk.ts';

export interface OffloadOptions {
  source: string;
  /** Parent folders; the roll folder is created inside each. */
  destinations: string[];
  roll?: string;
  formats?: HashFormat[];
  verify?: VerifyMode;
  sourceVerify?: boolean;
  ignore?: string[];
  db: Db;
  onEvent?: OffloadListener;
  signal?: AbortSignal;
  creator?: ManifestOptions['creator'];
  /** Files copied at once; small files gain from more, large ones are bound by the device. */
  concurrency?: number;
  /** When another writer holds a destination folder: wait for it (true) or fail with DEST_LOCKED (default). */
  waitForLock?: boolean;
}

/** The options resolved: absolute source, the roll folder in each destination, formats and verify mode settled. */
interface ResolvedOffload extends OffloadIdentity {
  roots: string[];
  formats: HashFormat[];
}

function validateRoll(roll: string): string {
  if (!roll || roll === '.' || roll === '..' || roll.includes('/') || roll.includes('\\') || roll.includes('\0')) {
    throw new RushesError('USAGE', `invalid roll name "${roll}": it must be a single folder name`);
  }
  return roll;
}

export async function offload(o: OffloadOptions): Promise<OffloadSummary> {
  const started = Date.now();
  const source = resolve(o.source);
  const roll = validateRoll(o.roll ?? basename(source));
  const formats: HashFormat[] = o.formats?.length ? [...o.formats] : ['xxh64'];
  const verifyMode: VerifyMode = o.verify ?? 'full';
  const roots = [...new Set(o.destinations.map((d) => join(resolve(d), roll)))];
  if (roots.length === 0) throw new RushesError('USAGE', 'no destination given (use --to DIR, once per destination)');
  if (roots.length !== o.destinations.length) throw new RushesError('USAGE', 'the same destination is given twice');
  await assertDestinationsOutsideSource(source, roots);

  // One writer per roll folder, whichever process it runs in: a second offload of the same
  // card would write the same temporary files and could overwrite a file already verified.
  const held = await lockFolders(roots, `rushes offload of ${source}`, o.waitForLock ? { signal: o.signal, onBlocked: (e) => o.onEvent?.({ type: 'offload.waiting', source, destination: e.path ?? '', message: e.message }) } : undefined);
  try {
    return await offloadLocked(o, { source, roll, formats, verifyMode, roots }, started, held.unlockable);
  } finally {
    await held.release();
  }
}

/**
 * Plan, execute, finish, with the roll folders locked. `unlockable`: destinations whose lock
 * could not be written; they fail with that cause, the others go on.
 */
async function offloadLocked(o: OffloadOptions, id: ResolvedOffload, started: number, unlockable: Map<string, RushesError>): Promise<OffloadSummary> {
  const { source, roll, formats, verifyMode, roots } = id;
  const ignorePatterns = o.ignore ?? DEFAULT_IGNORE;
  const ignore = ignoreMatcher(ignorePatterns);
  const clock = new PhaseClock();
  const planStart = wallMs();
  const tree = await walkSource(source, ignore);
  const card = await readSourceHistory(source);
  const hashFormats = formatsToHash(formats, card.history?.formats);

  const store = new OffloadStore(o.db, clock);
  const resumed = resumableOffload(store.findLatest(source, roll, roots), id);
  const offloadId = resumed?.id ?? randomUUID();
  if (resumed) store.markRunning(offloadId);
  else store.create({ id: offloadId, source, roll, destinations: roots, formats, verifyMode, sourceVerify: !!o.sourceVerify, startedAt: new Date().toISOString() });
  const previous = resumed ? store.sourceFiles(offloadId) : new Map<string, SourceFileRecord>();
  const destinations = await Promise.all(
    roots.map((root) => gatherDestination(root, tree, unlockable.get(root), resumed ? store.destinationFiles(offloadId, root) : new Map())),
  );

  const plan = planOffload({ tree, previous, destinations, verifyMode });
  clock.add('plan', planStart, wallMs());

  // The run records outcomes in its own copy of the records: the plan is read as the files go, from the facts as gathered.
  const run = new RunState(
    offloadId,
    store,
    destinations.map((d) => ({ root: d.root, records: new Map(d.records) })),
    plan.totals,
    verifyMode === 'full',
    o.onEvent,
    clock,
  );
  run.emit({ type: 'offload.started', offloadId, source, roll, destinations: roots, files: plan.totals.files, bytes: plan.totals.bytes, resumedFiles: plan.resumedFiles });
  for (const p of tree.problems) run.report(failureReport(p, p.path ?? source));
  // Problems with the card's history do not make a copy incomplete, but the offload reports them and does not succeed.
  if (card.problem) run.report(failureReport(card.problem, card.problem.path ?? source));
  if (card.history) for (const p of missingFromCard(card.history, new Set(tree.files.map((f) => f.path)), source)) run.report(failureReport(p, p.path ?? source));
  destinations.forEach((d, i) => {
    if (d.failure) run.dropDestination(run.destinations[i], d.failure);
  });

  const { cancelled } = await executePlan(run, plan, {
    verifyMode,
    hashFormats,
    sourceVerify: !!o.sourceVerify,
    cardHistory: card.history,
    concurrency: o.concurrency ?? 4,
    signal: o.signal,
  });
  return finishOffload(run, {
    source,
    roll,
    tree,
    ignore,
    ignorePatterns,
    cardHistory: card.history,
    hashFormats,
    verifyMode,
    creator: o.creator,
    resumedFiles: plan.resumedFiles,
    started,
    cancelled,
  });
}

/** What the plan needs to know about one destination: can it be written, what the resumed run recorded there, what it holds. */
async function gatherDestination(root: string, tree: SourceTree, lockError: RushesError | undefined, records: Map<string, DestinationFileRecord>): Promise<DestinationFacts> {
  const failure = lockError ? failureReport(lockError, root, root) : await prepareDestination(root);
  return { root, records, holdings: failure ? new Map() : await surveyDestination(root, tree.files), failure };
}
