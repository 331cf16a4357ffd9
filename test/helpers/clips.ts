/**
 * Clips with camera metadata, made by the tests: real ffmpeg QuickTime and MXF files whose
 * container tags carry a vendor's keys (`-movflags use_metadata_tags`), DPX frames from
 * ffmpeg, OpenEXR headers written field by field, and sidecars modelled on the cameras'
 * layouts. Nothing here is copied from a camera.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const LAVFI = ['-v', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=24000/1001', '-f', 'lavfi', '-i', 'sine=frequency=1000:sample_rate=48000'];

/** ARRI's com.arri.* keys as an ALEXA writes them into a ProRes QuickTime (rates ×1000, lens values in 1/1000 units). */
export const ARRI_TAGS: Record<string, string> = {
  'com.arri.camera.CameraModel': 'ALEXA 35',
  'com.arri.camera.CameraSerialNumber': '60123',
  'com.arri.camera.CameraIndex': 'A',
  'com.arri.camera.ReelName': 'A002R1AB',
  'com.arri.slate.Scene': '12',
  'com.arri.slate.Take': '3',
  'com.arri.camera.SensorFps': '47952',
  'com.arri.camera.ProjectFps': '23976',
  'com.arri.camera.ExposureIndexAsa': '800',
  'com.arri.camera.ShutterAngle': '172800',
  'com.arri.camera.WhiteBalanceKelvin': '5600',
  'com.arri.camera.WhiteBalanceCc': '-2',
  'com.arri.camera.NdFilterDensity': '900',
  'com.arri.camera.SensorMode': '4.6K 3:2 Open Gate',
  'com.arri.camera.LensSqueezeFactor': '2000',
  'com.arri.camera.ColorGamma': 'LogC4',
  'com.arri.camera.ColorGamut': 'AWG4',
  'com.arri.camera.LookName': 'ARRI 709 Night',
  'com.arri.lens.LensModel': 'Signature Prime 47mm',
  'com.arri.lens.LensSerialNumber': 'SP47-0042',
  'com.arri.lens.LensFocalLength': '47000',
  'com.arri.lens.LensLinearIris': '4000',
  'com.arri.lens.LensFocusDistance': '2500',
};

export function writeArriMov(path: string, o: { seconds?: number; timecode?: string; tags?: Record<string, string> } = {}): void {
  mkdirSync(dirname(path), { recursive: true });
  const meta = Object.entries(o.tags ?? ARRI_TAGS).flatMap(([k, v]) => ['-metadata', `${k}=${v}`]);
  execFileSync('ffmpeg', [...LAVFI, '-t', String(o.seconds ?? 1), '-c:v', 'prores_ks', '-profile:v', '4', '-pix_fmt', 'yuv444p10le', '-c:a', 'pcm_s24le', '-timecode', o.timecode ?? '14:03:07:00', '-movflags', 'use_metadata_tags', ...meta, path]);
}

export function writeMxf(path: string, o: { timecode?: string; seconds?: number } = {}): void {
  mkdirSync(dirname(path), { recursive: true });
  execFileSync('ffmpeg', [...LAVFI, '-t', String(o.seconds ?? 0.5), '-c:v', 'mpeg2video', '-c:a', 'pcm_s24le', '-timecode', o.timecode ?? '10:00:00:00', '-f', 'mxf', path]);
}

/** DPX frames from ffmpeg, numbered from `start`; `skip` frames are left out (a gap). */
export function writeDpxSequence(dir: string, name: string, o: { start?: number; frames?: number; skip?: number[] } = {}): void {
  mkdirSync(dir, { recursive: true });
  const start = o.start ?? 86400;
  execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=256x144:rate=24', '-frames:v', String(o.frames ?? 5), '-pix_fmt', 'rgb48be', '-start_number', String(start), '-f', 'image2', join(dir.replace(/%/g, '%%'), `${name}.%07d.dpx`)]);
  for (const n of o.skip ?? []) execFileSync('rm', [join(dir, `${name}.${String(n).padStart(7, '0')}.dpx`)]);
}

/** An OpenEXR file: a real header (channels, windows, compression, fps, timecode, owner) and a token body. */
export function exrBytes(o: { width?: number; height?: number; timecode?: [number, number, number, number]; fps?: [number, number]; comments?: string } = {}): Buffer {
  const w = o.width ?? 2048;
  const h = o.height ?? 858;
  const attr = (name: string, type: string, value: Buffer) => {
    const size = Buffer.alloc(4);
    size.writeInt32LE(value.length);
    return Buffer.concat([Buffer.from(`${name}\0${type}\0`, 'latin1'), size, value]);
  };
  const ints = (...v: number[]) => {
    const b = Buffer.alloc(v.length * 4);
    v.forEach((x, i) => b.writeInt32LE(x, i * 4));
    return b;
  };
  const channel = (name: string) => Buffer.concat([Buffer.from(`${name}\0`, 'latin1'), ints(1, 0, 1, 1)]); // half, pLinear 0 + reserved, sampling 1,1
  const bcd = (n: number) => (Math.floor(n / 10) << 4) | n % 10;
  const [hh, mm, ss, ff] = o.timecode ?? [1, 0, 0, 0];
  const tc = Buffer.alloc(8);
  tc.writeUInt32LE(((bcd(hh) << 24) | (bcd(mm) << 16) | (bcd(ss) << 8) | bcd(ff)) >>> 0, 0);
  const fps = Buffer.alloc(8);
  fps.writeInt32LE((o.fps ?? [24, 1])[0], 0);
  fps.writeUInt32LE((o.fps ?? [24, 1])[1], 4);
  const header = Buffer.concat([
    ints(20000630, 2),
    attr('channels', 'chlist', Buffer.concat([channel('B'), channel('G'), channel('R'), Buffer.from([0])])),
    attr('compression', 'compression', Buffer.from([4])),
    attr('dataWindow', 'box2i', ints(0, 0, w - 1, h - 1)),
    attr('displayWindow', 'box2i', ints(0, 0, w - 1, h - 1)),
    attr('lineOrder', 'lineOrder', Buffer.from([0])),
    attr('pixelAspectRatio', 'float', Buffer.from(new Float32Array([1]).buffer)),
    attr('framesPerSecond', 'rational', fps),
    attr('timeCode', 'timecode', tc),
    attr('owner', 'string', Buffer.from('Rushes test comp')),
    ...(o.comments ? [attr('comments', 'string', Buffer.from(o.comments))] : []),
    Buffer.from([0]),
  ]);
  return Buffer.concat([header, Buffer.alloc(1024)]);
}

export function writeExrSequence(dir: string, name: string, frames: number[]): void {
  mkdirSync(dir, { recursive: true });
  for (const f of frames) writeFileSync(join(dir, `${name}_${String(f).padStart(7, '0')}.exr`), exrBytes({ timecode: [1, 0, 0, 0] }));
}
