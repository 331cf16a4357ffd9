/**
 * A process that uploads through core/sync and is meant to be killed (kill -9) mid upload:
 * `node --import tsx sync-child.ts JOB.json`. It prints one JSON line per progress report
 * (bytes the store confirmed), so the test knows when enough parts are acknowledged.
 */
import { readFileSync } from 'node:fs';
import { openStore } from '../../core/store/db.ts';
import { Bandwidth, syncFiles, type SyncFile, type SyncTarget } from '../../core/sync/index.ts';

interface Job {
  target: SyncTarget;
  files: SyncFile[];
  home: string;
  /** Bytes per second. */
  limit: number;
  partSize: number;
}

const job = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Job;
const db = openStore(job.home);
const summary = await syncFiles(job.target, job.files, {
  store: db,
  partSize: job.partSize,
  partConcurrency: 2,
  bandwidth: new Bandwidth(job.limit),
  onProgress: (p) => process.stdout.write(JSON.stringify({ bytesDone: p.bytesDone }) + '\n'),
});
process.stdout.write(JSON.stringify({ done: summary.uploaded }) + '\n');
db.close();
