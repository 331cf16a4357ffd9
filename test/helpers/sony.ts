/**
 * Sony cards as the cameras lay them out, written by the tests: a real ffmpeg clip and the
 * NonRealTimeMeta sidecar (…M01.XML) beside it. The XML follows the element order and the
 * names Sony bodies write — XDCAM-style XDROOT/Clip MXF with X-OCN items for VENICE (an
 * AXS-R7 recorder as <Device>, the body as <Camera>, user descriptive metadata with camera
 * index and reel), F55 and FX9; XAVC's PRIVATE/M4ROOT/CLIP MP4 for the FX6 — with values of
 * our own. Nothing here is copied from a camera.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type SonyBody = 'venice2' | 'f55' | 'fx9' | 'fx6';

interface SonyUnit {
  manufacturer: string;
  modelName: string;
  serialNo: string;
  software?: string;
}

interface SonyLayout {
  /** The card folder clips go in, and their extension. */
  folder: string;
  ext: 'MXF' | 'MP4';
  /** <Device>: the recorder that wrote the file. */
  device: SonyUnit;
  /** <Camera>: the body, written only when the recorder is another device. */
  camera?: SonyUnit;
  lens?: { manufacturer?: string; modelName: string };
  video: { codec: string; captureFps: string; formatFps: string; pixel: number; lines: number; aspect: string };
  tcFps: number;
  /** AcquisitionRecord groups: name → [item, value][]. */
  acquisition: Record<string, [string, string][]>;
  /** UserDescriptiveMetadata: [Meta name, content][]. */
  user?: [string, string][];
}

/** What an XAVC body records by default in S-Log3: gamma, primaries and the coding equations. */
const XAVC_SLOG3: SonyLayout['acquisition'] = {
  CameraUnitMetadataSet: [
    ['CaptureGammaEquation', 's-log3-cine'],
    ['CaptureColorPrimaries', 's-gamut3-cine'],
    ['CodingEquations', 'rec709'],
  ],
};
const UHD_XAVC = { codec: 'AVC_3840_2160_HP@L51', pixel: 3840, lines: 2160, aspect: '16:9' };

export const SONY_LAYOUTS: Record<SonyBody, SonyLayout> = {
  // VENICE 2 recording X-OCN through an AXS-R7: the recorder is <Device>, the body <Camera>;
  // shutter angle in 1/100 degree, ND as transmittance, CineEI with its base ISO.
  venice2: {
    folder: 'XDROOT/Clip',
    ext: 'MXF',
    device: { manufacturer: 'Sony', modelName: 'AXS-R7', serialNo: '00021877', software: '7.01' },
    camera: { manufacturer: 'Sony', modelName: 'MPC-3626', serialNo: '0013452', software: '3.00' },
    lens: { manufacturer: '', modelName: 'S7i-40                        ' },
    video: { codec: 'F55_X-OCN_ST_8.6K_3:2', captureFps: '23.98p', formatFps: '23.98p', pixel: 8640, lines: 5760, aspect: '3:2' },
    tcFps: 24,
    acquisition: {
      LensUnitMetadataSet: [
        ['AnamorphicLensSqueezeRatio', '100'],
        ['LensAttributes', '7040.0212'],
      ],
      CameraUnitMetadataSet: [
        ['ExposureIndexOfPhotoMeter', '1600'],
        ['NeutralDensityFilterWheelSetting', '8'],
        ['ImageSensorReadoutMode', 'ProgressiveFrame'],
        ['ShutterSpeedAngle', '17280'],
        ['ISOSensitivity', '3200'],
        ['WhiteBalance', '5600'],
        ['CaptureGammaEquation', 'scene-linear'],
        ['GammaForCDL', 'rec709'],
        ['CameraAttributes', 'MPC-3626 0013452 Version3.00'],
      ],
      SonyF65CameraMetadataSet: [
        ['PixelAspectRatio', '1:1'],
        ['GammaForLook', 's-log3-cine'],
        ['ColorForLook', 's-gamut3-cine'],
        ['MonitoringDescriptions', 'LUT:SL3SG3Ctos709.cube'],
      ],
    },
    user: [
      ['Circle', ''],
      ['Project', 'Rushes'],
      ['CameraIndex', 'B'],
      ['Reel', '002'],
      ['Scene', '12'],
      ['Cut', ''],
      ['Take', '3'],
      ['Shot', '014'],
    ],
  },
  // F55 recording XAVC to SxS: one device, camera and recorder in one.
  f55: {
    folder: 'XDROOT/Clip',
    ext: 'MXF',
    device: { manufacturer: 'Sony', modelName: 'PMW-F55', serialNo: '0042117', software: '9.10' },
    video: { ...UHD_XAVC, captureFps: '25p', formatFps: '25p' },
    tcFps: 25,
    acquisition: {
      CameraUnitMetadataSet: [
        ['ExposureIndexOfPhotoMeter', '1250'],
        ['ShutterSpeedAngle', '18000'],
        ['WhiteBalance', '3200'],
        ['CaptureGammaEquation', 's-log3-cine'],
        ['CaptureColorPrimaries', 's-gamut3-cine'],
      ],
    },
  },
  // FX9 recording XAVC-I to XQD.
  fx9: {
    folder: 'XDROOT/Clip',
    ext: 'MXF',
    device: { manufacturer: 'Sony', modelName: 'PXW-FX9', serialNo: '0200231' },
    lens: { modelName: 'FE C 16-35mm T3.1 G' },
    video: { ...UHD_XAVC, captureFps: '23.98p', formatFps: '23.98p' },
    tcFps: 24,
    acquisition: XAVC_SLOG3,
  },
  // FX6 recording XAVC to an SD card: MP4 in PRIVATE/M4ROOT/CLIP, clips named C0001.
  fx6: {
    folder: 'PRIVATE/M4ROOT/CLIP',
    ext: 'MP4',
    device: { manufacturer: 'Sony', modelName: 'ILME-FX6V', serialNo: '4294967295' },
    lens: { modelName: 'FE 24-70mm F2.8 GM II' },
    video: { ...UHD_XAVC, captureFps: '59.94p', formatFps: '23.98p' },
    tcFps: 24,
    acquisition: XAVC_SLOG3,
  },
};

const unitXml = (tag: string, u: SonyUnit) =>
  u.software ? `\t<${tag} manufacturer="${u.manufacturer}" modelName="${u.modelName}" serialNo="${u.serialNo}">\n\t\t<Element hardware="Main-Board" software="${u.software}"/>\n\t</${tag}>\n` : `\t<${tag} manufacturer="${u.manufacturer}" modelName="${u.modelName}" serialNo="${u.serialNo}"/>\n`;

/** The clip's NonRealTimeMeta, in the element order Sony writes. `ltc` is Sony's frame-second-minute-hour digit pairs. */
export function sonyNrtXml(body: SonyBody, o: { duration?: number; ltc?: string } = {}): string {
  const l = SONY_LAYOUTS[body];
  const duration = o.duration ?? 240;
  const groups = Object.entries(l.acquisition)
    .map(([name, items]) => `\t\t<Group name="${name}">\n${items.map(([n, v]) => `\t\t\t<Item name="${n}" value="${v}"/>\n`).join('')}\t\t</Group>\n`)
    .join('');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<NonRealTimeMeta xmlns="urn:schemas-professionalDisc:nonRealTimeMeta:ver.2.20" xmlns:lib="urn:schemas-professionalDisc:lib:ver.2.10" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" lastUpdate="2026-11-20T14:05:00+01:00">\n` +
    `\t<TargetMaterial umidRef="060A2B340101010501010D43130000005E2C11A4B27005D1080046020001F3A9"/>\n` +
    `\t<Duration value="${duration}"/>\n` +
    `\t<LtcChangeTable tcFps="${l.tcFps}" halfStep="false">\n\t\t<LtcChange frameCount="0" value="${o.ltc ?? '12252110'}" status="increment"/>\n\t\t<LtcChange frameCount="${duration - 1}" value="11352110" status="end"/>\n\t</LtcChangeTable>\n` +
    `\t<CreationDate value="2026-11-20T14:03:07+01:00"/>\n` +
    `\t<KlvPacketTable>\n\t\t<KlvPacket key="060E2B34010101050301020A02000000" frameCount="0" lengthValue="095F5265635374617274" status="spot"/>\n\t</KlvPacketTable>\n` +
    `\t<VideoFormat>\n\t\t<VideoRecPort port="DIRECT"/>\n\t\t<VideoFrame videoCodec="${l.video.codec}" captureFps="${l.video.captureFps}" formatFps="${l.video.formatFps}"/>\n` +
    `\t\t<VideoLayout pixel="${l.video.pixel}" numOfVerticalLine="${l.video.lines}" aspectRatio="${l.video.aspect}"/>\n\t</VideoFormat>\n` +
    `\t<AudioFormat numOfChannel="2">\n\t\t<AudioRecPort port="DIRECT" audioCodec="LPCM24" trackDst="CH1"/>\n\t\t<AudioRecPort port="DIRECT" audioCodec="LPCM24" trackDst="CH2"/>\n\t</AudioFormat>\n` +
    unitXml('Device', l.device) +
    (l.camera ? unitXml('Camera', l.camera) : '') +
    (l.lens ? `\t<Lens${l.lens.manufacturer !== undefined ? ` manufacturer="${l.lens.manufacturer}"` : ''} modelName="${l.lens.modelName}"/>\n` : '') +
    `\t<RecordingMode type="normal" cacheRec="false"/>\n` +
    `\t<AcquisitionRecord>\n${groups}\t\t<ChangeTable name="ImagerControlInformation">\n\t\t\t<Event frameCount="0" status="start"/>\n\t\t</ChangeTable>\n\t</AcquisitionRecord>\n` +
    (l.user ? `\t<UserDescriptiveMetadata>\n${l.user.map(([n, v]) => `\t\t<Meta name="${n}" content="${v}"/>\n`).join('')}\t</UserDescriptiveMetadata>\n` : '') +
    `</NonRealTimeMeta>\n`
  );
}

/**
 * One Sony clip on a card at `root`: the media (a real ffmpeg MXF or MP4 with a timecode
 * track) in the body's clip folder and its M01.XML. Returns the clip file's path.
 */
export function writeSonyClip(root: string, body: SonyBody, clip: string, o: { timecode?: string } = {}): string {
  const l = SONY_LAYOUTS[body];
  const file = join(root, l.folder, `${clip}.${l.ext}`);
  mkdirSync(dirname(file), { recursive: true });
  const codec = l.ext === 'MXF' ? ['-c:v', 'mpeg2video', '-f', 'mxf'] : ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-f', 'mp4'];
  execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=24000/1001', '-t', '0.5', ...codec, '-timecode', o.timecode ?? '10:21:25:12', file]);
  // Half a second at 23.976: the XML's duration is the file's, as on a card.
  writeFileSync(join(root, l.folder, `${clip}M01.XML`), sonyNrtXml(body, { duration: 12 }));
  return file;
}
