/**
 * Render functions without running ffmpeg: invocation → arguments, ASC FDL framing with
 * the specification's rounding, ASC CDL and .cube parsing and baking, AMF looks.
 */
import { describe, expect, it } from 'vitest';
import { buildContact, buildPlate, buildProxy, buildThumbnail, filterValue } from '../core/render/builders.ts';
import { applyCdl, bakeCube, parseAmf, parseCdlXml, parseCube, sampleCube } from '../core/render/colour.ts';
import { parseFdl, resolveFdl } from '../core/render/fdl.ts';
import { parseInvocation, type Invocation } from '../core/render/invocation.ts';
import { amfXml, ccXml, cubeText, fdlDocument } from './helpers/render.ts';

const inv = (over: Partial<Invocation> & { params?: Invocation['params'] } = {}): Invocation =>
  parseInvocation({
    fn: 'proxy',
    id: 'test-1',
    input: { uri: 'file:///raid/A001/A001C003.mov', clip: { clipName: "A001C003 it's 100%: ok", roll: 'A001', timecodeStart: '14:03:07:00', frameRate: { num: 24000, denom: 1001 }, durationFrames: 240, width: 4448, height: 3096 } },
    output: { uri: 'file:///proxies/' },
    params: {},
    ...over,
  });

describe('invocations', () => {
  it('are validated, naming the bad field', () => {
    expect(() => parseInvocation({ fn: 'proxy', id: 'x', input: { uri: '/no/scheme.mov' }, output: { uri: 'file:///o/' }, params: {} })).toThrow(/\/input\/uri must match pattern/);
    expect(() => parseInvocation({ fn: 'render', id: 'x', input: { uri: 'file:///a.mov' }, output: { uri: 'file:///o/' }, params: {} })).toThrow(/\/fn must be one of/);
    expect(() => parseInvocation({ ...inv(), params: { codec: 'mpeg1' } })).toThrow(/\/params\/codec must be one of/);
  });
});

describe('proxy arguments', () => {
  it('scale, then colour on RGB, then burn-in, then the codec format; bit-exact and fixed threads', () => {
    const p = buildProxy(inv({ params: { cdl: { slope: [1, 1, 1], offset: [0, 0, 0], power: [1, 1, 1], saturation: 0.9 } } }), '/proxies/.stage', { threads: 2, fontFile: '/fonts/a b.ttf' });
    const vf = p.args[p.args.indexOf('-vf') + 1]!;
    const order = ['scale=', 'lut3d=', 'drawtext=', 'format=yuv420p'].map((s) => vf.indexOf(s));
    expect(order.every((v, i) => v >= 0 && (i === 0 || v > order[i - 1]!))).toBe(true);
    expect(vf).toContain('scale=1552:1080:flags=lanczos');
    expect(vf).toContain('timecode=14\\\\:03\\\\:07\\\\:00:rate=24000/1001');
    expect(p.args).toEqual(expect.arrayContaining(['-c:v', 'libx264', '-threads', '2', '-fflags', '+bitexact', '/proxies/.stage/A001C003 it\'s 100%: ok.mp4']));
    expect(p.files[0]!.name).toBe('look.cube');
    expect(p.outputs).toEqual(["A001C003 it's 100%: ok.mp4"]);
  });

  it('escapes text for both levels of ffmpeg parsing', () => {
    expect(filterValue("a:b'c\\d,e[f]")).toBe("a\\\\:b\\\\\\'c\\\\\\\\d\\,e\\[f\\]");
  });

  it('pads after the grade (bars stay black), converts back with the 709 matrix and tags it; an FDL without a template uses the proxy height', () => {
    const doc = { ...fdlDocument({ pad: true, fit: 'fit_all' }) };
    const p = buildProxy(inv({ params: { fdl: { document: doc }, cdl: { slope: [1, 1, 1], offset: [0.1, 0.1, 0.1], power: [1, 1, 1], saturation: 1 } } }), '/s');
    const vf = p.args[p.args.indexOf('-vf') + 1]!;
    expect(vf.indexOf('pad=')).toBeGreaterThan(vf.indexOf('lut3d='));
    expect(vf).toContain('scale=out_color_matrix=bt709:out_range=tv,format=yuv420p');
    expect(p.args).toEqual(expect.arrayContaining(['-colorspace', 'bt709', '-color_trc', 'bt709']));
    const noTemplate = { ...fdlDocument() };
    delete noTemplate.canvas_templates;
    const q = buildProxy(inv({ params: { fdl: { document: noTemplate } } }), '/s');
    expect(q.geometry!.scale.height).toBe(1080);
  });

  it('a % in a path is literal to ffmpeg: doubled for image2, single images written with -update', () => {
    const seq = buildPlate(inv({ fn: 'plate', input: { uri: 'file:///p/100%25/s.0001.dpx', clip: { clipName: 'A%03d', sequencePattern: 's.####.dpx', firstFrameNumber: 1, durationFrames: 10 } }, params: { frames: [0, 1] } }), '/out 50%/.s');
    expect(seq.args).toEqual(expect.arrayContaining(['-i', '/p/100%%/s.%04d.dpx', '/out 50%%/.s/A%%03d_0-1/A%%03d.%07d.exr']));
    const thumb = buildThumbnail(inv({ fn: 'thumbnail' }), '/s');
    expect(thumb.args.slice(-3)).toEqual(['-update', '1', "/s/A001C003 it's 100%: ok.jpg"]);
  });

  it('each codec and de-squeeze', () => {
    const prores = buildProxy(inv({ params: { codec: 'prores_lt', height: 540 } }), '/s');
    expect(prores.args).toEqual(expect.arrayContaining(['-c:v', 'prores_ks', '-profile:v', '1', '-c:a', 'pcm_s16le']));
    expect(prores.outputs[0]).toMatch(/\.mov$/);
    const dnx = buildProxy(inv({ params: { codec: 'dnxhr_lb', burnIn: false, audio: false } }), '/s');
    expect(dnx.args).toEqual(expect.arrayContaining(['-profile:v', 'dnxhr_lb', '-an']));
    expect(dnx.args.join(' ')).not.toContain('drawtext');
    const ana = buildProxy(inv({ input: { uri: 'file:///a.mov', clip: { width: 2880, height: 2160, anamorphicSqueeze: 2 } } }), '/s');
    expect(ana.args[ana.args.indexOf('-vf') + 1]).toContain('scale=2880:1080');
  });
});

describe('plates and contact strips', () => {
  it('a range with handles, seeking to the first frame; sequences by frame number', () => {
    const p = buildPlate(inv({ fn: 'plate', params: { frames: [100, 147], handles: 8 } }), '/s');
    expect(p.args).toEqual(expect.arrayContaining(['-ss', '3.837166', '-frames:v', '64', '-c:v', 'exr', '-start_number', '92']));
    expect(p.outputs).toEqual(["A001C003 it's 100%: ok_92-155"]);
    const seq = buildPlate(inv({ fn: 'plate', input: { uri: 'file:///p/A_plate.0086400.dpx', clip: { clipName: 'A_plate', sequencePattern: 'A_plate.#######.dpx', firstFrameNumber: 86400, durationFrames: 100 } }, params: { frames: [10, 19], format: 'dpx' } }), '/s');
    expect(seq.args).toEqual(expect.arrayContaining(['-f', 'image2', '-start_number', '86410', '-i', '/p/A_plate.%07d.dpx', '-c:v', 'dpx']));
  });

  it('refuses a range outside the clip, or backwards, naming both', () => {
    expect(() => buildPlate(inv({ fn: 'plate', params: { frames: [230, 239], handles: 8 } }), '/s')).toThrow('frames 230-239 with 8 handles (222-247) run outside the clip (0-239)');
    expect(() => buildPlate(inv({ fn: 'plate', params: { frames: [3, 20], handles: 8 } }), '/s')).toThrow(/run outside the clip/);
    expect(() => buildPlate(inv({ fn: 'plate', params: { frames: [20, 3] } }), '/s')).toThrow('frame range 20-3 ends before it starts');
    expect(() => buildPlate(inv({ fn: 'plate' }), '/s')).toThrow(/needs a frame range/);
  });

  it('a contact strip takes evenly spaced frames into one row', () => {
    const c = buildContact(inv({ fn: 'contact', params: { count: 6 } }), '/s');
    expect(c.args[c.args.indexOf('-vf') + 1]).toMatch(/^select=not\(mod\(n\\,40\)\),scale=320:-2.*tile=6x1$/);
  });
});

describe('ASC FDL', () => {
  it('crops to the framing decision and scales to the template, rounding to even sizes upward', () => {
    const doc = parseFdl(fdlDocument());
    const g = resolveFdl(doc, { width: 4448, height: 3096 });
    expect(g).toMatchObject({ crop: { x: 0, y: 620, width: 4448, height: 1856 }, scale: { width: 1920, height: 802 }, framingDecision: 'cam-2_39', canvasTemplate: 'hd' });
  });

  it('de-squeezes an anamorphic canvas and applies fit_all with padding to the target', () => {
    const doc = parseFdl(fdlDocument({ squeeze: 2, fit: 'fit_all', pad: true }));
    const g = resolveFdl(doc, { width: 4448, height: 3096 });
    // 4448×1856 at 2× is 8896×1856 square: fit_all into 1920×1080 is width-bound.
    expect(g.scale).toEqual({ width: 1920, height: 402 });
    expect(g.pad).toEqual({ width: 1920, height: 1080, x: 0, y: 339 });
  });

  it('fill overshoots and is cropped back, aligned', () => {
    const doc = parseFdl(fdlDocument({ fit: 'fill' }));
    const g = resolveFdl(doc, { width: 4448, height: 3096 });
    expect(g.scale).toEqual({ width: 1920, height: 1080 });
    expect(g.crop.height).toBe(1856);
    // 4448×1856 scaled to fill 1080 high is 2590 wide (even, up): 1920 of 2590 columns are kept.
    expect(g.crop.width).toBe(Math.round((1920 / 2590) * 4448));
  });

  it('names a missing framing decision or template, and a document that fails the schema', () => {
    const doc = parseFdl(fdlDocument());
    expect(() => resolveFdl(doc, { width: 4448, height: 3096 }, { framingDecision: 'cam-1_85' })).toThrow('the FDL has no framing decision "cam-1_85" (it has: cam-2_39)');
    expect(() => resolveFdl(doc, { width: 4448, height: 3096 }, { canvasTemplate: 'uhd' })).toThrow(/no canvas template "uhd"/);
    expect(() => parseFdl({ ...fdlDocument(), version: { major: 1, minor: 0 } }, 'x.fdl')).toThrow(/x\.fdl is not a valid ASC FDL 2\.0 document: \/version\/major must be equal to constant/);
    expect(() => parseFdl({ uuid: 'nope', version: { major: 2, minor: 0 } })).toThrow(/\/uuid must match pattern/);
  });
});

describe('colour', () => {
  it('ASC CDL: slope, offset, power, then saturation', () => {
    const c = { slope: [2, 1, 1] as [number, number, number], offset: [0, 0.1, 0] as [number, number, number], power: [1, 1, 2] as [number, number, number], saturation: 1 };
    expect(applyCdl(c, [0.25, 0.25, 0.5]).map((v) => +v.toFixed(4))).toEqual([0.5, 0.35, 0.25]);
    const grey = applyCdl({ ...c, slope: [1, 1, 1], offset: [0, 0, 0], power: [1, 1, 1], saturation: 0 }, [1, 0, 0]);
    expect(grey.map((v) => +v.toFixed(4))).toEqual([0.2126, 0.2126, 0.2126]);
  });

  it('reads .cc / .ccc / .cdl and picks by id', () => {
    expect(parseCdlXml(ccXml('sh010', 1.2), 'grade.cc')).toEqual({ id: 'sh010', slope: [1.2, 1, 0.9], offset: [0, 0, 0.01], power: [1, 1, 1], saturation: 0.85 });
    const ccc = `<ColorCorrectionCollection xmlns="urn:ASC:CDL:v1.01">${ccXml('a', 1.1)}${ccXml('b', 1.3)}</ColorCorrectionCollection>`;
    expect(parseCdlXml(ccc, 'g.ccc', 'b').slope[0]).toBe(1.3);
    expect(() => parseCdlXml(ccc, 'g.ccc', 'z')).toThrow('g.ccc has no ColorCorrection "z" (it has: a, b)');
    expect(() => parseCdlXml('<ColorCorrection><SOPNode><Slope>1 1</Slope></SOPNode></ColorCorrection>', 'bad.cc')).toThrow('bad.cc: Slope must be three numbers (got "1 1")');
  });

  it('reads a .cube, naming the line of a fault', () => {
    const lut = parseCube(cubeText(2, (r, g, b) => [r, g, b]), 'id.cube');
    expect(sampleCube(lut, [0.3, 0.6, 0.9]).map((v) => +v.toFixed(5))).toEqual([0.3, 0.6, 0.9]);
    expect(() => parseCube('LUT_3D_SIZE 2\n0 0 0\n1 x 0\n', 'bad.cube')).toThrow('bad.cube line 3: expected three numbers or a keyword, got "1 x 0"');
    expect(() => parseCube('LUT_3D_SIZE 2\n0 0 0\n', 'short.cube')).toThrow('short.cube has 1 values; a 2³ LUT needs 8');
    expect(() => parseCube('TITLE "x"\n', 'empty.cube')).toThrow(/not a 3D .cube LUT/);
  });

  it('bakes CDL then LUT into one cube; nothing to apply bakes nothing', () => {
    expect(bakeCube(undefined, undefined)).toBeUndefined();
    const invert = parseCube(cubeText(2, (r, g, b) => [1 - r, 1 - g, 1 - b]), 'inv.cube');
    const baked = parseCube(bakeCube({ slope: [0.5, 0.5, 0.5], offset: [0, 0, 0], power: [1, 1, 1], saturation: 1 }, invert, 3)!, 'baked');
    // White: CDL halves it to 0.5, the LUT inverts to 0.5.
    expect(sampleCube(baked, [1, 1, 1]).map((v) => +v.toFixed(4))).toEqual([0.5, 0.5, 0.5]);
    expect(sampleCube(baked, [0, 0, 0]).map((v) => +v.toFixed(4))).toEqual([1, 1, 1]);
  });

  it('AMF: applies its CDL look and names each ACES transform it cannot apply', () => {
    const amf = parseAmf(amfXml(), 'show.amf');
    expect(amf.cdl).toMatchObject({ slope: [1.1, 1, 0.95], saturation: 0.9 });
    expect(amf.notApplied).toEqual([
      { stage: 'inputTransform', transformId: 'urn:ampas:aces:transformId:v1.5:IDT.ARRI.Alexa-v3-logC-EI800.a1.v2' },
      { stage: 'cdlWorkingSpace.toCdlWorkingSpace', transformId: 'urn:ampas:aces:transformId:v1.5:ACEScsc.Academy.ACES_to_ACEScct.a1.0.3' },
      { stage: 'outputTransform', transformId: 'urn:ampas:aces:transformId:v1.5:RRTODT.Academy.Rec709_100nits_dim.a1.0.3' },
    ]);
    expect(() => parseAmf('<notAmf/>', 'x.amf')).toThrow('x.amf is not an ACES Metadata File');
  });
});
