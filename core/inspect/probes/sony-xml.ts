/**
 * Sony NonRealTimeMeta (the clip's M01.XML): duration, LTC change table, creation date,
 * video and audio format, the recording Device and — when a recorder such as an AXS-R7
 * records for a VENICE — the Camera body beside it, each with its board's software version,
 * the Lens, the acquisition record's camera and lens items, and the user descriptive
 * metadata (CameraIndex, Reel, Scene, Take…). Flattened to "Element.attribute", "Item name"
 * and "User.Meta name" keys for the vendor table. Pure, on the file's text.
 */
import { XMLParser } from 'fast-xml-parser';
import { HeaderError } from './dpx.ts';
import { parseSidecarXml } from './sidecar-text.ts';
import { sonyLtcToTimecode } from '../timecode.ts';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', removeNSPrefix: true, isArray: (name) => ['LtcChange', 'Group', 'Item', 'AudioRecPort', 'Element', 'Meta'].includes(name) });

type Node = Record<string, unknown>;

export function parseSonyXml(text: string): Record<string, string> {
  const root = parseSidecarXml(text, parser).NonRealTimeMeta as Node | undefined;
  if (!root || typeof root !== 'object') throw new HeaderError('not a Sony NonRealTimeMeta file (no NonRealTimeMeta element)');
  const out: Record<string, string> = {};
  const attrs = (path: string, node: unknown) => {
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node as Node)) if (typeof v === 'string' || typeof v === 'number') out[`${path}.${k}`] = String(v);
  };
  attrs('Duration', root.Duration);
  attrs('CreationDate', root.CreationDate);
  for (const unit of ['Device', 'Camera'] as const) {
    const node = root[unit] as Node | undefined;
    attrs(unit, node);
    // <Element hardware="Main-Board" software="6.10"/>: the unit's firmware.
    const board = (node?.Element as Node[] | undefined)?.find((e) => e.software !== undefined);
    if (board) out[`${unit}.software`] = String(board.software);
  }
  attrs('Lens', root.Lens);
  attrs('RecordingMode', root.RecordingMode);
  const video = root.VideoFormat as Node | undefined;
  attrs('VideoFrame', video?.VideoFrame);
  attrs('VideoLayout', video?.VideoLayout);
  attrs('AudioFormat', root.AudioFormat);
  const ltc = root.LtcChangeTable as Node | undefined;
  attrs('LtcChangeTable', ltc);
  const first = (ltc?.LtcChange as Node[] | undefined)?.find((c) => String(c.frameCount) === '0');
  if (first) {
    const tc = sonyLtcToTimecode(String(first.value));
    if (tc) out['Ltc.start'] = tc.text;
  }
  const groups = (root.AcquisitionRecord as Node | undefined)?.Group as Node[] | undefined;
  for (const g of groups ?? []) for (const item of (g.Item as Node[] | undefined) ?? []) if (item.name !== undefined && item.value !== undefined) out[String(item.name)] = String(item.value);
  const user = (root.UserDescriptiveMetadata as Node | undefined)?.Meta as Node[] | undefined;
  for (const m of user ?? []) if (m.name !== undefined && m.content !== undefined) out[`User.${String(m.name)}`] = String(m.content);
  return out;
}
