/**
 * DPX (SMPTE 268M) file header: image size and element layout, transfer and colorimetric
 * codes, the film header's frame rate and shutter angle, and the TV header's timecode.
 * Pure: reads the first 2048 bytes the caller passes. Either byte order (SDPX / XPDS).
 */
export interface DpxHeader {
  bigEndian: boolean;
  version: string;
  width: number;
  height: number;
  bitDepth: number;
  /** Element descriptor (50 RGB, 51 RGBA, 100 CbYCrY 4:2:2, …). */
  descriptor: number;
  transfer: string;
  colorimetric: string;
  creator?: string;
  project?: string;
  createdAt?: string;
  inputDevice?: string;
  inputSerial?: string;
  frameRate?: number;
  shutterAngle?: number;
  timecode?: string;
  pixelAspect?: [number, number];
}

export const DPX_HEADER_BYTES = 2048;

const TRANSFER = ['user-defined', 'printing density', 'linear', 'logarithmic', 'unspecified video', 'SMPTE 274M', 'Rec.709', 'Rec.601 625', 'Rec.601 525', 'NTSC', 'PAL', 'Z linear', 'Z homogeneous'];

export class HeaderError extends Error {}

export function parseDpxHeader(b: Buffer): DpxHeader {
  if (b.length < 8) throw new HeaderError('file is shorter than a DPX magic number');
  const magic = b.toString('latin1', 0, 4);
  if (magic !== 'SDPX' && magic !== 'XPDS') throw new HeaderError(`not a DPX file (magic ${JSON.stringify(magic)})`);
  if (b.length < 1664) throw new HeaderError(`DPX header is truncated (${b.length} of ${DPX_HEADER_BYTES} bytes)`);
  const be = magic === 'SDPX';
  const u8 = (o: number) => b.readUInt8(o);
  const u16 = (o: number) => (be ? b.readUInt16BE(o) : b.readUInt16LE(o));
  const u32 = (o: number) => (be ? b.readUInt32BE(o) : b.readUInt32LE(o));
  const r32 = (o: number) => (o + 4 <= b.length ? (be ? b.readFloatBE(o) : b.readFloatLE(o)) : NaN);
  const str = (o: number, n: number) => (o + n <= b.length ? b.toString('latin1', o, o + n).replace(/\0.*$/s, '').trim() || undefined : undefined);
  const undef = (v: number) => (v === 0xffffffff || !Number.isFinite(v) || v <= 0 ? undefined : v);
  const h: DpxHeader = {
    bigEndian: be,
    version: str(8, 8) ?? '',
    width: u32(772),
    height: u32(776),
    descriptor: u8(800),
    transfer: TRANSFER[u8(801)] ?? `code ${u8(801)}`,
    colorimetric: TRANSFER[u8(802)] ?? `code ${u8(802)}`,
    bitDepth: u8(803),
    creator: str(160, 100),
    project: str(260, 200),
    createdAt: str(136, 24),
    inputDevice: str(1556, 32),
    inputSerial: str(1588, 32),
  };
  const ar = [u32(1628), u32(1632)] as const;
  if (undef(ar[0]) && undef(ar[1])) h.pixelAspect = [ar[0], ar[1]];
  if (b.length >= DPX_HEADER_BYTES) {
    // Writers leave unset floats as all-ones or as junk: only plausible values count.
    const within = (v: number, lo: number, hi: number) => (Number.isFinite(v) && v >= lo && v <= hi ? v : undefined);
    h.frameRate = within(r32(1724), 1, 1000) ?? within(r32(1940), 1, 1000);
    h.shutterAngle = within(r32(1728), 1, 360);
    const tc = u32(1920);
    if (tc !== 0xffffffff && tc !== 0) h.timecode = bcdTimecode(tc);
  }
  return h;
}

/** A 32-bit BCD timecode (hh mm ss ff, high byte first) as "HH:MM:SS:FF". */
function bcdTimecode(v: number): string | undefined {
  const digits = v.toString(16).padStart(8, '0');
  if (!/^\d{8}$/.test(digits)) return undefined;
  return digits.replace(/(\d\d)(\d\d)(\d\d)(\d\d)/, '$1:$2:$3:$4');
}
