/** ExifTool, for formats ffprobe cannot open (RED R3D headers, Canon CRM, stills). Numeric values (-n), plain tag names. */
import { runTool, type ToolOptions } from '../tools.ts';

export async function exiftool(file: string, o: ToolOptions): Promise<Record<string, unknown>> {
  const out = await runTool('exiftool', ['-j', '-n', '-q', '-api', 'LargeFileSupport=1', '--', file], file, { ...o, okExitCodes: [0, 1] });
  const parsed = JSON.parse(out) as Record<string, unknown>[];
  const tags = { ...(parsed[0] ?? {}) };
  // The file system's view (name, dates, permissions) is not camera metadata.
  for (const k of Object.keys(tags)) if (k === 'SourceFile' || k.startsWith('File') || k === 'Directory' || k === 'ExifToolVersion') delete tags[k];
  return tags;
}
