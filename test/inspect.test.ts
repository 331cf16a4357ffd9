/**
 * Inspection on real files with the real tools: ffmpeg-made QuickTime and MXF clips with
 * vendor tags, a Sony card with its sidecar, DPX and EXR sequences with gaps, and bad input
 * of every kind, through `rushes inspect` as a user runs it. Every record is checked
 * against schemas/clip.schema.json.
 */
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTool } from '../core/inspect/tools.ts';
import { findClips } from '../core/inspect/tree.ts';
import type { ClipRecord } from '../core/inspect/types.ts';
import { compileSchema, describeErrors } from '../core/util/schema.ts';
import { runCli } from './helpers/cli.ts';
import { ARRI_TAGS, exrBytes, writeArriMov, writeDpxSequence, writeExrSequence, writeMxf } from './helpers/clips.ts';
import { brawSidecar, canonClipXml, writeBraw, writeCanonCrm } from './helpers/raw-clips.ts';
import { writeSonyClip } from './helpers/sony.ts';
import { scratchFolders } from './helpers/scratch.ts';

const scratch = scratchFolders('rushes-inspect-');
const validate = compileSchema<ClipRecord>('clip.schema.json');

async function inspect(path: string, extra: string[] = [], env: Record<string, string> = {}): Promise<{ code: number | null; records: ClipRecord[]; stderr: string }> {
  const r = await runCli(['inspect', path, '--json', ...extra], env);
  const records = r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ClipRecord);
  for (const rec of records) expect(validate(rec), `${rec.source.relativePath}: ${describeErrors(validate.errors)}`).toBe(true);
  return { code: r.code, records: records.sort((a, b) => a.source.relativePath.localeCompare(b.source.relativePath)), stderr: r.stderr };
}

const byName = (records: ClipRecord[], name: string) => {
  const r = records.find((x) => x.clipName === name);
  if (!r) throw new Error(`no record for ${name}: ${records.map((x) => x.clipName).join(', ')}`);
  return r;
};

describe('rushes inspect', () => {
  it('normalises an ARRI ProRes clip from its QuickTime keys, timecode track and streams', async () => {
    const dir = scratch();
    writeArriMov(join(dir, 'A002C007_261120_R1AB.mov'), { seconds: 1, timecode: '14:03:07:00' });
    const { code, records } = await inspect(join(dir, 'A002C007_261120_R1AB.mov'));
    expect(code).toBe(0);
    const rec = records[0]!;
    expect(rec).toMatchObject({
      clipName: 'A002C007_261120_R1AB',
      kind: 'video',
      container: 'QuickTime',
      reel: 'A002R1AB',
      scene: '12',
      take: '3',
      projectFrameRate: { num: 24000, denom: 1001 },
      durationFrames: 24,
      timecode: { start: '14:03:07:00', end: '14:03:07:23', rate: 24, dropFrame: false },
      camera: { make: 'ARRI', model: 'ALEXA 35', serialNumber: '60123', label: 'A', captureFrameRate: { num: 48000, denom: 1001 }, isoSpeed: 800, shutterAngle: 172.8, whiteBalance: 5600, tint: -2, ndStops: 3, sensorMode: '4.6K 3:2 Open Gate', anamorphicSqueeze: { num: 2, denom: 1 } },
      lens: { model: 'Signature Prime 47mm', serialNumber: 'SP47-0042', focalLength: 47, tStop: 4, focusDistance: 2.5 },
      colour: { gamma: 'LogC4', space: 'ARRI Wide Gamut 4', look: 'ARRI 709 Night' },
      video: { codec: 'prores', profile: '4444', width: 320, height: 180, bitDepth: 12, chroma: '4:4:4' },
      audio: { tracks: 1, channels: 1, sampleRate: 48000, bitDepth: 24 },
      inspection: { status: 'ok', tools: ['ffprobe'] },
    });
    // The vendor's own words are kept beside the normalised ones.
    const tags = (rec.raw.ffprobe as { format: { tags: Record<string, string> } }).format.tags;
    expect(tags['com.arri.camera.SensorFps']).toBe(ARRI_TAGS['com.arri.camera.SensorFps']);
  });

  it('reads a VENICE 2 card: MXF through ffprobe and MediaInfo, body, recorder, lens and slate from the M01.XML; the clip alone the same', async () => {
    const card = join(scratch(), 'NO NAME');
    const clip = writeSonyClip(card, 'venice2', 'B002C014_261120XY', { timecode: '10:21:25:12' });
    writeFileSync(join(card, 'XDROOT/MEDIAPRO.XML'), '<?xml version="1.0"?><MediaProfile/>');
    const walked = await inspect(card);
    expect(walked.code).toBe(0);
    expect(walked.records).toHaveLength(1);
    const alone = await inspect(clip);
    expect(alone.code).toBe(0);
    for (const rec of [walked.records[0]!, alone.records[0]!]) {
      expect(rec).toMatchObject({
        clipName: 'B002C014_261120XY',
        container: 'MXF',
        // The camera's roll: never the card's mount name (NO NAME) nor the folder (Clip).
        roll: 'B002',
        reel: '002',
        scene: '12',
        take: '3',
        camera: { make: 'Sony', model: 'MPC-3626', serialNumber: '0013452', label: 'B', isoSpeed: 1600, shutterAngle: 172.8, ndStops: 3, captureFrameRate: { num: 24000, denom: 1001 } },
        recorder: { make: 'Sony', model: 'AXS-R7', serialNumber: '00021877' },
        lens: { model: 'S7i-40' },
        colour: { gamma: 'Linear', look: 'SL3SG3Ctos709.cube' },
        timecode: { start: '10:21:25:12' },
        inspection: { status: 'ok' },
      });
      expect([...rec.inspection.tools].sort()).toEqual(['ffprobe', 'mediainfo', 'sony-xml']);
      expect(rec.raw.mediainfo).toBeTypeOf('object');
    }
    expect(alone.records[0]!.source).toMatchObject({ root: join(card, 'XDROOT/Clip'), relativePath: 'B002C014_261120XY.MXF' });
  });

  it('reads F55 and FX9 XDROOT cards and an FX6 M4ROOT card; a clip named C0001 has no roll, not its folder’s', async () => {
    const cards = scratch();
    writeSonyClip(join(cards, 'F55_CARD'), 'f55', 'A004C002_261120K1', { timecode: '14:00:00:00' });
    writeSonyClip(join(cards, 'FX9_CARD'), 'fx9', 'D004C001_261120XY');
    const fx6 = writeSonyClip(join(cards, 'SONY_FX6'), 'fx6', 'C0001');
    const { code, records } = await inspect(cards);
    expect(code).toBe(0);
    expect(records.map((r) => [r.source.relativePath, r.roll, r.camera.model, r.recorder])).toEqual([
      ['F55_CARD/XDROOT/Clip/A004C002_261120K1.MXF', 'A004', 'PMW-F55', undefined],
      ['FX9_CARD/XDROOT/Clip/D004C001_261120XY.MXF', 'D004', 'PXW-FX9', undefined],
      ['SONY_FX6/PRIVATE/M4ROOT/CLIP/C0001.MP4', undefined, 'ILME-FX6V', undefined],
    ]);
    expect(records[0]).toMatchObject({ timecode: { start: '10:21:25:12', rate: 25 }, colour: { gamma: 'S-Log3', space: 'S-Gamut3.Cine' } });
    const alone = await inspect(fx6);
    expect(alone.records[0]).toMatchObject({ clipName: 'C0001', container: 'QuickTime', camera: { make: 'Sony', model: 'ILME-FX6V' }, lens: { model: 'FE 24-70mm F2.8 GM II' }, inspection: { status: 'ok', tools: ['ffprobe', 'sony-xml'] } });
    expect(alone.records[0]!.roll).toBeUndefined();
    // The all-ones serial number an XAVC body writes when it has none is not a serial number.
    expect(alone.records[0]!.camera.serialNumber).toBeUndefined();
  });

  it('reads a Canon Cinema RAW Light clip and its clip XML through ExifTool, from the file alone', async () => {
    const card = scratch();
    const crm = join(card, 'CONTENTS/CLIPS001/A001C004_26112072_CANON.CRM');
    writeCanonCrm(crm, { iso: 1600, lens: 'CN-E 35mm T1.5 L F' });
    writeFileSync(crm.replace(/\.CRM$/, '.XML'), canonClipXml({ firmware: '1.0.6.1' }));
    const { code, records } = await inspect(crm);
    expect(code).toBe(0);
    expect(records[0]).toMatchObject({
      clipName: 'A001C004_26112072_CANON',
      kind: 'video',
      container: 'Cinema RAW Light',
      roll: 'A001',
      camera: { make: 'Canon', model: 'Canon EOS C70', serialNumber: '023031000412', firmwareVersion: '1.0.6.1', label: 'A', isoSpeed: 1600, shutterSpeed: 0.020833 },
      lens: { model: 'CN-E 35mm T1.5 L F', fStop: 2.8, focalLength: 35 },
      projectFrameRate: { num: 24000, denom: 1001 },
      inspection: { status: 'ok', tools: ['exiftool', 'canon-xml'] },
    });
    expect((records[0]!.raw.exiftool as Record<string, unknown>).CompressorVersion).toBe('CanonCRM0001/02.09.00/00.00.00');
    expect(records[0]!.raw.canonXml).toMatchObject({ 'Device.ModelName': 'Canon EOS C70' });
  });

  it('reads a Blackmagic RAW clip and its .sidecar, the sidecar winning, from the file alone', async () => {
    const card = scratch();
    const braw = join(card, 'A007_11201403_C012.braw');
    writeBraw(braw);
    writeFileSync(join(card, 'A007_11201403_C012.sidecar'), brawSidecar());
    const { code, records } = await inspect(braw);
    expect(code).toBe(0);
    expect(records[0]).toMatchObject({
      clipName: 'A007_11201403_C012',
      kind: 'video',
      container: 'BRAW',
      roll: 'A007',
      reel: '7',
      scene: '21B',
      take: '4',
      camera: { make: 'Blackmagic Design', model: 'Blackmagic URSA Mini Pro 12K', firmwareVersion: '7.9.1', label: 'A', isoSpeed: 1600, whiteBalance: 4300, tint: 6, anamorphicSqueeze: { num: 2, denom: 1 } },
      lens: { model: 'Zeiss Supreme Prime 35mm T1.5' },
      colour: { gamma: 'Blackmagic Film', space: 'Blackmagic Wide Gamut' },
      inspection: { status: 'ok', tools: ['exiftool', 'braw-sidecar'] },
    });
    expect(records[0]!.raw.brawSidecar).toMatchObject({ white_balance_kelvin: '4300' });
  });

  it('collapses DPX and EXR sequences into one clip each, with frame range and missing frames', async () => {
    const dir = scratch();
    writeDpxSequence(join(dir, 'A001_plate'), 'A001_plate', { start: 86_400, frames: 6, skip: [86_402] });
    writeExrSequence(join(dir, 'comp'), 'sh010_comp_v003', [1001, 1002, 1003, 1005]);
    const { code, records } = await inspect(dir);
    expect(code).toBe(0);
    expect(records).toHaveLength(2);
    const dpx = byName(records, 'A001_plate');
    expect(dpx).toMatchObject({
      kind: 'sequence',
      container: 'DPX',
      durationFrames: 6,
      sequence: { pattern: 'A001_plate.#######.dpx', firstFrame: 86_400, lastFrame: 86_405, frameCount: 5, missingFrames: [86_402], missingCount: 1 },
      video: { width: 256, height: 144, bitDepth: 16, chroma: 'RGB' },
      source: { relativePath: 'A001_plate/A001_plate.#######.dpx', files: 5 },
    });
    expect(dpx.inspection.issues).toEqual([expect.objectContaining({ code: 'SEQUENCE_GAPS', message: expect.stringContaining('86402') })]);
    const exr = byName(records, 'sh010_comp_v003');
    expect(exr).toMatchObject({
      container: 'OpenEXR',
      sequence: { firstFrame: 1001, lastFrame: 1005, missingFrames: [1004] },
      video: { width: 2048, height: 858, bitDepth: 16, chroma: 'BGR', codec: 'exr piz' },
      projectFrameRate: { num: 24, denom: 1 },
      timecode: { start: '01:00:00:00', end: '01:00:00:04' },
    });
  });

  it('gives bad input a record with a clear error, and every other clip still finishes', async () => {
    const dir = scratch();
    writeArriMov(join(dir, 'good.mov'), { seconds: 1 });
    writeFileSync(join(dir, 'empty.mov'), '');
    writeFileSync(join(dir, 'random.mov'), Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 7919) % 251)));
    const whole = readFileSync(join(dir, 'good.mov'));
    writeFileSync(join(dir, 'truncated.mov'), whole.subarray(0, Math.floor(whole.length / 3)));
    writeFileSync(join(dir, 'halfheader.exr'), exrBytes().subarray(0, 100));
    writeMxf(join(dir, 'Clip/B001C001.MXF'));
    writeFileSync(join(dir, 'Clip/B001C001M01.XML'), '<NonRealTimeMeta><Duration value="1"'); // cut off mid-element
    writeMxf(join(dir, 'Clip/B002C001.MXF'));
    writeFileSync(join(dir, 'Clip/B002C001M01.XML'), `<NonRealTimeMeta>${' '.repeat(5 << 20)}</NonRealTimeMeta>`);
    // A good EXR whose header (a long comment) is larger than the first read.
    writeFileSync(join(dir, 'longheader.exr'), exrBytes({ comments: 'c'.repeat(200_000) }));
    symlinkSync(join(dir, 'nowhere.mov'), join(dir, 'lost.mov'));
    const { code, records, stderr } = await inspect(dir);
    expect(code).toBe(3);
    expect(records.map((r) => [r.clipName, r.inspection.status])).toEqual([
      ['B001C001', 'partial'],
      ['B002C001', 'partial'],
      ['empty', 'failed'],
      ['good', 'ok'],
      ['halfheader', 'failed'],
      ['longheader', 'ok'],
      ['random', 'failed'],
      // ffprobe cannot open it; ExifTool still reads the header that survived.
      ['truncated', 'partial'],
    ]);
    const issue = (name: string) => byName(records, name).inspection.issues[0]!;
    expect(issue('empty')).toMatchObject({ code: 'EMPTY', message: expect.stringContaining('empty.mov is empty') });
    expect(issue('random')).toMatchObject({ code: 'UNREADABLE', tool: 'ffprobe', message: expect.stringContaining('random.mov') });
    expect(issue('truncated')).toMatchObject({ code: 'UNREADABLE', message: expect.stringMatching(/truncated\.mov.*moov atom not found/) });
    expect(issue('halfheader')).toMatchObject({ code: 'TRUNCATED', message: expect.stringContaining('halfheader.exr') });
    expect(issue('B001C001')).toMatchObject({ code: 'SIDECAR_INVALID', message: expect.stringContaining('B001C001M01.XML') });
    expect(issue('B002C001')).toMatchObject({ code: 'SIDECAR_INVALID', message: expect.stringMatching(/B002C001M01\.XML .*more than the 4194304 a sidecar may have/) });
    expect(byName(records, 'longheader').video.width).toBe(2048);
    expect(byName(records, 'B001C001').timecode?.start).toBe('10:00:00:00');
    // What the walk could not read is named, and makes the run incomplete.
    expect(stderr).toMatch(/^rushes: broken symbolic link .*lost\.mov: ENOENT$/m);
  });

  it('a broken, hostile or oversized Canon XML or .sidecar is named, and the clip keeps its record', async () => {
    const dir = scratch();
    writeCanonCrm(join(dir, 'A001C001_261120AA_CANON.CRM'));
    writeFileSync(join(dir, 'A001C001_261120AA_CANON.XML'), '<VideoClip xmlns="http://www.canon.com/ns/VideoClip"><Device><ModelName>EOS'); // cut off
    writeCanonCrm(join(dir, 'A001C002_261120AA_CANON.CRM'));
    writeFileSync(join(dir, 'A001C002_261120AA_CANON.XML'), '<!DOCTYPE v [<!ENTITY a "aaaaaaaa">]><VideoClip><Title>&a;&a;</Title></VideoClip>');
    writeBraw(join(dir, 'A007_11201403_C013.braw'));
    writeFileSync(join(dir, 'A007_11201403_C013.sidecar'), `{"iso": 800, "pad": "${' '.repeat(5 << 20)}"}`);
    writeBraw(join(dir, 'A007_11201403_C014.braw'));
    writeFileSync(join(dir, 'A007_11201403_C014.sidecar'), 'iso: 800');
    const { code, records } = await inspect(dir);
    expect(code).toBe(0);
    expect(records.map((r) => [r.clipName, r.inspection.status, r.inspection.issues.map((i) => i.code)])).toEqual([
      ['A001C001_261120AA_CANON', 'partial', ['SIDECAR_INVALID']],
      ['A001C002_261120AA_CANON', 'partial', ['SIDECAR_INVALID']],
      ['A007_11201403_C013', 'partial', ['SIDECAR_INVALID']],
      ['A007_11201403_C014', 'partial', ['SIDECAR_INVALID']],
    ]);
    const issue = (name: string) => byName(records, name).inspection.issues[0]!.message;
    expect(issue('A001C001_261120AA_CANON')).toMatch(/sidecar .*A001C001_261120AA_CANON\.XML cannot be used: not well-formed XML/);
    expect(issue('A001C002_261120AA_CANON')).toMatch(/A001C002_261120AA_CANON\.XML cannot be used: a DOCTYPE is not allowed/);
    expect(issue('A007_11201403_C013')).toMatch(/A007_11201403_C013\.sidecar cannot be used: it is \d+ bytes, more than the 4194304 a sidecar may have/);
    expect(issue('A007_11201403_C014')).toMatch(/A007_11201403_C014\.sidecar cannot be used: not a JSON document/);
    // What the clips themselves say is still read.
    for (const r of records) expect(r.camera.make).toMatch(/^(Canon|Blackmagic Design)$/);
  });

  it('an unknown format still gets a basic record; a missing path is a clear error', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'readme.bin'), 'not media at all, just some bytes that no tool knows');
    const { records } = await inspect(join(dir, 'readme.bin'));
    expect(records[0]).toMatchObject({ clipName: 'readme', kind: 'unknown', source: { size: 52, files: 1 }, inspection: { status: 'failed' } });
    const missing = await runCli(['inspect', join(dir, 'nope')]);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/SOURCE_MISSING: .*nope cannot be read \(ENOENT\)/);
  });

  it('kills a tool that hangs at its timeout and still writes the record', async () => {
    const dir = scratch();
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    // An ffprobe that never answers (and ignores SIGTERM), first on PATH.
    const pidFile = join(dir, 'hung.pid');
    writeFileSync(join(bin, 'ffprobe'), `#!/bin/sh\ntrap '' TERM\necho $$ > ${pidFile}\nexec sleep 600\n`);
    chmodSync(join(bin, 'ffprobe'), 0o755);
    writeArriMov(join(dir, 'clip.mov'));
    const t0 = Date.now();
    const { records } = await inspect(join(dir, 'clip.mov'), ['--timeout', '500'], { PATH: `${bin}:${process.env.PATH}` });
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(records[0]!.inspection.issues[0]).toMatchObject({ code: 'TOOL_TIMEOUT', tool: 'ffprobe', message: expect.stringMatching(/ffprobe did not answer within 500 ms on .*clip\.mov; killed/) });
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
  });

  it('a single file is the clip it belongs to: a frame its sequence, a RED segment its .RDC clip with its sidecar', async () => {
    const dir = scratch();
    writeDpxSequence(join(dir, 'plate'), 'A001_plate', { start: 1001, frames: 3 });
    const rdc = join(dir, 'A001_1120AB.RDM', 'A001_C003_1120AB.RDC');
    mkdirSync(rdc, { recursive: true });
    for (const f of ['A001_C003_1120AB_001.R3D', 'A001_C003_1120AB_002.R3D', 'A001_C003_1120AB.RMD']) writeFileSync(join(rdc, f), 'r3d');
    const frame = await findClips(join(dir, 'plate', 'A001_plate.0001002.dpx'));
    expect(frame).toMatchObject({ root: join(dir, 'plate'), units: [{ kind: 'sequence', relativePath: 'A001_plate.#######.dpx', files: ['A001_plate.0001001.dpx', 'A001_plate.0001002.dpx', 'A001_plate.0001003.dpx'] }] });
    const segment = await findClips(join(rdc, 'A001_C003_1120AB_002.R3D'));
    expect(segment).toMatchObject({ root: join(dir, 'A001_1120AB.RDM'), units: [{ kind: 'spanned', relativePath: 'A001_C003_1120AB.RDC', sidecars: ['A001_C003_1120AB.RDC/A001_C003_1120AB.RMD'] }] });
    expect(segment.units[0]!.files).toHaveLength(2);
  });

  it('runTool reports a missing tool and a failing one by name', async () => {
    await expect(runTool('/nonexistent/ffprobe', [], 'x.mov', { timeoutMs: 5000 })).rejects.toMatchObject({ code: 'TOOL_MISSING', message: expect.stringContaining('x.mov') });
    await expect(runTool('sh', ['-c', 'echo broken >&2; exit 2'], 'y.mov', { timeoutMs: 5000 })).rejects.toMatchObject({ code: 'TOOL_FAILED', message: 'sh failed on y.mov (exit 2): broken' });
  });
});
