/**
 * A progress bar: `value` is how far the first part is (copied), `second` how far the
 * second (read back to verify). Its width is set through the style object, which React
 * applies through the CSS object model — allowed by the page's Content-Security-Policy,
 * unlike an inline style attribute.
 */
export function Bar({ label, value, second, failed }: { label: string; value: number; second?: number; failed?: boolean }) {
  const pct = (x: number) => `${(Math.max(0, Math.min(1, x)) * 100).toFixed(1)}%`;
  const now = Math.round(Math.max(0, Math.min(1, second ?? value)) * 100);
  return (
    <div className={`bar${failed ? ' bar-failed' : ''}`} role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={now}>
      <div className="bar-fill" style={{ width: pct(value) }} />
      {second !== undefined ? <div className="bar-fill bar-verify" style={{ width: pct(second) }} /> : null}
    </div>
  );
}
