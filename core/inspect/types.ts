/**
 * The normalised clip record (schemas/clip.schema.json). Camera and lens fields follow
 * SMPTE camdkit's names and units where camdkit has them (make, model, serialNumber,
 * captureFrameRate, anamorphicSqueeze, isoSpeed, shutterAngle, activeSensor*,
 * nominalFocalLength, fStop, tStop, focusDistance) and extend them where it does not
 * (white balance, ND, sensor mode, look, colour space). Every camera field is optional:
 * a record says only what the files said.
 */

/** An exact rate or ratio: 24000/1001, not 23.976. */
export interface Rational {
  num: number;
  denom: number;
}

export interface Timecode {
  /** "HH:MM:SS:FF", or "HH:MM:SS;FF" when drop-frame. */
  start: string;
  /** The timecode of the last frame (start + durationFrames − 1). */
  end?: string;
  /** Timecode base, frames per second (24, 25, 30…). */
  rate: number;
  dropFrame: boolean;
}

export interface CameraInfo {
  make?: string;
  model?: string;
  serialNumber?: string;
  firmwareVersion?: string;
  /** Camera index / unit letter (A, B, …). camdkit: label. */
  label?: string;
  /** Sensor (capture) frame rate, Hz. */
  captureFrameRate?: Rational;
  /** camdkit: a ratio (2/1 for a 2× anamorphic). */
  anamorphicSqueeze?: Rational;
  /** Arithmetic ISO (ISO 12232), the exposure index the camera was set to. */
  isoSpeed?: number;
  /** Degrees, (0, 360]. */
  shutterAngle?: number;
  /** Seconds (a fraction like 1/48 as a number). */
  shutterSpeed?: number;
  /** Millimetres. */
  activeSensorPhysicalDimensions?: { width: number; height: number };
  /** Photosites. */
  activeSensorResolution?: { width: number; height: number };
  /** The recording's sensor mode as the camera names it ("4.6K 3:2 Open Gate"). */
  sensorMode?: string;
  /** Kelvin. */
  whiteBalance?: number;
  /** Green–magenta correction in CC units (+ is magenta). */
  tint?: number;
  /** Neutral density in stops (ND 0.9 = 3 stops). */
  ndStops?: number;
}

/**
 * A recorder that is not the camera body: a VENICE's AXS-R7, an external raw recorder.
 * Named in the style of camdkit's devices (make, model, serialNumber, firmwareVersion),
 * which has no recorder of its own.
 */
export interface RecorderInfo {
  make?: string;
  model?: string;
  serialNumber?: string;
  firmwareVersion?: string;
}

export interface LensInfo {
  make?: string;
  model?: string;
  serialNumber?: string;
  /** Millimetres: the focal length at the start of the clip (a zoom's current setting). */
  focalLength?: number;
  /** Millimetres, for primes. */
  nominalFocalLength?: number;
  tStop?: number;
  fStop?: number;
  /** Metres. */
  focusDistance?: number;
}

export interface ColourInfo {
  /** Gamut / primaries ("ARRI Wide Gamut 4", "S-Gamut3.Cine", "REDWideGamutRGB", "Rec.709"). */
  space?: string;
  /** Transfer ("LogC4", "LogC3", "S-Log3", "Log3G10", "Rec.709"). */
  gamma?: string;
  /** The look or LUT the camera monitored with. */
  look?: string;
}

export interface VideoInfo {
  codec?: string;
  /** Profile or flavour ("4444 XQ", "HQ"). */
  profile?: string;
  width?: number;
  height?: number;
  pixelAspectRatio?: Rational;
  bitDepth?: number;
  chroma?: string;
}

export interface AudioInfo {
  tracks: number;
  channels: number;
  sampleRate?: number;
  bitDepth?: number;
  codec?: string;
}

export interface SequenceInfo {
  /** Pattern with the frame number as #### ("A001_plate.#######.dpx"). */
  pattern: string;
  firstFrame: number;
  lastFrame: number;
  frameCount: number;
  /** Frame numbers absent from firstFrame..lastFrame (the first 1000). */
  missingFrames: number[];
  missingCount: number;
}

export interface SourceInfo {
  /** Absolute path of the clip: its file, or the folder of a sequence or multi-file clip. */
  path: string;
  /** The roll folder (the offload's destination folder, or the folder inspected). */
  root: string;
  /** Path relative to the roll folder, '/'-separated. */
  relativePath: string;
  /** Bytes, over all the clip's files. */
  size: number;
  files: number;
  /** Hashes from the offload, per file relative path: { "A001C001.mov": { "xxh64": "…" } }. */
  hashes?: Record<string, Record<string, string>>;
  offloadId?: string;
}

export interface InspectionIssue {
  /** Stable: TRUNCATED, UNREADABLE, UNKNOWN_FORMAT, EMPTY, TOOL_TIMEOUT, TOOL_FAILED, TOOL_MISSING, SIDECAR_INVALID, SEQUENCE_GAPS. */
  code: string;
  message: string;
  /** The file the issue is about. */
  path?: string;
  tool?: string;
}

export interface ClipRecord {
  schemaVersion: 1;
  clipName: string;
  roll?: string;
  reel?: string;
  scene?: string;
  take?: string;
  /** Video, image sequence, audio only, or a file no tool could read. */
  kind: 'video' | 'sequence' | 'audio' | 'unknown';
  /** File format ("QuickTime", "MXF", "DPX", "OpenEXR", "R3D", "BRAW"). */
  container?: string;
  /** The camera body; a separate recorder is `recorder`. */
  camera: CameraInfo;
  /** Present only when the clip was recorded by a device other than the camera body. */
  recorder?: RecorderInfo;
  lens: LensInfo;
  colour: ColourInfo;
  video: VideoInfo;
  audio?: AudioInfo;
  timecode?: Timecode;
  /** Project (timebase) frame rate, Hz. */
  projectFrameRate?: Rational;
  durationFrames?: number;
  /** Seconds. */
  durationSeconds?: number;
  /** ISO 8601 date-time of the recording, as the camera stated it. */
  recordedAt?: string;
  sequence?: SequenceInfo;
  source: SourceInfo;
  /** What each tool and sidecar said, unchanged, keyed by source ("ffprobe", "sonyXml", "canonXml", "brawSidecar", "dpx", …). */
  raw: Record<string, unknown>;
  inspection: {
    /** ok: every probe answered; partial: some did; failed: none could read the clip. */
    status: 'ok' | 'partial' | 'failed';
    tools: string[];
    issues: InspectionIssue[];
    inspectedAt: string;
    rushesVersion: string;
  };
}
