/**
 * Sony NonRealTimeMeta (the clip's M01.XML): device, duration, LTC change table, creation
 * date, video and audio format, and the acquisition record's camera and lens items, flattened
 * to "Element.attribute" / "Item name" keys for the vendor table. Pure, on the file's text.
 */
import { XMLParser } from 'fast-xml-parser';
import { HeaderError } from './dpx.ts';
import { sonyLtcToTimecode } from '../timecode.ts';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', removeNSPrefix: true, isArray: (name) => ['LtcChange', 'Group', 'Item', 'AudioRecPort'].includes(name) });

type Node = Record<string, unknown>;

export function parseSonyXml(text: string): Record<string, string> {
  // The file comes from a card: no DTD, so no entity a hostile file could expand.
  if (/<!DOCTYPE/i.test(text)) throw new HeaderError('a DOCTYPE is not allowed in a camera sidecar');
  let doc: Node;
  try {
    doc = parser.parse(text, true) as Node;
  } catch (e) {
    throw new HeaderError(`not well-formed XML: ${(e as Error).message.split('\n')[0]}`);
  }
  const root = doc.NonRealTimeMeta as Node | undefined;
  if (!root || typeof root !== 'object') throw new HeaderError('not a Sony NonRealTimeMeta file (no NonRealTimeMeta element)');
  const out: Record<string, string> = {};
  const attrs = (path: string, node: unknown) => {
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node as Node)) if (typeof v === 'string' || typeof v === 'number') out[`${path}.${k}`] = String(v);
  };
  attrs('Duration', root.Duration);
  attrs('CreationDate', root.CreationDate);
  attrs('Device', root.Device);
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
  return out;
}
