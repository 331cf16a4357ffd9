/**
 * The pure half of inspection: timecode arithmetic, unit conversions, grouping files into
 * clips, header and sidecar parsers, the vendor tables and the search language. Vendor
 * inputs are shaped like each tool's real output; real files are in inspect.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { groupClips } from '../core/inspect/clips.ts';
import * as c from '../core/inspect/convert.ts';
import { normalise } from '../core/inspect/normalise.ts';
import { parseDpxHeader } from '../core/inspect/probes/dpx.ts';
import { exrTimecode, parseExrHeader } from '../core/inspect/probes/exr.ts';
import { parseSonyXml } from '../core/inspect/probes/sony-xml.ts';
import { parseClipQuery } from '../core/inspect/query.ts';
import { clipTimecode, formatTimecode, parseRate, parseTimecode, sonyLtcToTimecode } from '../core/inspect/timecode.ts';
import { bundle, valid } from './helpers/bundles.ts';
import { exrBytes } from './helpers/clips.ts';
import { sonyNrtXml } from './helpers/sony.ts';


describe('timecode', () => {
  it('round-trips non-drop and drop-frame timecode', () => {
    expect(parseTimecode('01:00:00:00', 24)?.frames).toBe(86_400);
    expect(formatTimecode(86_400 + 23, 24)).toBe('01:00:00:23');
    // 29.97 drop-frame: 00:01:00;02 is the first frame of minute 1 (frames 00 and 01 skipped).
    expect(parseTimecode('00:01:00;02', 30)).toEqual({ frames: 1800, dropFrame: true });
    expect(formatTimecode(1800, 30, true)).toBe('00:01:00;02');
    expect(formatTimecode(17_982, 30, true)).toBe('00:10:00;00');
    for (const f of [0, 1799, 1800, 17_981, 17_982, 107_892]) expect(parseTimecode(formatTimecode(f, 30, true), 30)?.frames).toBe(f);
    expect(parseTimecode('25:61:00:00', 24)).toBeUndefined();
  });

  it('gives a clip its last frame and wraps at midnight', () => {
    expect(clipTimecode('14:03:07:00', { num: 24000, denom: 1001 }, 24)).toEqual({ start: '14:03:07:00', end: '14:03:07:23', rate: 24, dropFrame: false });
    expect(clipTimecode('23:59:59:23', 24, 2)?.end).toBe('00:00:00:00');
  });

  it('decodes Sony LTC digit pairs (frames, seconds, minutes, hours) and the drop-frame flag', () => {
    expect(sonyLtcToTimecode('04030201')).toEqual({ text: '01:02:03:04', dropFrame: false });
    expect(sonyLtcToTimecode('12252110')).toEqual({ text: '10:21:25:12', dropFrame: false });
    expect(sonyLtcToTimecode('42000000')).toEqual({ text: '00:00:00;02', dropFrame: true });
    expect(sonyLtcToTimecode('zz')).toBeUndefined();
  });

  it('reads frame rates exactly', () => {
    expect(parseRate('24000/1001')).toEqual({ num: 24000, denom: 1001 });
    expect(parseRate('23.98p')).toEqual({ num: 24000, denom: 1001 });
    expect(parseRate('47.95')).toEqual({ num: 48000, denom: 1001 });
    expect(parseRate('25')).toEqual({ num: 25, denom: 1 });
    expect(parseRate('0/0')).toBeUndefined();
  });
});

describe('unit conversions', () => {
  it('converts the encodings cameras use', () => {
    expect(c.rateMilli('23976')).toEqual({ num: 24000, denom: 1001 });
    expect(c.ratioTimes(100)('200')).toEqual({ num: 2, denom: 1 });
    expect(c.ratioTimes(100)('133')).toEqual({ num: 133, denom: 100 });
    expect(c.degrees('172.8deg')).toBe(172.8);
    expect(c.degrees('400')).toBeUndefined();
    expect(c.seconds('1/48')).toBeCloseTo(0.020833, 5);
    expect(c.densityToStops(1000)('900')).toBe(3);
    expect(c.ndFractionToStops('1/8')).toBe(3);
    expect(c.ndFractionToStops('CLEAR')).toBe(0);
    expect(c.apexMilliToStop('4000')).toBe(4);
    expect(c.apexMilliToStop('5000')).toBe(5.7);
    // RDD 18: X = 65536 × (1 − log2(N) / 8); f/4 is 49152.
    expect(c.rdd18Iris('49152')).toBe(4);
    expect(c.rdd18Iris('32768')).toBe(16);
    expect(c.metres(1000)('2500')).toBe(2.5);
    expect(c.metres()('3.2m')).toBe(3.2);
    expect(c.tint('2G')).toBe(-2);
    expect(c.dateTime('2026:11:20 14:03:07')).toBe('2026-11-20T14:03:07');
    expect(c.dateTime('UTC 2026-11-20 14:03:07')).toBe('2026-11-20T14:03:07Z');
  });

  it('names gammas and gamuts one way', () => {
    expect([c.gamma('LOG-C'), c.gamma('LogC4'), c.gamma('s-log3-cine'), c.gamma('Log3G10'), c.gamma('CLog2'), c.gamma('BT.709')]).toEqual(['LogC3', 'LogC4', 'S-Log3', 'Log3G10', 'Canon Log 2', 'Rec.709']);
    expect([c.gamut('AWG4'), c.gamut('REDWideGamutRGB'), c.sonyGamut('s-log3-cine')]).toEqual(['ARRI Wide Gamut 4', 'REDWideGamutRGB', 'S-Gamut3.Cine']);
    expect(c.gamma('Vendor Curve 7')).toBe('Vendor Curve 7');
  });
});

describe('grouping files into clips', () => {
  it('collapses a 10,000-frame sequence with gaps into one clip and reports the gaps', () => {
    const entries = [];
    for (let n = 86_400; n < 96_400; n++) if (n !== 90_000 && n !== 90_001) entries.push({ path: `plate/A001_plate.${String(n).padStart(7, '0')}.dpx`, size: 10 });
    const [unit, ...rest] = groupClips(entries.reverse());
    expect(rest).toHaveLength(0);
    expect(unit).toMatchObject({ kind: 'sequence', name: 'A001_plate', relativePath: 'plate/A001_plate.#######.dpx', size: 99_980 });
    expect(unit!.sequence).toEqual({ pattern: 'A001_plate.#######.dpx', firstFrame: 86_400, lastFrame: 96_399, frameCount: 9_998, missingFrames: [90_000, 90_001], missingCount: 2 });
    expect(unit!.files[0]).toBe('plate/A001_plate.0086400.dpx');
  });

  it('keeps RED spans together, attaches sidecars, and leaves reports out', () => {
    const units = groupClips([
      { path: 'A001_1120AB.RDM/A001_C001_1120AB.RDC/A001_C001_1120AB_002.R3D', size: 5 },
      { path: 'A001_1120AB.RDM/A001_C001_1120AB.RDC/A001_C001_1120AB_001.R3D', size: 5 },
      { path: 'A001_1120AB.RDM/A001_C001_1120AB.RDC/A001_C001_1120AB.RMD', size: 1 },
      { path: 'XDROOT/Clip/A001C001_261120AB.MXF', size: 7 },
      { path: 'XDROOT/Clip/A001C001_261120ABM01.XML', size: 1 },
      { path: 'XDROOT/MEDIAPRO.XML', size: 1 },
      { path: 'notes.txt', size: 1 },
      { path: 'a/shot_v001.0001.exr', size: 3 },
      { path: 'a/shot_v001.0002.exr', size: 3 },
      { path: 'a/shot_v002.0001.exr', size: 3 },
    ]);
    expect(units.map((u) => [u.kind, u.relativePath, u.files.length, u.sidecars])).toEqual([
      ['spanned', 'A001_1120AB.RDM/A001_C001_1120AB.RDC', 2, ['A001_1120AB.RDM/A001_C001_1120AB.RDC/A001_C001_1120AB.RMD']],
      ['file', 'XDROOT/Clip/A001C001_261120AB.MXF', 1, ['XDROOT/Clip/A001C001_261120ABM01.XML']],
      ['sequence', 'a/shot_v001.####.exr', 2, []],
      ['sequence', 'a/shot_v002.####.exr', 1, []],
    ]);
    expect(units[0]!.files[0]).toMatch(/_001\.R3D$/);
  });
});

describe('headers and sidecars', () => {
  it('reads a Sony M01.XML: recorder and body, their boards, lens, acquisition items, user metadata', () => {
    const s = parseSonyXml(sonyNrtXml('venice2'));
    expect(s).toMatchObject({
      'Device.modelName': 'AXS-R7',
      'Device.software': '7.01',
      'Camera.modelName': 'MPC-3626',
      'Camera.serialNo': '0013452',
      'Camera.software': '3.00',
      'Lens.modelName': 'S7i-40',
      'Ltc.start': '10:21:25:12',
      'LtcChangeTable.tcFps': '24',
      'Duration.value': '240',
      ISOSensitivity: '3200',
      ShutterSpeedAngle: '17280',
      'User.CameraIndex': 'B',
      'User.Reel': '002',
      'User.Scene': '12',
      'User.Take': '3',
    });
    expect(Object.keys(parseSonyXml(sonyNrtXml('fx6')))).not.toContain('Camera.modelName');
    expect(() => parseSonyXml('<NonRealTimeMeta><Duration')).toThrow(/not well-formed|NonRealTimeMeta/);
    expect(() => parseSonyXml('<!DOCTYPE x [<!ENTITY a "aaaa">]><NonRealTimeMeta><Duration value="&a;"/></NonRealTimeMeta>')).toThrow(/DOCTYPE is not allowed/);
    expect(() => parseSonyXml('<Other/>')).toThrow(/not a Sony NonRealTimeMeta/);
  });

  it('reads an OpenEXR header and its timecode', () => {
    const a = parseExrHeader(exrBytes({ width: 4096, height: 1716, timecode: [1, 2, 3, 4], fps: [24000, 1001] }));
    expect(a.dataWindow).toEqual({ xMin: 0, yMin: 0, xMax: 4095, yMax: 1715 });
    expect(a.compression).toBe('piz');
    expect(a.framesPerSecond).toEqual({ num: 24000, denom: 1001 });
    expect(exrTimecode((a.timeCode as { timeAndFlags: number }).timeAndFlags).text).toBe('01:02:03:04');
    expect(() => parseExrHeader(exrBytes().subarray(0, 60))).toThrow(/truncated/);
    expect(() => parseExrHeader(Buffer.from('not an exr'))).toThrow(/not an OpenEXR/);
  });

  it('refuses what is not a DPX header, naming why', () => {
    expect(() => parseDpxHeader(Buffer.from('SDPX'))).toThrow(/shorter/);
    expect(() => parseDpxHeader(Buffer.alloc(2048))).toThrow(/not a DPX/);
    expect(() => parseDpxHeader(Buffer.concat([Buffer.from('SDPX'), Buffer.alloc(500)]))).toThrow(/truncated/);
  });
});

describe('vendor tables', () => {
  it('ARRI: QuickTime keys with ×1000 rates and lens units', () => {
    const rec = valid(
      normalise(
        bundle({
          ffprobe: {
            format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '1.001', tags: { 'com.arri.camera.CameraModel': 'ALEXA 35', 'com.arri.camera.SensorFps': '47952', 'com.arri.camera.ProjectFps': '23976', 'com.arri.camera.ExposureIndexAsa': '800', 'com.arri.camera.ShutterAngle': '172800', 'com.arri.lens.LensLinearIris': '4000', 'com.arri.lens.LensFocusDistance': '2500', 'com.arri.camera.ColorGamma': 'LOG-C', 'com.arri.camera.LensSqueezeFactor': '1300', timecode: '14:03:07:00' } },
            streams: [{ index: 0, codec_type: 'video', codec_name: 'prores', profile: '4444', width: 4608, height: 3164, pix_fmt: 'yuv444p12le', avg_frame_rate: '24000/1001', nb_frames: '24', sample_aspect_ratio: '1:1' }],
          },
        }),
      ),
    );
    // Camera A, roll A001: what the clip name A001C001 says.
    expect(rec.camera).toEqual({ make: 'ARRI', model: 'ALEXA 35', label: 'A', captureFrameRate: { num: 48000, denom: 1001 }, isoSpeed: 800, shutterAngle: 172.8, anamorphicSqueeze: { num: 13, denom: 10 } });
    expect(rec.lens).toEqual({ tStop: 4, focusDistance: 2.5 });
    expect(rec.colour.gamma).toBe('LogC3');
    expect(rec.projectFrameRate).toEqual({ num: 24000, denom: 1001 });
    expect(rec.timecode).toEqual({ start: '14:03:07:00', end: '14:03:07:23', rate: 24, dropFrame: false });
    expect(rec.video).toMatchObject({ codec: 'prores', bitDepth: 12, chroma: '4:4:4' });
  });

  it('RED: R3D header tags as ExifTool names them', () => {
    const rec = valid(
      normalise(
        bundle({
          unit: { kind: 'spanned', name: 'A001_C003_1120AB', relativePath: 'A001_1120AB.RDM/A001_C003_1120AB.RDC', files: ['A001_1120AB.RDM/A001_C003_1120AB.RDC/A001_C003_1120AB_001.R3D'], size: 9, sidecars: [] },
          tools: ['exiftool'],
          exif: { CameraType: 'V-RAPTOR 8K VV', CameraSerialNumber: '130-0A1-7B2', ReelNumber: '001', Take: '4', StartTimecode: '15:04:05:06', OriginalFrameRate: 23.976, FrameRate: 23.976, ISO: 1280, ColorTemperature: 5600, FNumber: 2.8, FocalLength: 35, LensModel: 'Zeiss Supreme Prime 35', ImageWidth: 8192, ImageHeight: 4320, DateTimeOriginal: '2026:11:20 15:04:05', MIMEType: 'video/x-red-r3d' },
        }),
      ),
    );
    expect(rec.camera).toMatchObject({ make: 'RED', model: 'V-RAPTOR 8K VV', serialNumber: '130-0A1-7B2', isoSpeed: 1280, whiteBalance: 5600, captureFrameRate: { num: 24000, denom: 1001 } });
    expect(rec.lens).toEqual({ model: 'Zeiss Supreme Prime 35', fStop: 2.8, focalLength: 35 });
    expect(rec).toMatchObject({ kind: 'video', container: 'R3D', reel: '001', take: '4', recordedAt: '2026-11-20T15:04:05', video: { width: 8192, height: 4320 } });
    expect(rec.source.path).toBe('/raid/A001/A001_1120AB.RDM/A001_C003_1120AB.RDC');
    expect(rec.timecode?.start).toBe('15:04:05:06');
  });

  it('an unreadable file still gets a record that says why', () => {
    const rec = valid(normalise(bundle({ tools: [], issues: [{ code: 'UNREADABLE', message: 'ffprobe failed on /raid/A001/A001C001.mov: moov atom not found', tool: 'ffprobe' }] })));
    expect(rec).toMatchObject({ kind: 'unknown', clipName: 'A001C001', camera: {}, inspection: { status: 'failed' } });
  });
});

describe('search language', () => {
  it('turns fields, phrases and numbers into FTS and SQL', () => {
    expect(parseClipQuery('roll:A001 iso:800 "scene 12" alexa')).toEqual({
      match: 'roll : "A001"* AND "scene 12" AND "alexa"*',
      where: ['abs(json_extract(record, \'$.camera.isoSpeed\') - ?) < 0.01'],
      params: [800],
    });
    expect(parseClipQuery('scene:12 take:3').match).toBe('slate : "scene 12" AND slate : "take 3"');
    expect(parseClipQuery('iso:>=1600 status:failed').where).toEqual(["json_extract(record, '$.camera.isoSpeed') >= ?", 'status = ?']);
    expect(parseClipQuery('clip:"a\\"b"').match).toContain('clip :');
    expect(() => parseClipQuery('colour:blue')).toThrow(/unknown search field "colour:"/);
    expect(() => parseClipQuery('iso:lots')).toThrow(/wants a number/);
  });
});

describe('hostile and odd input (review findings)', () => {
  it('a corrupt OpenEXR channel list is an error, not an endless loop', () => {
    const good = exrBytes();
    const at = good.indexOf(Buffer.from('chlist\0'));
    const bad = Buffer.from(good);
    // Cut the first channel's record short: its name runs into the size of the list.
    bad.writeInt32LE(3, at + 7);
    expect(() => parseExrHeader(bad)).toThrow(/corrupt|truncated/);
  });

  it('an EXR whose rate has a zero denominator gets no rate and no timecode, not Infinity', () => {
    const rec = valid(
      normalise(
        bundle({
          unit: { kind: 'sequence', name: 'c', relativePath: 'c.####.exr', files: ['c.1001.exr'], size: 1, sidecars: [], sequence: { pattern: 'c.####.exr', firstFrame: 1001, lastFrame: 1001, frameCount: 1, missingFrames: [], missingCount: 0 } },
          tools: ['exr-header'],
          ffprobe: undefined,
          exr: { framesPerSecond: { num: 24, denom: 0 }, timeCode: { timeAndFlags: 0x01000000, userData: 0 }, channels: 'not a list', dataWindow: { xMin: 0, yMin: 0, xMax: 99, yMax: 49 } },
        }),
      ),
    );
    expect(rec.projectFrameRate).toBeUndefined();
    expect(rec.timecode).toBeUndefined();
    expect(rec.video).toMatchObject({ width: 100, height: 50 });
  });

  it('numbers too long to be frame numbers are files; huge gaps are counted, not walked', () => {
    const long = groupClips([
      { path: 'stills/S_100000000000000000.tif', size: 1 },
      { path: 'stills/S_100000000000000100.tif', size: 1 },
    ]);
    expect(long.map((u) => u.kind)).toEqual(['file', 'file']);
    const [gap] = groupClips([
      { path: 'p/x.1.dpx', size: 1 },
      { path: 'p/x.900000000.dpx', size: 1 },
    ]);
    expect(gap!.sequence).toMatchObject({ frameCount: 2, missingCount: 899_999_998 });
    expect(gap!.sequence!.missingFrames).toHaveLength(1000);
  });

  it('unpadded numbering stays one sequence; two paddings are two; a sidecar joins its sequence', () => {
    const units = groupClips([
      { path: 'a/f.998.dpx', size: 1 },
      { path: 'a/f.999.dpx', size: 1 },
      { path: 'a/f.1000.dpx', size: 1 },
      { path: 'b/v.01.exr', size: 1 },
      { path: 'b/v.0001.exr', size: 1 },
      { path: 'a/f.xml', size: 1 },
    ]);
    expect(units.map((u) => [u.relativePath, u.sequence?.frameCount, u.sidecars])).toEqual([
      ['a/f.#.dpx', 3, ['a/f.xml']],
      ['b/v.####.exr', 1, []],
      ['b/v.##.exr', 1, []],
    ]);
  });

  it('search terms with nothing searchable are ignored; prototype names and NULs are not fields', () => {
    expect(parseClipQuery('ultra - prime').match).toBe('"ultra"* AND "prime"*');
    expect(parseClipQuery('- &').match).toBeUndefined();
    expect(() => parseClipQuery('constructor:x')).toThrow(/unknown search field "constructor:"/);
    expect(parseClipQuery('alexa\u0000').match).toBe('"alexa"*');
  });

  it('a drop-frame label that does not exist means the next real one; Sony half-step counts timecode at half the frames', () => {
    expect(parseTimecode('00:01:00;00', 30)).toEqual({ frames: 1800, dropFrame: true });
    const rec = normalise(bundle({ sony: { 'Ltc.start': '10:00:00:00', 'LtcChangeTable.tcFps': '30', 'LtcChangeTable.halfStep': 'true', 'Duration.value': '120', 'Device.manufacturer': 'Sony' }, tools: ['sony-xml'] }));
    expect(rec.timecode).toEqual({ start: '10:00:00:00', end: '10:00:01:29', rate: 30, dropFrame: false });
  });
});
