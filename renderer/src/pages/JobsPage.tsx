/** The queue: every job with its state, progress and error; retry what died, cancel what should stop. */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { get, post, withQuery } from '../api/client.ts';
import type { Job, JobState } from '../api/types.ts';
import { Bar } from '../components/Bar.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { StateBadge } from '../components/StateBadge.tsx';
import { formatPercent, formatTime } from '../format.ts';
import { coalesced } from '../live/batcher.ts';
import { useLive } from '../live/context.ts';
import { describeError } from '../live/notify.ts';
import { canCancel, canRetry, jobFraction, jobSubject } from './job-view.ts';

const STATES: JobState[] = ['waiting', 'queued', 'running', 'succeeded', 'dead', 'cancelled'];
const KINDS = ['offload', 'inspect-offload', 'inspect', 'render', 'webhook', 'card-history'];

function JobRow({ job, fraction, onDone }: { job: Job; fraction?: number; onDone(): void }) {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const act = (what: 'retry' | 'cancel') => {
    setBusy(true);
    setError(undefined);
    post(`/api/jobs/${job.id}/${what}`)
      .then(onDone, setError)
      .finally(() => setBusy(false));
  };
  return (
    <tr>
      <th scope="row">{job.id}</th>
      <td>{job.kind}</td>
      <td className="subject">{jobSubject(job)}</td>
      <td>
        <StateBadge state={job.state} kind="job" />
      </td>
      <td className="progress-cell">
        {fraction !== undefined ? (
          <>
            <Bar label={`Job ${job.id}`} value={fraction} />
            <span className="muted">{formatPercent(fraction)}</span>
          </>
        ) : null}
      </td>
      <td>
        {job.attempts}/{job.maxAttempts}
      </td>
      <td className="error-cell">
        {job.lastError ? <span className="error-text">{describeError(job.lastError)}</span> : null}
        <ErrorNote error={error} />
      </td>
      <td>{formatTime(job.createdAt)}</td>
      <td className="actions-cell">
        {canRetry(job) ? (
          <button type="button" disabled={busy} onClick={() => act('retry')} aria-label={`Retry job ${job.id}`}>
            Retry
          </button>
        ) : null}
        {canCancel(job) ? (
          <button type="button" disabled={busy} onClick={() => act('cancel')} aria-label={`Cancel job ${job.id}`}>
            Cancel
          </button>
        ) : null}
      </td>
    </tr>
  );
}

export function JobsPage() {
  const { data } = useLive();
  const [state, setState] = useState<JobState | ''>('');
  const [kind, setKind] = useState('');
  const [jobs, setJobs] = useState<Job[]>();
  const [error, setError] = useState<unknown>();

  const load = useMemo(
    () =>
      coalesced(
        async () => {
          const r = await get<{ jobs: Job[] }>(withQuery('/api/jobs', { state, kind, limit: 200 }));
          setJobs(r.jobs);
          setError(undefined);
        },
        (e) => setError(e),
      ),
    [state, kind],
  );
  // Fetched again when a job event arrives (the live store counts them), never on a timer.
  useEffect(() => {
    void load();
  }, [load, data.jobsVersion]);
  const reload = useCallback(() => void load(), [load]);

  return (
    <>
      <div className="page-head">
        <h1>Jobs</h1>
        <div className="row">
          <label>
            State
            <select value={state} onChange={(e) => setState(e.target.value as JobState | '')}>
              <option value="">any</option>
              {STATES.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </label>
          <label>
            Kind
            <select value={kind} onChange={(e) => setKind(e.target.value)}>
              <option value="">any</option>
              {KINDS.map((k) => (
                <option key={k}>{k}</option>
              ))}
            </select>
          </label>
        </div>
      </div>
      <ErrorNote error={error} />
      {jobs && jobs.length === 0 ? <p className="empty">No jobs{state || kind ? ' match' : ' yet'}.</p> : null}
      {jobs && jobs.length ? (
        <table className="jobs">
          <caption className="visually-hidden">Jobs, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Job</th>
              <th scope="col">Kind</th>
              <th scope="col">What</th>
              <th scope="col">State</th>
              <th scope="col">Progress</th>
              <th scope="col">Attempts</th>
              <th scope="col">Error</th>
              <th scope="col">Created</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((j) => (
              <JobRow key={j.id} job={j} fraction={jobFraction(j, data.progress.get(j.id))} onDone={reload} />
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}
