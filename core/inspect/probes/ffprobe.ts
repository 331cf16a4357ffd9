/** ffprobe's view of a file: streams, container and their tags (QuickTime mdta keys, MXF descriptors, timecode tracks). */
import { runTool, type ToolOptions } from '../tools.ts';

export interface FfprobeStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  codec_long_name?: string;
  profile?: string;
  codec_tag_string?: string;
  width?: number;
  height?: number;
  sample_aspect_ratio?: string;
  pix_fmt?: string;
  bits_per_raw_sample?: string;
  bits_per_sample?: number;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  nb_frames?: string;
  duration?: string;
  sample_rate?: string;
  channels?: number;
  color_transfer?: string;
  color_primaries?: string;
  color_space?: string;
  tags?: Record<string, string>;
}

export interface FfprobeResult {
  streams: FfprobeStream[];
  format: { format_name?: string; format_long_name?: string; duration?: string; size?: string; tags?: Record<string, string> };
}

export async function ffprobe(file: string, o: ToolOptions): Promise<FfprobeResult> {
  const out = await runTool('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '--', file], file, o);
  const parsed = JSON.parse(out) as Partial<FfprobeResult>;
  return { streams: parsed.streams ?? [], format: parsed.format ?? {} };
}
