/**
 * OpenEXR header attributes (name, type, size, value until an empty name): data and display
 * windows, pixel aspect, compression, channels, and the standard optional attributes
 * cameras and comp packages set (framesPerSecond, timeCode, owner, capDate, …). Pure.
 */
import { timecodeText } from '../timecode.ts';
import { HeaderError } from './dpx.ts';

export const EXR_HEADER_BYTES = 64 * 1024;
const MAGIC = 20000630;
const COMPRESSION = ['none', 'rle', 'zips', 'zip', 'piz', 'pxr24', 'b44', 'b44a', 'dwaa', 'dwab'];

export type ExrAttributes = Record<string, unknown>;

export function parseExrHeader(b: Buffer): ExrAttributes {
  if (b.length < 8 || b.readInt32LE(0) !== MAGIC) throw new HeaderError('not an OpenEXR file (bad magic number)');
  const attrs: ExrAttributes = { version: b.readUInt8(4) };
  let o = 8;
  const cstr = () => {
    const end = b.indexOf(0, o);
    if (end < 0 || end - o > 255) throw new HeaderError('OpenEXR header is truncated or corrupt (unterminated attribute name)');
    const s = b.toString('latin1', o, end);
    o = end + 1;
    return s;
  };
  for (;;) {
    const name = cstr();
    if (name === '') break;
    const type = cstr();
    if (o + 4 > b.length) throw new HeaderError(`OpenEXR header is truncated in attribute ${name}`);
    const size = b.readInt32LE(o);
    o += 4;
    if (size < 0 || o + size > b.length) throw new HeaderError(`OpenEXR header is truncated in attribute ${name}`);
    try {
      attrs[name] = attributeValue(b.subarray(o, o + size), type);
    } catch (e) {
      if (e instanceof HeaderError) throw e;
      throw new HeaderError(`OpenEXR attribute ${name} (${type}) is corrupt: ${(e as Error).message}`);
    }
    o += size;
  }
  return attrs;
}

function attributeValue(v: Buffer, type: string): unknown {
  switch (type) {
    case 'box2i':
      return { xMin: v.readInt32LE(0), yMin: v.readInt32LE(4), xMax: v.readInt32LE(8), yMax: v.readInt32LE(12) };
    case 'float':
      return v.readFloatLE(0);
    case 'double':
      return v.readDoubleLE(0);
    case 'int':
      return v.readInt32LE(0);
    case 'string':
      return v.toString('utf8');
    case 'rational':
      return { num: v.readInt32LE(0), denom: v.readUInt32LE(4) };
    case 'compression':
      return COMPRESSION[v.readUInt8(0)] ?? v.readUInt8(0);
    case 'timecode':
      return { timeAndFlags: v.readUInt32LE(0), userData: v.readUInt32LE(4) };
    case 'chlist': {
      const channels: { name: string; type: string }[] = [];
      let o = 0;
      while (o < v.length && v[o] !== 0) {
        const end = v.indexOf(0, o);
        // Each channel is a name, its 0, and 16 bytes: anything shorter is corrupt (and must not loop).
        if (end < 0 || end + 17 > v.length) throw new HeaderError('OpenEXR channel list is corrupt');
        const name = v.toString('latin1', o, end);
        const pixelType = v.readInt32LE(end + 1);
        channels.push({ name, type: ['uint', 'half', 'float'][pixelType] ?? String(pixelType) });
        o = end + 1 + 16;
      }
      return channels;
    }
    default:
      return { type, bytes: v.length };
  }
}

/** EXR timecode (SMPTE 12M packing in the low 30 bits): "HH:MM:SS:FF" and drop-frame flag. */
export function exrTimecode(timeAndFlags: number): { text: string; dropFrame: boolean } {
  const f = (timeAndFlags & 0x0f) + ((timeAndFlags >> 4) & 0x03) * 10;
  const dropFrame = ((timeAndFlags >> 6) & 1) === 1;
  const s = ((timeAndFlags >> 8) & 0x0f) + ((timeAndFlags >> 12) & 0x07) * 10;
  const m = ((timeAndFlags >> 16) & 0x0f) + ((timeAndFlags >> 20) & 0x07) * 10;
  const h = ((timeAndFlags >> 24) & 0x0f) + ((timeAndFlags >> 28) & 0x03) * 10;
  return { text: timecodeText(h, m, s, f, dropFrame), dropFrame };
}
