/**
 * Whether a clip has pictures ffmpeg can decode: the render rules (thumbnails, proxies)
 * and `rushes render` ask before they try.
 */
import type { ClipRecord } from '../inspect/types.ts';

/** Not R3D / BRAW / ARRIRAW (no decoder in ffmpeg), not a clip no tool could read. */
export function hasPosterFrame(rec: ClipRecord): boolean {
  if (rec.inspection.status === 'failed') return false;
  if (rec.sequence) return rec.container === 'DPX' || rec.container === 'OpenEXR';
  const ff = rec.raw.ffprobe as { streams?: { codec_type?: string }[] } | undefined;
  return !!ff?.streams?.some((s) => s.codec_type === 'video');
}
