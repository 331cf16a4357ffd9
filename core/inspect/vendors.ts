/**
 * Where each camera keeps each field, as data. A row reads one raw key, converts it to the
 * record's unit and names the record field it fills; the first row that yields a value wins,
 * so sources are listed most-trusted first (sidecars, then the vendor's own keys, then
 * generic container tags). Raw keys are namespaced by where they came from:
 *
 *   qt:    ffprobe container and video-stream tags (QuickTime mdta keys, MXF tags)
 *   mi:    MediaInfo fields, "Track.Field" or "Track.extra.Field"
 *   exif:  ExifTool tags (RED R3D headers, Canon, stills)
 *   sony:  the Sony NonRealTimeMeta sidecar (M01.XML), "Element.attribute" or acquisition item name
 *
 * Vendor keys and scales are modelled on the layouts the cameras write (ARRI's
 * com.arri.camera.* QuickTime keys with ×1000 rates, Sony's acquisition items with squeeze
 * ×100, RED's header tags as ExifTool names them).
 */
import * as c from './convert.ts';

export type Field =
  | 'clipName' | 'reel' | 'scene' | 'take' | 'recordedAt' | 'durationFrames' | 'projectFrameRate' | 'timecode.start' | 'timecode.rate' | 'timecode.halfStep'
  | 'camera.make' | 'camera.model' | 'camera.serialNumber' | 'camera.firmwareVersion' | 'camera.label' | 'camera.captureFrameRate'
  | 'camera.anamorphicSqueeze' | 'camera.isoSpeed' | 'camera.shutterAngle' | 'camera.shutterSpeed' | 'camera.sensorMode'
  | 'camera.whiteBalance' | 'camera.tint' | 'camera.ndStops' | 'camera.activeSensorResolution.width' | 'camera.activeSensorResolution.height'
  | 'camera.activeSensorPhysicalDimensions.width' | 'camera.activeSensorPhysicalDimensions.height'
  | 'lens.make' | 'lens.model' | 'lens.serialNumber' | 'lens.focalLength' | 'lens.nominalFocalLength' | 'lens.tStop' | 'lens.fStop' | 'lens.focusDistance'
  | 'colour.space' | 'colour.gamma' | 'colour.look' | 'video.width' | 'video.height' | 'video.bitDepth' | 'video.chroma' | 'video.codec';

export type Row = readonly [key: string, field: Field, convert: c.Converter];

export interface Vendor {
  make: string;
  /** Raw keys (or key prefixes ending in '*') whose presence says the clip is this vendor's. */
  marks: readonly string[];
  rows: readonly Row[];
}

const ARRI: Vendor = {
  make: 'ARRI',
  marks: ['qt:com.arri.*', 'mi:General.extra.com.arri.*'],
  rows: [
    ['qt:com.arri.camera.CameraModel', 'camera.model', c.text],
    ['qt:com.arri.camera.CameraSerialNumber', 'camera.serialNumber', c.text],
    ['qt:com.arri.camera.SupVersion', 'camera.firmwareVersion', c.text],
    ['qt:com.arri.camera.CameraIndex', 'camera.label', c.text],
    ['qt:com.arri.camera.ReelName', 'reel', c.text],
    ['qt:com.arri.slate.Scene', 'scene', c.text],
    ['qt:com.arri.slate.Take', 'take', c.text],
    ['qt:com.arri.camera.SensorFps', 'camera.captureFrameRate', c.rateMilli], // 23976 = 23.976 fps
    ['qt:com.arri.camera.ProjectFps', 'projectFrameRate', c.rateMilli],
    ['qt:com.arri.camera.ExposureIndexAsa', 'camera.isoSpeed', c.integer],
    ['qt:com.arri.camera.ShutterAngle', 'camera.shutterAngle', c.scaled(1000, 2)], // 1/1000 degree
    ['qt:com.arri.camera.WhiteBalanceKelvin', 'camera.whiteBalance', c.kelvin],
    ['qt:com.arri.camera.WhiteBalanceCc', 'camera.tint', c.tint],
    ['qt:com.arri.camera.NdFilterDensity', 'camera.ndStops', c.densityToStops(1000)], // 900 = ND 0.9 = 3 stops
    ['qt:com.arri.camera.SensorMode', 'camera.sensorMode', c.text],
    ['qt:com.arri.camera.LensSqueezeFactor', 'camera.anamorphicSqueeze', c.ratioTimes(1000)], // 2000 = 2×
    ['qt:com.arri.camera.ColorGamma', 'colour.gamma', c.gamma],
    ['qt:com.arri.camera.ColorGamut', 'colour.space', c.gamut],
    ['qt:com.arri.camera.LookName', 'colour.look', c.text],
    ['qt:com.arri.lens.LensModel', 'lens.model', c.text],
    ['qt:com.arri.lens.LensSerialNumber', 'lens.serialNumber', c.text],
    ['qt:com.arri.lens.LensFocalLength', 'lens.focalLength', c.millimetres(1000)], // 1/1000 mm
    ['qt:com.arri.lens.LensLinearIris', 'lens.tStop', c.apexMilliToStop], // 1/1000 APEX stop
    ['qt:com.arri.lens.LensFocusDistance', 'lens.focusDistance', c.metres(1000)], // mm
  ],
};

const SONY: Vendor = {
  make: 'Sony',
  marks: ['sony:Device.manufacturer', 'sony:Ltc.start'],
  rows: [
    ['sony:Device.manufacturer', 'camera.make', c.text],
    ['sony:Device.modelName', 'camera.model', c.text],
    ['sony:Device.serialNo', 'camera.serialNumber', c.text],
    ['sony:Ltc.start', 'timecode.start', c.text],
    ['sony:LtcChangeTable.tcFps', 'timecode.rate', c.integer],
    ['sony:LtcChangeTable.halfStep', 'timecode.halfStep', c.flag],
    ['sony:Duration.value', 'durationFrames', c.integer],
    ['sony:CreationDate.value', 'recordedAt', c.dateTime],
    ['sony:VideoFrame.captureFps', 'camera.captureFrameRate', c.rate],
    ['sony:VideoFrame.formatFps', 'projectFrameRate', c.rate],
    ['sony:VideoLayout.pixel', 'video.width', c.integer],
    ['sony:VideoLayout.numOfVerticalLine', 'video.height', c.integer],
    ['sony:CaptureGammaEquation', 'colour.gamma', c.gamma],
    ['sony:CaptureColorPrimaries', 'colour.space', c.gamut],
    ['sony:CaptureGammaEquation', 'colour.space', c.sonyGamut],
    ['sony:ISOSensitivity', 'camera.isoSpeed', c.integer],
    ['sony:ExposureIndexOfPhotoMeter', 'camera.isoSpeed', c.integer],
    ['sony:ShutterSpeed_Angle', 'camera.shutterAngle', c.degrees],
    ['sony:ShutterSpeed_Time', 'camera.shutterSpeed', c.seconds],
    ['sony:WhiteBalance', 'camera.whiteBalance', c.kelvin],
    ['sony:NeutralDensityFilterWheelSetting', 'camera.ndStops', c.ndFractionToStops],
    ['sony:AnamorphicLensSqueezeRatio', 'camera.anamorphicSqueeze', c.ratioTimes(100)], // 200 = 2×
    ['sony:CameraAttributes', 'camera.sensorMode', c.text],
    ['sony:LensAttributes', 'lens.model', c.text],
    ['sony:LensZoomActualFocalLength', 'lens.focalLength', c.millimetres()],
    ['sony:FocalLength', 'lens.focalLength', c.millimetres()],
    ['sony:IrisTNumber', 'lens.tStop', c.stop],
    ['sony:IrisFNumber', 'lens.fStop', c.stop],
    ['sony:FocusPositionFromImagePlane', 'lens.focusDistance', c.metres()],
    // The same acquisition metadata as MediaInfo reads it from the MXF itself (SMPTE RDD 18).
    ['mi:Other.extra.IrisFNumber', 'lens.fStop', c.rdd18Iris],
    ['mi:General.extra.CaptureGammaEquation', 'colour.gamma', c.gamma],
  ],
};

const RED: Vendor = {
  make: 'RED',
  marks: ['exif:RedcodeVersion', 'exif:REDCODE*', 'exif:CameraType', 'exif:Brain'],
  rows: [
    ['exif:CameraType', 'camera.model', c.text],
    ['exif:Model', 'camera.model', c.text],
    ['exif:CameraSerialNumber', 'camera.serialNumber', c.text],
    ['exif:SerialNumber', 'camera.serialNumber', c.text],
    ['exif:FirmwareVersion', 'camera.firmwareVersion', c.text],
    ['exif:ReelNumber', 'reel', c.text],
    ['exif:Take', 'take', c.text],
    ['exif:StartTimecode', 'timecode.start', c.text],
    ['exif:OriginalFrameRate', 'camera.captureFrameRate', c.rate],
    ['exif:FrameRate', 'projectFrameRate', c.rate],
    ['exif:ColorTemperature', 'camera.whiteBalance', c.kelvin],
    ['exif:Tint', 'camera.tint', c.tint],
    ['exif:ShutterAngle', 'camera.shutterAngle', c.degrees],
    ['exif:GammaCurve', 'colour.gamma', c.gamma],
    ['exif:ColorSpace', 'colour.space', c.gamut],
    ['exif:LensSerialNumber', 'lens.serialNumber', c.text],
  ],
};

/** Keys every camera or container may carry, read after the vendor's own. */
const GENERIC: Vendor = {
  make: '',
  marks: [],
  rows: [
    ['qt:reel_name', 'reel', c.text],
    ['qt:com.apple.quicktime.reel', 'reel', c.text],
    ['qt:com.apple.proapps.clipID', 'clipName', c.text],
    ['qt:com.apple.quicktime.make', 'camera.make', c.text],
    ['qt:com.apple.quicktime.model', 'camera.model', c.text],
    ['qt:com.apple.quicktime.camera.identifier', 'camera.label', c.text],
    ['qt:com.apple.quicktime.creationdate', 'recordedAt', c.dateTime],
    ['qt:timecode', 'timecode.start', c.text],
    ['qt:creation_time', 'recordedAt', c.dateTime],
    ['mi:General.Recorded_Date', 'recordedAt', c.dateTime],
    ['mi:General.Encoded_Date', 'recordedAt', c.dateTime],
    ['exif:Make', 'camera.make', c.text],
    ['exif:Model', 'camera.model', c.text],
    ['exif:SerialNumber', 'camera.serialNumber', c.text],
    ['exif:LensMake', 'lens.make', c.text],
    ['exif:LensModel', 'lens.model', c.text],
    ['exif:ISO', 'camera.isoSpeed', c.integer],
    ['exif:FNumber', 'lens.fStop', c.stop],
    ['exif:FocalLength', 'lens.focalLength', c.millimetres()],
    ['exif:FocusDistance', 'lens.focusDistance', c.metres()],
    ['exif:DateTimeOriginal', 'recordedAt', c.dateTime],
    ['exif:CreateDate', 'recordedAt', c.dateTime],
    ['exif:ImageWidth', 'video.width', c.integer],
    ['exif:ImageHeight', 'video.height', c.integer],
  ],
};

export const VENDORS: readonly Vendor[] = [ARRI, SONY, RED];
export const GENERIC_ROWS = GENERIC.rows;

/** Whether a raw key set carries one of the vendor's marks. */
export function isVendor(v: Vendor, keys: ReadonlySet<string>): boolean {
  return v.marks.some((m) => (m.endsWith('*') ? [...keys].some((k) => k.startsWith(m.slice(0, -1))) : keys.has(m)));
}
