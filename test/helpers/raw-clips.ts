/**
 * Canon Cinema RAW Light and Blackmagic RAW clips as ExifTool sees the real ones, written
 * by the tests. A CRM is an ISO-BMFF movie of brand `crx ` whose moov holds Canon's
 * metadata uuid box (85c0b687-820f-11e0-8111-f4ce462b6a48): CNCV, the compressor version
 * ("CanonCRM0001/…", by which ExifTool tells a CRM from a CR3), and CMT1/CMT2, TIFF IFDs
 * with the body (Make, Model) and the exposure and lens (ISO, shutter, aperture, focal
 * length, LensModel); beside it Canon's clip XML (a VideoClip document). A BRAW is a
 * QuickTime movie whose clip metadata is mdta keys named as the Blackmagic RAW SDK names
 * them (camera_type, reel_name, …); beside it a JSON .sidecar. The picture is ffmpeg's
 * test pattern: the structure is the cameras', the bytes are ours.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const PICTURE = ['-v', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=24000/1001', '-t', '0.5', '-c:v', 'prores_ks'];
const CANON_METADATA_UUID = Buffer.from('85c0b687820f11e08111f4ce462b6a48', 'hex');

const box = (type: string, ...payload: Buffer[]) => {
  const body = Buffer.concat(payload);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.length);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, body]);
};

type TiffValue = string | number | [number, number];

/** A little-endian TIFF holding one IFD: ASCII for text, LONG for numbers, RATIONAL for [num, denom]. */
export function tiffIfd(entries: [tag: number, value: TiffValue][]): Buffer {
  const sorted = [...entries].sort((a, b) => a[0] - b[0]);
  const dirSize = 2 + sorted.length * 12 + 4;
  const dir = Buffer.alloc(dirSize);
  const extra: Buffer[] = [];
  let extraAt = 8 + dirSize;
  dir.writeUInt16LE(sorted.length, 0);
  sorted.forEach(([tag, value], i) => {
    const at = 2 + i * 12;
    dir.writeUInt16LE(tag, at);
    if (typeof value === 'number') {
      dir.writeUInt16LE(4, at + 2);
      dir.writeUInt32LE(1, at + 4);
      dir.writeUInt32LE(value, at + 8);
      return;
    }
    const data = typeof value === 'string' ? Buffer.from(`${value}\0`, 'latin1') : Buffer.from(new Uint32Array(value).buffer);
    dir.writeUInt16LE(typeof value === 'string' ? 2 : 5, at + 2);
    dir.writeUInt32LE(typeof value === 'string' ? data.length : 1, at + 4);
    if (data.length <= 4) data.copy(dir, at + 8);
    else {
      dir.writeUInt32LE(extraAt, at + 8);
      const padded = Buffer.concat([data, Buffer.alloc(data.length % 2)]);
      extra.push(padded);
      extraAt += padded.length;
    }
  });
  return Buffer.concat([Buffer.from('II*\0'), Buffer.from([8, 0, 0, 0]), dir, ...extra]);
}

/** Appends a child box to the movie's moov, which ffmpeg writes last in the file. */
function addToMoov(file: string, child: Buffer): void {
  const b = readFileSync(file);
  let at = 0;
  while (at < b.length && b.toString('latin1', at + 4, at + 8) !== 'moov') at += b.readUInt32BE(at);
  const size = b.readUInt32BE(at);
  if (at + size !== b.length) throw new Error(`${file}: moov is not the last box`);
  const moov = Buffer.from(b.subarray(at));
  moov.writeUInt32BE(size + child.length);
  writeFileSync(file, Buffer.concat([b.subarray(0, at), moov, child]));
}

export interface CanonClipOptions {
  model?: string;
  serial?: string;
  lens?: string;
  iso?: number;
  /** Seconds, as [num, denom]. */
  exposure?: [number, number];
  fNumber?: [number, number];
  focalLength?: [number, number];
}

/** A Canon Cinema RAW Light clip: its CNCV and CMT boxes as a C70 writes them, over a test picture. */
export function writeCanonCrm(path: string, o: CanonClipOptions = {}): void {
  mkdirSync(dirname(path), { recursive: true });
  execFileSync('ffmpeg', [...PICTURE, '-timecode', '11:01:13:04', '-brand', 'crx ', '-f', 'mov', path]);
  const cmt1 = tiffIfd([
    [0x010f, 'Canon'],
    [0x0110, o.model ?? 'Canon EOS C70'],
    [0x0132, '2026:11:20 14:03:07'],
  ]);
  const cmt2 = tiffIfd([
    [0x829a, o.exposure ?? [1, 48]],
    [0x829d, o.fNumber ?? [28, 10]],
    [0x8827, o.iso ?? 800],
    [0x9003, '2026:11:20 14:03:07'],
    [0x920a, o.focalLength ?? [35, 1]],
    [0xa431, o.serial ?? '023031000412'],
    [0xa434, o.lens ?? 'RF24-70mm F2.8 L IS USM'],
  ]);
  const cncv = Buffer.from('CanonCRM0001/02.09.00/00.00.00', 'latin1');
  addToMoov(path, box('uuid', CANON_METADATA_UUID, box('CNCV', cncv), box('CMT1', cmt1), box('CMT2', cmt2)));
}

/** Canon's clip XML: a VideoClip document (Title, Creator, Description, Device, Location). */
export function canonClipXml(o: { title?: string; model?: string; serial?: string; firmware?: string } = {}): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<VideoClip xmlns="http://www.canon.com/ns/VideoClip">
  <Title>${o.title ?? 'Night exterior'}</Title>
  <Creator>B camera</Creator>
  <Description></Description>
  <Device>
    <Manufacturer>CANON</Manufacturer>
    <ModelName>${o.model ?? 'Canon EOS C70'}</ModelName>
    <SerialNo>${o.serial ?? '023031000412'}</SerialNo>
    <FirmVersion>${o.firmware ?? '1.0.5.1'}</FirmVersion>
  </Device>
  <Location>
    <Altitude>35</Altitude>
    <Latitude>N51.5072</Latitude>
    <Longitude>W0.1276</Longitude>
    <PlaceName></PlaceName>
    <Source>GPS</Source>
  </Location>
</VideoClip>
`;
}

/** Blackmagic RAW clip metadata under the SDK's names, as an URSA Mini Pro 12K writes them. */
export const BRAW_CLIP_METADATA: Record<string, string> = {
  manufacturer: 'Blackmagic Design',
  camera_id: '5c1e1f6a-93d2-4a77-9b43-2f0a8e6c1d45',
  camera_type: 'Blackmagic URSA Mini Pro 12K',
  firmware_version: '7.9.1',
  braw_compression_ratio: '8:1',
  braw_codec_bitrate: '805306368',
  clip_number: 'A007_11201403_C012',
  reel_name: '7',
  scene: '21A',
  take: '4',
  good_take: 'true',
  lens_type: 'Zeiss Supreme Prime 35mm T1.5',
  camera_number: 'A',
  anamorphic: '2x',
  anamorphic_enable: '1',
  viewing_gamma: 'Blackmagic Design Film',
  viewing_gamut: 'Blackmagic Design',
  viewing_bmdgen: '5',
  post_3dlut_mode: 'Disabled',
  date_recorded: '2026:11:20',
};

/** A BRAW: its clip metadata as QuickTime mdta keys (`-movflags use_metadata_tags`), over a test picture. */
export function writeBraw(path: string, metadata: Record<string, string> = BRAW_CLIP_METADATA): void {
  mkdirSync(dirname(path), { recursive: true });
  const tags = Object.entries(metadata).flatMap(([k, v]) => ['-metadata', `${k}=${v}`]);
  execFileSync('ffmpeg', [...PICTURE, '-movflags', 'use_metadata_tags', ...tags, '-f', 'mov', path]);
}

/** A .sidecar: the grade a colourist or the camera set (processing values) and slate corrections, under the SDK's names. */
export function brawSidecar(o: Record<string, string | number> = {}): string {
  return JSON.stringify({ iso: 1600, white_balance_kelvin: 4300, white_balance_tint: 6, exposure: 0, gamma: 'Blackmagic Design Film', gamut: 'Blackmagic Wide Gamut Gen 5', scene: '21B', ...o }, null, 2);
}
