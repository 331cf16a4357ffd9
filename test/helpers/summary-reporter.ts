/**
 * Ends a test run with one plain line, "N passed, N failed, N skipped", which CI reads
 * whatever the runner; vitest's own summary stays above it (hence onFinished, which runs
 * after the default reporter's).
 */
import type { File, Reporter, Task } from 'vitest';

function tally(tasks: readonly Task[], counts: { passed: number; failed: number; skipped: number }): void {
  for (const t of tasks) {
    if (t.type === 'suite') tally(t.tasks, counts);
    else if (t.result?.state === 'pass') counts.passed++;
    else if (t.result?.state === 'fail') counts.failed++;
    else counts.skipped++;
  }
}

export default class SummaryLineReporter implements Reporter {
  onFinished(files: File[] = []): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const f of files) {
      tally(f.tasks, counts);
      if (f.result?.state === 'fail' && f.tasks.length === 0) counts.failed++; // a test file that did not load
    }
    process.stdout.write(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
  }
}
