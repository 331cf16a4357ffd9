/**
 * The poster frame of a clip: one JPEG, 320 pixels wide, from a tenth of the way in (at
 * most 1 s, past a slate's flash frames but still the shot). Pure: the record decides the
 * input and the ffmpeg arguments; the job runs them.
 */
import { posix } from 'node:path';
import type { ClipRecord } from '../inspect/types.ts';

export const THUMBNAIL_WIDTH = 320;

/** Whether ffmpeg can decode a picture from this clip (not R3D / BRAW / ARRIRAW; not a failed inspection). */
export function hasPosterFrame(rec: ClipRecord): boolean {
  if (rec.inspection.status === 'failed') return false;
  if (rec.sequence) return rec.container === 'DPX' || rec.container === 'OpenEXR';
  const ff = rec.raw.ffprobe as { streams?: { codec_type?: string }[] } | undefined;
  return !!ff?.streams?.some((s) => s.codec_type === 'video');
}

/** The file to decode: the clip's file, or a sequence's first frame. */
export function posterInput(rec: ClipRecord): string {
  if (!rec.sequence) return rec.source.path;
  const s = rec.sequence;
  const frame = s.pattern.replace(/#+/, (h) => String(s.firstFrame).padStart(h.length, '0'));
  return posix.join(rec.source.path, frame);
}

export function posterFrameArgs(rec: ClipRecord, output: string): string[] {
  const seconds = rec.sequence ? 0 : Math.min(1, (rec.durationSeconds ?? 0) / 10);
  return [
    '-v', 'error', '-nostdin', '-y',
    ...(seconds > 0 ? ['-ss', seconds.toFixed(3)] : []),
    '-i', posterInput(rec),
    '-frames:v', '1',
    '-vf', `scale=${THUMBNAIL_WIDTH}:-2`,
    '-f', 'image2', '-c:v', 'mjpeg', '-q:v', '4',
    output,
  ];
}
