/**
 * Concurrency limits per job kind and per resource. A resource limit is looked up by its
 * full key, then by its class (`volume:*` for `volume:2049`); no entry means unlimited.
 */
export interface Limits {
  /** Most running jobs of a kind, e.g. { offload: 2 }. */
  kinds?: Record<string, number>;
  /** Most running jobs holding a resource, e.g. { 'volume:*': 1, cpu: 2 }. */
  resources?: Record<string, number>;
}

/**
 * A resource of this class is a slot of another engine (`remote:swarm`, `remote:aws-batch`):
 * a job holding one waits on other machines, so it takes none of the runner's own slots
 * (its concurrency) — its resource limit alone bounds it.
 */
export const REMOTE_CLASS = 'remote:';

export const isRemoteJob = (resources: readonly string[]) => resources.some((r) => r.startsWith(REMOTE_CLASS));

export interface RunningJob {
  kind: string;
  resources: readonly string[];
}

export class LimitTracker {
  private readonly kindCount = new Map<string, number>();
  private readonly resourceCount = new Map<string, number>();

  constructor(
    private readonly limits: Limits,
    running: Iterable<RunningJob> = [],
  ) {
    for (const job of running) this.add(job);
  }

  /** Whether one more job like `job` fits. */
  fits(job: RunningJob): boolean {
    const kindLimit = this.limits.kinds?.[job.kind];
    if (kindLimit !== undefined && (this.kindCount.get(job.kind) ?? 0) >= kindLimit) return false;
    for (const r of job.resources) {
      const limit = resourceLimit(this.limits, r);
      if (limit !== undefined && (this.resourceCount.get(r) ?? 0) >= limit) return false;
    }
    return true;
  }

  add(job: RunningJob): void {
    this.kindCount.set(job.kind, (this.kindCount.get(job.kind) ?? 0) + 1);
    for (const r of job.resources) this.resourceCount.set(r, (this.resourceCount.get(r) ?? 0) + 1);
  }
}

export function resourceLimit(limits: Limits, key: string): number | undefined {
  const table = limits.resources ?? {};
  if (key in table) return table[key];
  const colon = key.indexOf(':');
  return colon > 0 ? table[`${key.slice(0, colon)}:*`] : undefined;
}
