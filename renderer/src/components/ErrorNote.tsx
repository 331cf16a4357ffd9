import { ApiError } from '../api/client.ts';
import { describeError } from '../live/notify.ts';

/** A failure as the daemon said it: its message, the file it names, and its code. */
export function ErrorNote({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const e = error instanceof ApiError ? error : { message: (error as Error).message ?? String(error), code: undefined, path: undefined };
  return (
    <div className="note note-error" role="alert">
      {title ? <strong>{title}: </strong> : null}
      {describeError(e)}
      {e.code ? <span className="code"> ({e.code})</span> : null}
    </div>
  );
}
