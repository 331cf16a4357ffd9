/** How an incomplete offload is reported to the queue: the code decides whether it is tried again. */
import { describe, expect, it } from 'vitest';
import { incompleteError } from '../core/offload/job.ts';
import type { FailureReport, OffloadSummary } from '../core/offload/events.ts';
import { isRetryable } from '../core/queue/index.ts';

function summary(failures: FailureReport[]): OffloadSummary {
  return {
    offloadId: 'o1',
    source: '/media/A001',
    roll: 'A001',
    status: 'incomplete',
    files: 3,
    bytes: 300,
    resumedFiles: 0,
    durationMs: 10,
    rate: 30_000,
    destinations: [
      { destination: '/raid1/A001', complete: false, verifiedFiles: 1, failedFiles: 2, checkKinds: ['full-direct'] },
      { destination: '/raid2/A001', complete: true, verifiedFiles: 3, failedFiles: 0, checkKinds: ['full-direct'] },
    ],
    failures,
  };
}

describe('incompleteError', () => {
  it('is retried when any failure can clear, even if the first one cannot', () => {
    const e = incompleteError('/media/A001', summary([
      { path: '/media/A001/bad\uFFFD.mov', code: 'BAD_FILENAME', message: 'not UTF-8' },
      { path: '/raid1/A001/C002.mov', destination: '/raid1/A001', code: 'DEST_FULL', message: 'destination is full writing /raid1/A001/C002.mov' },
    ]));
    expect(e).toMatchObject({ code: 'DEST_FULL', path: '/raid1/A001/C002.mov' });
    expect(e.message).toMatch(/\/raid1\/A001 not complete \(destination is full writing \/raid1\/A001\/C002\.mov and 1 more\)/);
    expect(isRetryable(e)).toBe(true);
  });

  it('is permanent when every failure is', () => {
    const e = incompleteError('/media/A001', summary([{ path: '/media/A001/x', code: 'BAD_FILENAME', message: 'not UTF-8' }]));
    expect(e.code).toBe('BAD_FILENAME');
    expect(isRetryable(e)).toBe(false);
  });
});
