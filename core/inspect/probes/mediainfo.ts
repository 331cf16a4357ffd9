/** MediaInfo's track list: it reads MXF descriptors and acquisition metadata that ffprobe leaves out. */
import { runTool, type ToolOptions } from '../tools.ts';

export type MediainfoTrack = Record<string, unknown> & { '@type': string; extra?: Record<string, string> };

export async function mediainfo(file: string, o: ToolOptions): Promise<MediainfoTrack[]> {
  const out = await runTool('mediainfo', ['--Output=JSON', '--', file], file, o);
  const parsed = JSON.parse(out) as { media?: { track?: MediainfoTrack[] } } | null;
  return parsed?.media?.track ?? [];
}

/** Flat "Type.Field" → text (extra fields under "Type.extra.Field"), for the vendor tables. */
export function flattenMediainfo(tracks: readonly MediainfoTrack[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tracks) {
    for (const [k, v] of Object.entries(t)) {
      if (k === 'extra' && v && typeof v === 'object') for (const [ek, ev] of Object.entries(v)) out[`${t['@type']}.extra.${ek}`] ??= String(ev);
      else if (typeof v === 'string' || typeof v === 'number') out[`${t['@type']}.${k}`] ??= String(v);
    }
  }
  return out;
}
