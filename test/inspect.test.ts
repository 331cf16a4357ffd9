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
import type { ClipRecord } from '../core/inspect/types.ts';
import { compileSchema, describeErrors } from '../core/util/schema.ts';
import { runCli } from './helpers/cli.ts';
import { ARRI_TAGS, exrBytes, sonyM01Xml, writeArriMov, writeDpxSequence, writeExrSequence, writeMxf } from './helpers/clips.ts';
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

  it('reads a Sony card: MXF through ffprobe and MediaInfo, camera and lens from the M01.XML sidecar', async () => {
    const card = scratch();
    writeMxf(join(card, 'XDROOT/Clip/A001C001_261120AB.MXF'), { timecode: '10:21:25:12', seconds: 0.5 });
    writeFileSync(join(card, 'XDROOT/Clip/A001C001_261120ABM01.XML'), sonyM01Xml());
    writeFileSync(join(card, 'XDROOT/MEDIAPRO.XML'), '<?xml version="1.0"?><MediaProfile/>');
    const { code, records } = await inspect(card);
    expect(code).toBe(0);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      clipName: 'A001C001_261120AB',
      container: 'MXF',
      camera: { make: 'Sony', model: 'MPC-3610', isoSpeed: 2500, anamorphicSqueeze: { num: 2, denom: 1 }, ndStops: 3, captureFrameRate: { num: 48000, denom: 1001 } },
      lens: { model: 'Cooke Anamorphic/i 50mm', focalLength: 50, tStop: 2.8 },
      colour: { gamma: 'S-Log3', space: 'S-Gamut3.Cine' },
      timecode: { start: '10:21:25:12' },
      inspection: { status: 'ok' },
    });
    expect([...records[0]!.inspection.tools].sort()).toEqual(['ffprobe', 'mediainfo', 'sony-xml']);
    expect(records[0]!.raw.mediainfo).toBeTypeOf('object');
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

  it('runTool reports a missing tool and a failing one by name', async () => {
    await expect(runTool('/nonexistent/ffprobe', [], 'x.mov', { timeoutMs: 5000 })).rejects.toMatchObject({ code: 'TOOL_MISSING', message: expect.stringContaining('x.mov') });
    await expect(runTool('sh', ['-c', 'echo broken >&2; exit 2'], 'y.mov', { timeoutMs: 5000 })).rejects.toMatchObject({ code: 'TOOL_FAILED', message: 'sh failed on y.mov (exit 2): broken' });
  });
});
