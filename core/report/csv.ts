/** A report as CSV for spreadsheets: one row per clip, with its card's and the offload's columns (RFC 4180 quoting). */
import type { Report } from './model.ts';

const COLUMNS = ['roll', 'camera', 'offload', 'status', 'clip', 'timecode_start', 'timecode_end', 'duration_frames', 'fps', 'resolution', 'codec', 'iso', 'white_balance_k', 'lens', 'scene', 'take', 'xxh64', 'inspection'] as const;

function field(v: string | number | undefined): string {
  if (v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function reportCsv(r: Report): string {
  const lines = [COLUMNS.join(',')];
  for (const c of r.cards) {
    for (const clip of c.clips) {
      lines.push(
        [c.card.roll, c.card.camera, c.offloadId, c.status, clip.name, clip.timecodeStart, clip.timecodeEnd, clip.durationFrames, clip.fps, clip.resolution, clip.codec, clip.iso, clip.whiteBalance, clip.lens, clip.scene, clip.take, clip.xxh64, clip.status]
          .map(field)
          .join(','),
      );
    }
  }
  return lines.join('\r\n') + '\r\n';
}
