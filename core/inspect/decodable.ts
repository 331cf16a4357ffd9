/**
 * Whether a clip has pictures ffmpeg can decode: the render rules (thumbnails, proxies)
 * and `rushes render` ask before they try.
 */
import { RushesError } from '../errors.ts';
import type { ClipRecord } from './types.ts';

/** Not R3D / BRAW / ARRIRAW (no decoder in ffmpeg), not a clip no tool could read. */
export function hasPosterFrame(rec: ClipRecord): boolean {
  if (rec.inspection.status === 'failed') return false;
  if (rec.sequence) return rec.container === 'DPX' || rec.container === 'OpenEXR';
  const ff = rec.raw.ffprobe as { streams?: { codec_type?: string }[] } | undefined;
  return !!ff?.streams?.some((s) => s.codec_type === 'video');
}

/** Throws INPUT_UNDECODABLE, naming the clip and why, when ffmpeg cannot decode it. */
export function assertRenderable(rec: ClipRecord): void {
  if (hasPosterFrame(rec)) return;
  const where = rec.source.path;
  const why = rec.inspection.issues[0]?.message ?? `ffmpeg has no decoder for ${rec.container ?? 'this format'}`;
  throw new RushesError('INPUT_UNDECODABLE', `${where} cannot be rendered: ${why}`, { path: where });
}
