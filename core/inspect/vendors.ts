/**
 * Where each camera keeps each field, as data. A row reads one raw key, converts it to the
 * record's unit and names the record field it fills; the first row that yields a value wins,
 * so sources are listed most-trusted first (sidecars, then the vendor's own keys, then
 * generic container tags). Raw keys are namespaced by where they came from:
 *
 *   qt:     ffprobe container and video-stream tags (QuickTime mdta keys, MXF tags)
 *   mi:     MediaInfo fields, "Track.Field" or "Track.extra.Field"
 *   exif:   ExifTool tags (RED R3D headers, Canon CRM, Blackmagic RAW's QuickTime keys, stills)
 *   sony:   the Sony NonRealTimeMeta sidecar (M01.XML), "Element.attribute", acquisition item name or "User.Meta name"
 *   canon:  Canon's clip XML (VideoClip), "Device.ModelName"
 *   braw:   a Blackmagic RAW .sidecar (JSON), the SDK's metadata names
 *
 * The camera body is the camera; a recorder that is a different device (Sony's Device when
 * the XML also names the Camera) fills `recorder`, by a row that holds only when the body is
 * named too. Vendor keys and scales are modelled on the layouts the cameras write (ARRI's
 * com.arri.camera.* QuickTime keys with ×1000 rates, Sony's acquisition items with squeeze
 * ×100 and shutter angle in 1/100 degree, RED's header tags as ExifTool names them,
 * Blackmagic's mdta keys as ExifTool names them: camera_type → CameraType).
 */
import * as c from './convert.ts';

export type Field =
  | 'clipName' | 'reel' | 'scene' | 'take' | 'recordedAt' | 'durationFrames' | 'projectFrameRate' | 'timecode.start' | 'timecode.rate' | 'timecode.halfStep'
  | 'camera.make' | 'camera.model' | 'camera.serialNumber' | 'camera.firmwareVersion' | 'camera.label' | 'camera.captureFrameRate'
  | 'camera.anamorphicSqueeze' | 'camera.isoSpeed' | 'camera.shutterAngle' | 'camera.shutterSpeed' | 'camera.sensorMode'
  | 'camera.whiteBalance' | 'camera.tint' | 'camera.ndStops' | 'camera.activeSensorResolution.width' | 'camera.activeSensorResolution.height'
  | 'camera.activeSensorPhysicalDimensions.width' | 'camera.activeSensorPhysicalDimensions.height'
  | 'recorder.make' | 'recorder.model' | 'recorder.serialNumber' | 'recorder.firmwareVersion'
  | 'lens.make' | 'lens.model' | 'lens.serialNumber' | 'lens.focalLength' | 'lens.nominalFocalLength' | 'lens.tStop' | 'lens.fStop' | 'lens.focusDistance'
  | 'colour.space' | 'colour.gamma' | 'colour.look' | 'video.width' | 'video.height' | 'video.bitDepth' | 'video.chroma' | 'video.codec';

/** A raw key that must be present (`key`), or present with a value (`key=value`, `key=prefix*`), for a mark or a row to hold. */
export type Condition = string;

export type Row = readonly [key: string, field: Field, convert: c.Converter, when?: Condition];

export interface Vendor {
  make: string;
  /** Conditions (key prefixes ending in '*' allowed) of which any says the clip is this vendor's. */
  marks: readonly Condition[];
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
  marks: ['sony:Device.manufacturer', 'sony:Camera.manufacturer', 'sony:Ltc.start'],
  rows: [
    // The body: <Camera> when a recorder (<Device>, an AXS-R7 on a VENICE) records for it, else <Device>.
    ['sony:Camera.manufacturer', 'camera.make', c.make],
    ['sony:Camera.modelName', 'camera.model', c.text],
    ['sony:Camera.serialNo', 'camera.serialNumber', c.serialNumber],
    ['sony:Camera.software', 'camera.firmwareVersion', c.text],
    ['sony:Device.manufacturer', 'camera.make', c.make],
    ['sony:Device.modelName', 'camera.model', c.text],
    ['sony:Device.serialNo', 'camera.serialNumber', c.serialNumber],
    ['sony:Device.software', 'camera.firmwareVersion', c.text],
    ['sony:Device.manufacturer', 'recorder.make', c.make, 'sony:Camera.modelName'],
    ['sony:Device.modelName', 'recorder.model', c.text, 'sony:Camera.modelName'],
    ['sony:Device.serialNo', 'recorder.serialNumber', c.serialNumber, 'sony:Camera.modelName'],
    ['sony:Device.software', 'recorder.firmwareVersion', c.text, 'sony:Camera.modelName'],
    ['sony:User.CameraIndex', 'camera.label', c.text],
    ['sony:User.Reel', 'reel', c.text],
    ['sony:User.Scene', 'scene', c.text],
    ['sony:User.Take', 'take', c.text],
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
    // CineEI: the exposure index the operator rated at, before the sensor's base ISO.
    ['sony:ExposureIndexOfPhotoMeter', 'camera.isoSpeed', c.integer],
    ['sony:ISOSensitivity', 'camera.isoSpeed', c.integer],
    ['sony:ShutterSpeedAngle', 'camera.shutterAngle', c.scaled(100, 2)], // VENICE: 1/100 degree, 17280 = 172.8°
    ['sony:ShutterSpeed_Angle', 'camera.shutterAngle', c.degrees],
    ['sony:ShutterSpeed_Time', 'camera.shutterSpeed', c.seconds],
    ['sony:WhiteBalance', 'camera.whiteBalance', c.kelvin],
    ['sony:NeutralDensityFilterWheelSetting', 'camera.ndStops', c.ndFractionToStops],
    ['sony:AnamorphicLensSqueezeRatio', 'camera.anamorphicSqueeze', c.ratioTimes(100)], // 200 = 2×
    ['sony:MonitoringDescriptions', 'colour.look', c.lookName],
    ['sony:Lens.manufacturer', 'lens.make', c.text],
    ['sony:Lens.modelName', 'lens.model', c.text],
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

/**
 * Canon Cinema RAW Light and XF-AVC: the clip XML's Device first, then what ExifTool reads
 * from the CRM itself (its CMT boxes: Make, Model, lens and exposure; CNCV, which ExifTool
 * calls CompressorVersion, is "CanonCRM…" in every CRM).
 */
const CANON: Vendor = {
  make: 'Canon',
  marks: ['canon:Device.Manufacturer', 'canon:Device.ModelName', 'exif:CompressorVersion=CanonCRM*', 'exif:Make=Canon'],
  rows: [
    ['canon:Device.Manufacturer', 'camera.make', c.make],
    ['canon:Device.ModelName', 'camera.model', c.text],
    ['canon:Device.SerialNo', 'camera.serialNumber', c.serialNumber],
    ['canon:Device.FirmVersion', 'camera.firmwareVersion', c.text],
    // Make, Model, SerialNumber, LensModel, ISO, FNumber, FocalLength and dates are the generic ExifTool rows.
    ['exif:InternalSerialNumber', 'camera.serialNumber', c.serialNumber],
    ['exif:FirmwareVersion', 'camera.firmwareVersion', c.text],
    ['exif:LensSerialNumber', 'lens.serialNumber', c.text],
    ['exif:ExposureTime', 'camera.shutterSpeed', c.seconds],
  ],
};

/**
 * Blackmagic RAW: a .sidecar beside the clip wins over what the clip embeds (Blackmagic's
 * rule); the clip's own metadata is QuickTime mdta keys that ExifTool names CamelCase
 * (camera_type → CameraType, reel_name → ReelName, braw_compression_ratio → BrawCompressionRatio).
 */
const BLACKMAGIC: Vendor = {
  make: 'Blackmagic Design',
  marks: ['braw:*', 'exif:BrawCompressionRatio', 'exif:BrawCodecBitrate', 'exif:Manufacturer=Blackmagic Design'],
  rows: [
    ...bmd('manufacturer', 'camera.make', c.make),
    ...bmd('camera_type', 'camera.model', c.text),
    ...bmd('camera_id', 'camera.serialNumber', c.serialNumber),
    ...bmd('firmware_version', 'camera.firmwareVersion', c.text),
    ...bmd('camera_number', 'camera.label', c.text),
    ...bmd('reel_name', 'reel', c.text),
    ...bmd('scene', 'scene', c.text),
    ...bmd('take', 'take', c.text),
    ...bmd('lens_type', 'lens.model', c.text),
    ...bmd('iso', 'camera.isoSpeed', c.integer),
    ...bmd('white_balance_kelvin', 'camera.whiteBalance', c.kelvin),
    ...bmd('white_balance_tint', 'camera.tint', c.tint),
    ...bmd('shutter_value', 'camera.shutterAngle', c.degrees, 'shutter_type=Angle'),
    ...bmd('internal_nd', 'camera.ndStops', c.stopsCount),
    ...bmd('sensor_rate', 'camera.captureFrameRate', c.rateList),
    ...bmd('anamorphic', 'camera.anamorphicSqueeze', c.squeezeFactor, 'anamorphic_enable=1'),
    ...bmd('aperture', 'lens.tStop', c.stopOf('T')),
    ...bmd('aperture', 'lens.fStop', c.stopOf('f')),
    ...bmd('focal_length', 'lens.focalLength', c.millimetres()),
    ...bmd('distance', 'lens.focusDistance', c.metres(1000)), // "991mm"
    // The sidecar names the processing gamma and gamut; the clip names the ones it was viewed in.
    ['braw:gamma', 'colour.gamma', c.gamma],
    ['braw:gamut', 'colour.space', c.gamut],
    ...bmd('viewing_gamma', 'colour.gamma', c.gamma),
    ...bmd('viewing_gamut', 'colour.space', c.gamut),
    ...bmd('date_recorded', 'recordedAt', c.dateTime),
  ],
};

/** A Blackmagic metadata name's two rows: the .sidecar's value, then the clip's as ExifTool names it. */
function bmd(name: string, field: Field, convert: c.Converter, when?: string): Row[] {
  const [k, v] = when?.split('=') ?? [];
  return [
    ['braw:' + name, field, convert, when ? `braw:${k}=${v}` : undefined],
    ['exif:' + exifToolKeyName(name), field, convert, when ? `exif:${exifToolKeyName(k!)}=${v}` : undefined],
  ];
}

/** The tag name ExifTool gives a QuickTime mdta key it does not know (its Keys rule): camera_type → CameraType, post_3dlut_mode → Post_3dlutMode. */
function exifToolKeyName(key: string): string {
  return (key.charAt(0).toUpperCase() + key.slice(1))
    .replace(/[^-0-9a-zA-Z_. ]/g, '')
    .replace(/[. ]+(.?)/g, (_, ch: string) => ch.toUpperCase())
    .replace(/_([a-z])/g, (_, ch: string) => `_${ch.toUpperCase()}`)
    .replace(/([a-z])_([A-Z])/g, '$1$2');
}

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
    ['exif:VideoFrameRate', 'projectFrameRate', c.rate],
    ['exif:ImageWidth', 'video.width', c.integer],
    ['exif:ImageHeight', 'video.height', c.integer],
  ],
};

// Blackmagic before RED: both have a CameraType tag, and only Blackmagic's clips carry its other marks.
export const VENDORS: readonly Vendor[] = [ARRI, SONY, CANON, BLACKMAGIC, RED];
export const GENERIC_ROWS = GENERIC.rows;

/** Whether raw facts satisfy a condition: a key (or key prefix ending in '*') present, or `key=value` (value prefix ending in '*'). */
export function holds(condition: Condition, facts: ReadonlyMap<string, c.Raw>): boolean {
  const eq = condition.indexOf('=');
  const [key, want] = eq < 0 ? [condition, undefined] : [condition.slice(0, eq), condition.slice(eq + 1)];
  const matches = (k: string) => {
    if (want === undefined) return true;
    const v = String(facts.get(k)).trim();
    return want.endsWith('*') ? v.startsWith(want.slice(0, -1)) : v === want;
  };
  if (key.endsWith('*')) return [...facts.keys()].some((k) => k.startsWith(key.slice(0, -1)) && matches(k));
  return facts.has(key) && matches(key);
}

/** Whether raw facts carry one of the vendor's marks. */
export function isVendor(v: Vendor, facts: ReadonlyMap<string, c.Raw>): boolean {
  return v.marks.some((m) => holds(m, facts));
}
