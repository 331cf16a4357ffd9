/**
 * Draws offload events on a terminal: one live bar per destination, redrawn in place.
 * Without a TTY nothing is drawn until the summary, so logs stay readable.
 */
import type { DestinationProgress, OffloadEvent, OffloadSummary } from '../offload/events.ts';
import { formatBytes, formatDuration, formatRate } from '../util/format.ts';

const BAR_WIDTH = 24;

export function bar(fraction: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * BAR_WIDTH);
  return '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled);
}

export function progressLine(p: DestinationProgress, verifies: boolean): string {
  const total = p.bytesTotal * (verifies ? 2 : 1);
  const done = p.bytesDone + p.verifiedBytes;
  const fraction = total === 0 ? (p.filesDone >= p.filesTotal ? 1 : 0) : done / total;
  const state = p.failed ? 'FAILED' : `${(fraction * 100).toFixed(0).padStart(3)}%`;
  return `${bar(fraction)} ${state}  ${formatBytes(p.bytesDone)}/${formatBytes(p.bytesTotal)}  ${p.filesDone}/${p.filesTotal} files  ${formatRate(p.rate)}  ETA ${formatDuration(p.etaSeconds)}  ${p.destination}`;
}

export class TerminalProgress {
  private drawn = 0;
  private verifies = true;

  constructor(private readonly out: NodeJS.WriteStream) {}

  setVerifies(v: boolean): void {
    this.verifies = v;
  }

  handle(e: OffloadEvent): void {
    if (e.type === 'offload.started') {
      this.out.write(`Offloading ${e.source} as roll ${e.roll}: ${e.files} files, ${formatBytes(e.bytes)}${e.resumedFiles ? ` (resuming; ${e.resumedFiles} already verified)` : ''}\n`);
    } else if (e.type === 'offload.waiting') {
      this.out.write(`Waiting: ${e.message}\n`);
    } else if (e.type === 'offload.progress') {
      this.redraw(e.destinations.map((p) => progressLine(p, this.verifies)));
    } else if (e.type === 'file.failed') {
      this.clear();
      this.out.write(`✘ ${e.failure.code}: ${e.failure.message}\n`);
    }
  }

  private clear(): void {
    if (this.drawn > 0) this.out.write(`\x1b[${this.drawn}A\x1b[J`);
    this.drawn = 0;
  }

  private redraw(lines: string[]): void {
    this.clear();
    const width = this.out.columns || 120;
    for (const l of lines) this.out.write(l.slice(0, width - 1) + '\n');
    this.drawn = lines.length;
  }
}

export function summaryText(s: OffloadSummary): string {
  const lines: string[] = [];
  const secs = s.durationMs / 1000;
  lines.push(`${s.status === 'completed' ? '✔ Offload complete' : s.status === 'cancelled' ? '■ Offload cancelled' : '✘ Offload INCOMPLETE'}: ${s.files} files, ${formatBytes(s.bytes)} in ${formatDuration(secs)} (${formatRate(s.rate)})`);
  for (const d of s.destinations) {
    const how = d.checkKinds.includes('full-direct')
      ? 'read back from the device'
      : d.checkKinds.includes('full-cached')
        ? 'read back (filesystem without direct I/O)'
        : d.checkKinds.includes('size')
          ? 'sizes checked only'
          : 'not checked';
    if (d.complete) lines.push(`  ✔ ${d.destination}: complete verified copy, ${d.verifiedFiles} files, ${how}${d.manifest ? `\n      ASC MHL: ${d.manifest}` : ''}`);
    else lines.push(`  ✘ ${d.destination}: NOT complete — ${d.verifiedFiles} files ok, ${d.failedFiles} missing or failed${d.error ? ` (${d.error.code}: ${d.error.message})` : ''}`);
  }
  const shown = s.failures.slice(0, 20);
  if (shown.length) {
    lines.push('  Problems:');
    for (const f of shown) lines.push(`    ${f.code}: ${f.message}`);
    if (s.failures.length > shown.length) lines.push(`    … and ${s.failures.length - shown.length} more (use --json for all)`);
  }
  if (s.status === 'cancelled' || s.destinations.some((d) => !d.complete)) lines.push('  Run the same command again to resume; verified files are not copied again.');
  return lines.join('\n');
}
