/**
 * Render functions for real, on the host's ffmpeg: proxies with framing, colour and
 * burn-in; lossless plates from movies and sequences; thumbnails and contact strips;
 * `rushes-fn` as a process; and bad input of every kind, which must leave nothing under a
 * final name.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, RUSHES_BIN } from './helpers/cli.ts';
import { writeArriMov, writeDpxSequence } from './helpers/clips.ts';
import { amfXml, ccXml, cubeText, smallFdl } from './helpers/render.ts';
import { scratchFolders } from './helpers/scratch.ts';

const scratch = scratchFolders('rushes-render-');
const FN_BIN = RUSHES_BIN.replace(/rushes\.cjs$/, 'rushes-fn.cjs');
let dir: string;
let clip: string;

const probe = (file: string) => JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_type,codec_name,width,height,nb_read_frames,profile', '-of', 'json', file], { encoding: 'utf8' })).streams as Record<string, string | number>[];
const rendered = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).filter((e) => e.type === 'rendered');
const noLeftovers = (out: string) => expect(existsSync(out) ? readdirSync(out).filter((n) => n.startsWith('.rushes')) : []).toEqual([]);

beforeAll(() => {
  dir = scratch();
  clip = join(dir, 'A001C003_261123_R1AB.mov');
  writeArriMov(clip, { seconds: 2, timecode: '14:03:07:00' });
});

describe('rushes render (on a worker thread, the default)', () => {
  it('a proxy with FDL framing, a CDL then a LUT, burn-in and audio; the same bytes when run again', async () => {
    writeFileSync(join(dir, 'frame.fdl'), JSON.stringify(smallFdl(320, 180, { width: 256, height: 128 })));
    writeFileSync(join(dir, 'grade.cc'), ccXml('sh010', 1.2));
    writeFileSync(join(dir, 'show.cube'), cubeText(9, (r, g, b) => [Math.sqrt(r), Math.sqrt(g), Math.sqrt(b)]));
    const out = join(dir, 'proxies');
    const args = ['render', 'proxy', clip, '--out', out, '--fdl', join(dir, 'frame.fdl'), '--cdl', join(dir, 'grade.cc'), '--lut', join(dir, 'show.cube'), '--json'];
    const first = await runCli(args);
    expect(first.code, first.stderr + first.stdout).toBe(0);
    const [r1] = rendered(first.stdout);
    expect(r1.result.outputs[0]).toMatchObject({ name: 'A001C003_261123_R1AB.mp4', path: join(out, 'A001C003_261123_R1AB.mp4'), files: 1 });
    const streams = probe(join(out, 'A001C003_261123_R1AB.mp4'));
    expect(streams).toEqual([
      expect.objectContaining({ codec_type: 'video', codec_name: 'h264', width: 256, height: 128, nb_read_frames: '48' }),
      expect.objectContaining({ codec_type: 'audio', codec_name: 'aac' }),
    ]);
    expect(first.stdout).toContain('"type":"progress"');
    const again = rendered((await runCli(args)).stdout)[0];
    expect(again.result.outputs[0].xxh64).toBe(r1.result.outputs[0].xxh64);
    noLeftovers(out);
  });

  it('ProRes Proxy / LT and DNxHR LB proxies', async () => {
    const out = join(dir, 'codecs');
    for (const [codec, name, profile] of [['prores_proxy', 'prores', 'Proxy'], ['prores_lt', 'prores', 'LT'], ['dnxhr_lb', 'dnxhd', 'DNXHR LB']] as const) {
      const r = await runCli(['render', 'proxy', clip, '--out', join(out, codec), '--codec', codec, '--height', '180']);
      expect(r.code, r.stderr).toBe(0);
      expect(probe(join(out, codec, 'A001C003_261123_R1AB.mov'))[0]).toMatchObject({ codec_name: name, profile, height: 180 });
    }
  });

  it('a lossless plate with handles from a movie is frame-exact; a DPX plate from a sequence keeps its numbers', async () => {
    const out = join(dir, 'plates');
    const r = await runCli(['render', 'plate', clip, '--out', out, '--frames', '10-13', '--handles', '2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const folder = join(out, 'A001C003_261123_R1AB_8-15');
    expect(readdirSync(folder)).toEqual([8, 9, 10, 11, 12, 13, 14, 15].map((n) => `A001C003_261123_R1AB.${String(n).padStart(7, '0')}.exr`));
    // Frame 8 of the plate is frame 8 of the clip, decoded the same way.
    const fromPlate = execFileSync('ffmpeg', ['-v', 'error', '-i', join(folder, 'A001C003_261123_R1AB.0000008.exr'), '-f', 'rawvideo', '-pix_fmt', 'gbrpf32le', '-'], { maxBuffer: 1 << 26 });
    const fromClip = execFileSync('ffmpeg', ['-v', 'error', '-i', clip, '-vf', 'select=eq(n\\,8)', '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gbrpf32le', '-'], { maxBuffer: 1 << 26 });
    expect(fromPlate.equals(fromClip)).toBe(true);

    // Video that starts after the audio (an offset edit): frames still count from the first picture.
    const late = join(dir, 'late.mov');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-itsoffset', '0.2', '-f', 'lavfi', '-i', 'testsrc2=size=160x90:rate=25', '-f', 'lavfi', '-i', 'sine=r=48000', '-t', '2', '-map', '0:v', '-map', '1:a', '-c:v', 'prores_ks', '-c:a', 'pcm_s16le', late]);
    expect((await runCli(['render', 'plate', late, '--out', out, '--frames', '10-12'])).code).toBe(0);
    const lateFrame = execFileSync('ffmpeg', ['-v', 'error', '-i', join(out, 'late_10-12', 'late.0000010.exr'), '-f', 'rawvideo', '-pix_fmt', 'gbrpf32le', '-'], { maxBuffer: 1 << 26 });
    const lateRef = execFileSync('ffmpeg', ['-v', 'error', '-i', late, '-vf', 'select=eq(n\\,10)', '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gbrpf32le', '-'], { maxBuffer: 1 << 26 });
    expect(lateFrame.equals(lateRef)).toBe(true);

    // A sequence in a folder whose name holds a %, into an output folder that does too.
    const seq = join(dir, 'seq 100%', 'B_plate');
    writeDpxSequence(seq, 'B_plate', { start: 1001, frames: 10 });
    const s = await runCli(['render', 'plate', seq, '--out', join(out, '50%'), '--frames', '2-4', '--format', 'dpx']);
    expect(s.code, s.stderr).toBe(0);
    expect(readdirSync(join(out, '50%', 'B_plate_2-4'))).toEqual(['B_plate.0001003.dpx', 'B_plate.0001004.dpx', 'B_plate.0001005.dpx']);
    noLeftovers(out);
  });

  it('a thumbnail, a contact strip, and an AMF look with its named transforms reported', async () => {
    const out = join(dir, 'stills');
    writeFileSync(join(dir, 'show.amf'), amfXml());
    const t = await runCli(['render', 'thumbnail', clip, '--out', out, '--amf', join(dir, 'show.amf')]);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stderr).toMatch(/warning: .*show\.amf: inputTransform urn:ampas:aces:transformId:v1\.5:IDT\.ARRI\.Alexa-v3-logC-EI800\.a1\.v2 is not applied/);
    expect(probe(join(out, 'A001C003_261123_R1AB.jpg'))[0]).toMatchObject({ codec_name: 'mjpeg', width: 320 });
    const c = await runCli(['render', 'contact', clip, '--out', out, '--count', '4', '--width', '80']);
    expect(c.code, c.stderr).toBe(0);
    expect(probe(join(out, 'A001C003_261123_R1AB_contact.jpg'))[0]).toMatchObject({ width: 320, height: 46 });
  });

  it('bad input: a clear error, a stable exit code, and nothing under a final name', async () => {
    const out = join(dir, 'bad');
    writeFileSync(join(dir, 'broken.fdl'), JSON.stringify({ uuid: 'x', version: { major: 2, minor: 0 } }));
    writeFileSync(join(dir, 'bad.cube'), 'LUT_3D_SIZE 2\n0 0 0\n1 one 0\n');
    writeFileSync(join(dir, 'A001C009.R3D'), Buffer.alloc(200_000, 3));
    const cases: [string[], number, RegExp][] = [
      [['proxy', clip, '--fdl', join(dir, 'broken.fdl')], 2, /broken\.fdl is not a valid ASC FDL 2\.0 document: \/uuid must match pattern/],
      [['proxy', clip, '--fdl', join(dir, 'frame.fdl'), '--framing', 'cam-1_85'], 2, /the FDL has no framing decision "cam-1_85" \(it has: cam-2_1\)/],
      [['proxy', clip, '--lut', join(dir, 'bad.cube')], 2, /bad\.cube line 3: expected three numbers/],
      [['plate', clip, '--frames', '40-47', '--handles', '4'], 2, /frames 40-47 with 4 handles \(36-51\) run outside the clip \(0-47\)/],
      [['proxy', join(dir, 'A001C009.R3D')], 3, /INPUT_UNDECODABLE: .*A001C009\.R3D cannot be rendered/],
      [['proxy', join(dir, 'nothing.mov')], 4, /nothing\.mov cannot be read \(ENOENT\)/],
      [['proxy', clip, '--runtime', 'vm'], 2, /--runtime must be one of thread, process, docker/],
    ];
    for (const [args, code, message] of cases) {
      const r = await runCli(['render', ...args, '--out', out]);
      expect({ args, code: r.code }).toEqual({ args, code });
      expect(r.stderr).toMatch(message);
    }
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
    // The final name is taken by a folder: the commit fails by name and the staging folder goes.
    mkdirSync(join(out, 'A001C003_261123_R1AB.jpg', 'x'), { recursive: true });
    const blocked = await runCli(['render', 'thumbnail', clip, '--out', out]);
    expect(blocked.code).toBe(3);
    expect(blocked.stderr).toMatch(/A001C003_261123_R1AB\.jpg/);
    expect(readdirSync(out)).toEqual(['A001C003_261123_R1AB.jpg']);
  });
});

describe('rushes-fn', () => {
  const fn = (input: string, args: string[] = []) => spawnSync(process.execPath, [FN_BIN, ...args], { input, encoding: 'utf8' });

  it('runs an invocation from stdin and prints the result; exit codes are stable', () => {
    const out = join(dir, 'fn');
    const inv = { fn: 'thumbnail', id: 'thumb-1', input: { uri: `file://${clip}`, clip: { clipName: 'A001C003', frameRate: { num: 24000, denom: 1001 }, durationFrames: 48 } }, output: { uri: `file://${out}/` }, params: { width: 64 } };
    const ok = fn(JSON.stringify(inv));
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, id: 'thumb-1', fn: 'thumbnail', outputs: [{ name: 'A001C003.jpg', path: join(out, 'A001C003.jpg'), xxh64: expect.stringMatching(/^[0-9a-f]{16}$/) }] });
    expect(fn('{not json').status).toBe(2);
    const invalid = fn(JSON.stringify({ ...inv, params: { width: 'wide' } }));
    expect(invalid.status).toBe(2);
    expect(JSON.parse(invalid.stdout).error.message).toContain('/params/width must be integer');
    const missing = fn(JSON.stringify({ ...inv, input: { uri: `file://${dir}/gone.mov` } }));
    expect(missing.status).toBe(3);
    writeFileSync(join(dir, 'random.mov'), Buffer.alloc(30_000, 9));
    const undecodable = fn(JSON.stringify({ ...inv, input: { uri: `file://${dir}/random.mov` } }));
    expect({ status: undecodable.status, code: JSON.parse(undecodable.stdout).error.code }).toEqual({ status: 3, code: 'INPUT_UNDECODABLE' });
    // A bad invocation file or deadline is a usage error naming it, not a crash.
    const unreadable = fn('', [join(dir, 'no-such-invocation.json')]);
    expect({ status: unreadable.status, error: JSON.parse(unreadable.stdout).error }).toMatchObject({ status: 2, error: { code: 'USAGE', message: expect.stringMatching(/no-such-invocation\.json cannot be read \(ENOENT\)/) } });
    const badDeadline = spawnSync(process.execPath, [FN_BIN], { input: JSON.stringify(inv), encoding: 'utf8', env: { ...process.env, RUSHES_FN_TIMEOUT_MS: 'soon' } });
    expect({ status: badDeadline.status, message: JSON.parse(badDeadline.stdout).error.message }).toEqual({ status: 2, message: 'RUSHES_FN_TIMEOUT_MS must be a whole number of milliseconds (got "soon")' });
    noLeftovers(out);
  });
});
