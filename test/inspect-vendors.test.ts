/**
 * The vendor tables on fixed inputs shaped like each camera's files: Sony's NonRealTimeMeta
 * as a VENICE 2 with an AXS-R7, an F55, an FX9 and an FX6 write it, Canon's clip XML and the
 * tags ExifTool reads from a Cinema RAW Light clip, Blackmagic RAW's tags and .sidecar; the
 * camera roll read from what the camera wrote, never from a folder. Real files are in
 * inspect.test.ts.
 */
import { describe, expect, it } from 'vitest';
import * as c from '../core/inspect/convert.ts';
import { normalise, type ProbeBundle } from '../core/inspect/normalise.ts';
import { parseBrawSidecar } from '../core/inspect/probes/braw-sidecar.ts';
import { parseCanonXml } from '../core/inspect/probes/canon-xml.ts';
import { parseSonyXml } from '../core/inspect/probes/sony-xml.ts';
import { rollInClipName, rollOfReel } from '../core/inspect/roll.ts';
import { bundle, fileUnit, valid } from './helpers/bundles.ts';
import { brawSidecar, canonClipXml } from './helpers/raw-clips.ts';
import { sonyNrtXml, type SonyBody } from './helpers/sony.ts';

const sonyClip = (body: SonyBody, rel: string, extra: Partial<ProbeBundle> = {}) =>
  valid(normalise(bundle({ unit: fileUnit(rel, [rel.replace(/\.\w+$/, 'M01.XML')]), roll: undefined, sony: parseSonyXml(sonyNrtXml(body)), tools: ['ffprobe', 'sony-xml'], ...extra })));

/** What ExifTool 12.57 reports for BRAW_CLIP_METADATA's mdta keys (run on writeBraw's file), the numbers as -n gives them. */
const brawExifTags = (): Record<string, unknown> => ({
  MIMEType: 'video/quicktime',
  ImageWidth: 4096,
  ImageHeight: 2160,
  VideoFrameRate: 23.976,
  Manufacturer: 'Blackmagic Design',
  CameraId: '5c1e1f6a-93d2-4a77-9b43-2f0a8e6c1d45',
  CameraType: 'Blackmagic URSA Mini Pro 12K',
  FirmwareVersion: '7.9.1',
  BrawCompressionRatio: '8:1',
  BrawCodecBitrate: 805306368,
  ClipNumber: 'A007_11201403_C012',
  ReelName: 7,
  Scene: '21A',
  Take: 4,
  GoodTake: true,
  LensType: 'Zeiss Supreme Prime 35mm T1.5',
  CameraNumber: 'A',
  Anamorphic: '2x',
  AnamorphicEnable: 1,
  ViewingGamma: 'Blackmagic Design Film',
  ViewingGamut: 'Blackmagic Design',
  ViewingBmdgen: 5,
  Post_3dlutMode: 'Disabled',
  DateRecorded: '2026:11:20',
});

describe('camera rolls', () => {
  it('reads camera and roll from the clip names cameras write', () => {
    expect(rollInClipName('B002C014_261120XY')).toEqual({ camera: 'B', roll: 'B002' }); // Sony, Canon, ARRI
    expect(rollInClipName('A001_C003_1120AB')).toEqual({ camera: 'A', roll: 'A001' }); // RED
    expect(rollInClipName('A007_11201403_C012')).toEqual({ camera: 'A', roll: 'A007' }); // Blackmagic
    expect(rollInClipName('A_0003C035_250922_110738_a0V3O')).toEqual({ camera: 'A', roll: 'A_0003' }); // ALEXA 35
    expect(rollInClipName('DW0001C001_251020_111956_c1I7H')).toEqual({ camera: 'DW', roll: 'DW0001' });
    for (const none of ['C0001', 'Clip', 'A002_plate', 'NO NAME', 'XDROOT']) expect(rollInClipName(none)).toBeUndefined();
  });

  it('turns a recorded reel into a roll: a roll in front, or the camera index before a reel number', () => {
    expect(rollOfReel('A002R1AB')).toBe('A002');
    expect(rollOfReel('001', 'D')).toBe('D001'); // VENICE: Reel 001 on camera D
    expect(rollOfReel('7', 'A')).toBe('A007'); // Blackmagic reel_name 7 on camera A
    expect(rollOfReel('0002', 'A')).toBe('A_0002');
    expect(rollOfReel('001')).toBe('001');
    expect(rollOfReel('DAY1_UNIT2')).toBe('DAY1_UNIT2');
    expect(rollOfReel('  ')).toBeUndefined();
  });

  it('prefers the clip name, then the reel, then the offload roll; a folder is never a roll', () => {
    expect(normalise(bundle({ unit: fileUnit('Clip/B002C014_261120XY.MXF') })).roll).toBe('B002');
    const reelOnly = normalise(bundle({ unit: fileUnit('CLIP/C0001.MP4'), sony: { 'Device.manufacturer': 'Sony', 'User.CameraIndex': 'D', 'User.Reel': '001' } }));
    expect(reelOnly).toMatchObject({ roll: 'D001', reel: '001', camera: { label: 'D' } });
    expect(normalise(bundle({ unit: fileUnit('CLIP/C0001.MP4') })).roll).toBe('A001');
    expect(normalise(bundle({ unit: fileUnit('CLIP/C0001.MP4'), roll: undefined })).roll).toBeUndefined();
  });
});

describe('sidecar parsers', () => {
  it('reads Canon clip XML; another XML document is not Canon’s to read; no DOCTYPE', () => {
    expect(parseCanonXml(canonClipXml())).toMatchObject({ 'Device.Manufacturer': 'CANON', 'Device.ModelName': 'Canon EOS C70', 'Device.SerialNo': '023031000412', 'Device.FirmVersion': '1.0.5.1', Title: 'Night exterior', 'Location.Source': 'GPS' });
    expect(parseCanonXml('<?xml version="1.0"?><MediaProfile/>')).toBeUndefined();
    expect(() => parseCanonXml('<VideoClip xmlns="http://www.canon.com/ns/VideoClip"><Device>')).toThrow(/not well-formed/);
    expect(() => parseCanonXml('<!DOCTYPE v [<!ENTITY a "aaa">]><VideoClip><Title>&a;</Title></VideoClip>')).toThrow(/DOCTYPE is not allowed/);
  });

  it('reads a Blackmagic .sidecar as JSON, and refuses what is not a JSON object', () => {
    expect(parseBrawSidecar(brawSidecar({ scene: '9' }))).toMatchObject({ iso: '1600', white_balance_kelvin: '4300', gamma: 'Blackmagic Design Film', scene: '9' });
    expect(() => parseBrawSidecar('{"iso": 800')).toThrow(/not a JSON document/);
    expect(() => parseBrawSidecar('[1, 2]')).toThrow(/not a JSON object/);
  });

  it('names makers, looks, gamuts and absent serial numbers one way', () => {
    expect([c.make('CANON'), c.make('sony'), c.make('Leica')]).toEqual(['Canon', 'Sony', 'Leica']);
    expect(c.lookName('LUT:SL3SG3Ctos709.cube')).toBe('SL3SG3Ctos709.cube');
    expect([c.gamut('s-gamut3-cine'), c.gamut('rec709'), c.gamma('scene-linear')]).toEqual(['S-Gamut3.Cine', 'Rec.709', 'Linear']);
    // Sony XAVC bodies write all ones when they have no serial number to give (seen from an FX3 and an A6700).
    expect([c.serialNumber('4294967295'), c.serialNumber('0013452')]).toEqual([undefined, '0013452']);
    expect([c.stopOf('T')('T2.3'), c.stopOf('f')('T2.3'), c.stopOf('f')('f2.8')]).toEqual([2.3, undefined, 2.8]);
    expect([c.rateList('48,1,'), c.squeezeFactor('1.33x'), c.stopsCount('6')]).toEqual([{ num: 48, denom: 1 }, { num: 133, denom: 100 }, 6]);
  });
});

describe('Sony bodies', () => {
  it('VENICE 2 with an AXS-R7: the body is the camera, the recorder is kept apart; slate, lens and roll from the XML', () => {
    const rec = sonyClip('venice2', 'Clip/B002C014_261120XY.MXF');
    expect(rec.camera).toEqual({ make: 'Sony', model: 'MPC-3626', serialNumber: '0013452', firmwareVersion: '3.00', label: 'B', captureFrameRate: { num: 24000, denom: 1001 }, anamorphicSqueeze: { num: 1, denom: 1 }, isoSpeed: 1600, shutterAngle: 172.8, whiteBalance: 5600, ndStops: 3 });
    expect(rec.recorder).toEqual({ make: 'Sony', model: 'AXS-R7', serialNumber: '00021877', firmwareVersion: '7.01' });
    expect(rec.lens).toEqual({ model: 'S7i-40' });
    expect(rec.colour).toEqual({ gamma: 'Linear', look: 'SL3SG3Ctos709.cube' });
    expect(rec).toMatchObject({ roll: 'B002', reel: '002', scene: '12', take: '3', durationFrames: 240, timecode: { start: '10:21:25:12', rate: 24 } });
    // The raw XML is kept as Sony wrote it.
    expect(rec.raw.sonyXml).toMatchObject({ 'Device.modelName': 'AXS-R7', 'Camera.modelName': 'MPC-3626', 'User.Shot': '014' });
  });

  it('F55, FX9 and FX6: the one device is the camera, with no recorder', () => {
    const f55 = sonyClip('f55', 'Clip/A004C002_261120K1.MXF');
    expect(f55).toMatchObject({ roll: 'A004', camera: { make: 'Sony', model: 'PMW-F55', serialNumber: '0042117', firmwareVersion: '9.10', label: 'A', isoSpeed: 1250, shutterAngle: 180, whiteBalance: 3200 }, colour: { gamma: 'S-Log3', space: 'S-Gamut3.Cine' } });
    const fx9 = sonyClip('fx9', 'Clip/D004C001_261120XY.MXF');
    expect(fx9).toMatchObject({ roll: 'D004', camera: { model: 'PXW-FX9', label: 'D' }, lens: { model: 'FE C 16-35mm T3.1 G' }, colour: { gamma: 'S-Log3', space: 'S-Gamut3.Cine' } });
    const fx6 = sonyClip('fx6', 'CLIP/C0001.MP4');
    expect(fx6.camera).toEqual({ make: 'Sony', model: 'ILME-FX6V', captureFrameRate: { num: 60000, denom: 1001 } });
    expect(fx6).toMatchObject({ projectFrameRate: { num: 24000, denom: 1001 }, lens: { model: 'FE 24-70mm F2.8 GM II' } });
    // C0001 carries no roll and there is none in the XML: no roll rather than the folder's name.
    expect(fx6.roll).toBeUndefined();
    for (const r of [f55, fx9, fx6]) expect(r.recorder).toBeUndefined();
  });
});

describe('Canon and Blackmagic', () => {
  it('Canon CRM: the clip XML names the body, ExifTool the exposure and lens; roll from the clip name', () => {
    const exif = { MIMEType: 'video/x-canon-crm', CompressorVersion: 'CanonCRM0001/02.09.00/00.00.00', Make: 'Canon', Model: 'Canon EOS C70', SerialNumber: '023031000412', LensModel: 'RF24-70mm F2.8 L IS USM', ISO: 800, ExposureTime: 0.0208333, FNumber: 2.8, FocalLength: 35, ImageWidth: 4096, ImageHeight: 2160, VideoFrameRate: 23.976, DateTimeOriginal: '2026:11:20 14:03:07' };
    const rel = 'CONTENTS/CLIPS001/A003C013_261120CU_CANON.CRM';
    const rec = valid(normalise(bundle({ unit: fileUnit(rel, [rel.replace('.CRM', '.XML')]), roll: undefined, exif, canon: parseCanonXml(canonClipXml({ firmware: '1.0.6.1' })), tools: ['exiftool', 'canon-xml'] })));
    expect(rec.camera).toEqual({ make: 'Canon', model: 'Canon EOS C70', serialNumber: '023031000412', firmwareVersion: '1.0.6.1', label: 'A', isoSpeed: 800, shutterSpeed: 0.020833 });
    expect(rec.lens).toEqual({ model: 'RF24-70mm F2.8 L IS USM', fStop: 2.8, focalLength: 35 });
    expect(rec).toMatchObject({ kind: 'video', container: 'Cinema RAW Light', roll: 'A003', projectFrameRate: { num: 24000, denom: 1001 }, video: { width: 4096, height: 2160 }, recordedAt: '2026-11-20T14:03:07' });
    expect(rec.raw.canonXml).toMatchObject({ 'Device.FirmVersion': '1.0.6.1' });
    // Without the XML, the CRM's own boxes still say Canon (ExifTool's CompressorVersion).
    const alone = valid(normalise(bundle({ unit: fileUnit('A_0002C015X261120_140307EJ_CANON.CRM'), exif, tools: ['exiftool'] })));
    expect(alone).toMatchObject({ roll: 'A_0002', camera: { make: 'Canon', model: 'Canon EOS C70', label: 'A' } });
  });

  it('Blackmagic RAW: the .sidecar wins over the clip; a BRAW is not taken for a RED because both say CameraType', () => {
    const rel = 'A007_11201403_C012.braw';
    const rec = valid(normalise(bundle({ unit: fileUnit(rel, ['A007_11201403_C012.sidecar']), roll: undefined, exif: brawExifTags(), braw: parseBrawSidecar(brawSidecar({ aperture: 'T2.3', focal_length: '35mm', distance: '1200mm', shutter_type: 'Angle', shutter_value: '172.8°', internal_nd: '2', sensor_rate: '48,1,' })), tools: ['exiftool', 'braw-sidecar'] })));
    expect(rec.camera).toEqual({
      make: 'Blackmagic Design',
      model: 'Blackmagic URSA Mini Pro 12K',
      serialNumber: '5c1e1f6a-93d2-4a77-9b43-2f0a8e6c1d45',
      firmwareVersion: '7.9.1',
      label: 'A',
      isoSpeed: 1600,
      whiteBalance: 4300,
      tint: 6,
      shutterAngle: 172.8,
      ndStops: 2,
      captureFrameRate: { num: 48, denom: 1 },
      anamorphicSqueeze: { num: 2, denom: 1 },
    });
    expect(rec.lens).toEqual({ model: 'Zeiss Supreme Prime 35mm T1.5', tStop: 2.3, focalLength: 35, focusDistance: 1.2 });
    expect(rec.colour).toEqual({ gamma: 'Blackmagic Film', space: 'Blackmagic Wide Gamut' });
    expect(rec).toMatchObject({ container: 'BRAW', roll: 'A007', reel: '7', scene: '21B', take: '4', recordedAt: '2026-11-20', projectFrameRate: { num: 24000, denom: 1001 } });
    // The clip alone: its own tags, the roll from reel 7 on camera A if its name carried none.
    const clipOnly = valid(normalise(bundle({ unit: fileUnit('clip.braw'), roll: undefined, exif: brawExifTags(), tools: ['exiftool'] })));
    expect(clipOnly).toMatchObject({ roll: 'A007', scene: '21A', camera: { make: 'Blackmagic Design', model: 'Blackmagic URSA Mini Pro 12K' }, colour: { gamma: 'Blackmagic Film', space: 'Blackmagic Design' } });
    expect(clipOnly.camera.anamorphicSqueeze).toEqual({ num: 2, denom: 1 });
    const flat = valid(normalise(bundle({ unit: fileUnit('clip.braw'), exif: { ...brawExifTags(), AnamorphicEnable: 0 }, tools: ['exiftool'] })));
    expect(flat.camera.anamorphicSqueeze).toBeUndefined();
  });
});
