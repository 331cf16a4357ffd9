/**
 * A process that uploads through core/sync: `node --import tsx sync-child.ts JOB.json`.
 * The kill -9 test kills it mid upload; the sync benchmark measures its time and memory.
 * It prints one JSON line per progress report (bytes the store confirmed) and a last line
 * with the outcome counts.
 */
import { readFileSync } from 'node:fs';
import { openStore } from '../../core/store/db.ts';
import { Bandwidth, syncFiles, type SyncFile, type SyncTarget } from '../../core/sync/index.ts';

interface Job {
  target: SyncTarget;
  files: SyncFile[];
  home: string;
  /** Bytes per second; full speed when absent. */
  limit?: number;
  partSize?: number;
  partConcurrency?: number;
  fileConcurrency?: number;
  /** false: small objects through the SDK too (the bench's before/after). */
  leanPut?: boolean;
}

const job = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Job;
const db = openStore(job.home);
const summary = await syncFiles(job.target, job.files, {
  store: db,
  partSize: job.partSize,
  partConcurrency: job.partConcurrency,
  fileConcurrency: job.fileConcurrency,
  leanPut: job.leanPut,
  bandwidth: new Bandwidth(job.limit ?? null),
  onProgress: (p) => process.stdout.write(JSON.stringify({ bytesDone: p.bytesDone }) + '\n'),
});
const firstError = summary.objects.find((o) => o.error)?.error;
process.stdout.write(JSON.stringify({ uploaded: summary.uploaded, skipped: summary.skipped, failed: summary.failed, firstError }) + '\n');
db.close();
