/**
 * What the daemon's HTTP API sends (docs/api.md), as far as the UI reads it. The UI talks to
 * the engine only over HTTP, so these shapes are the wire's, written down here rather than
 * imported from core/.
 */

export interface ApiErrorBody {
  error: { code: string; message: string; path?: string };
}

export type CardState = 'detected' | 'waiting' | 'offloading' | 'verified' | 'copied' | 'duplicate' | 'conflict' | 'failed';

export interface WireError {
  code: string;
  message: string;
  path?: string;
}

export interface Card {
  id: number;
  path: string;
  present: boolean;
  state: CardState;
  label?: string;
  camera?: string;
  roll?: string;
  clips?: number;
  files?: number;
  bytes?: number;
  targets: string[];
  jobId?: number;
  relatedCard?: number;
  safeToEject: boolean;
  /** The card's copy in cloud storage, when the daemon syncs (docs/sync.md). */
  cloud?: 'queued' | 'uploading' | 'synced' | 'failed';
  error?: WireError;
  detectedAt: number;
  finishedAt?: number;
  updatedAt: number;
}

export type JobState = 'waiting' | 'queued' | 'running' | 'succeeded' | 'dead' | 'cancelled';

export interface Job {
  id: number;
  kind: string;
  payload: unknown;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  progress?: unknown;
  result?: unknown;
  lastError?: WireError;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  updatedAt: number;
}

/** One destination of a running offload (core/offload/events.ts). */
export interface DestinationProgress {
  destination: string;
  filesTotal: number;
  bytesTotal: number;
  filesDone: number;
  bytesDone: number;
  verifiedBytes: number;
  rate: number;
  etaSeconds: number | null;
  failed: boolean;
}

export interface OffloadProgress {
  offloadId: string;
  destinations: DestinationProgress[];
}

/** A finished offload's summary, per destination (the job's result). */
export interface DestinationSummary {
  destination: string;
  complete: boolean;
  verifiedFiles: number;
  failedFiles: number;
  checkKinds: string[];
  error?: WireError;
}

export interface OffloadResult {
  status: 'completed' | 'incomplete' | 'cancelled';
  files: number;
  bytes: number;
  destinations: DestinationSummary[];
}

export interface OffloadPayload {
  source: string;
  destinations: string[];
  roll: string;
  verify: 'full' | 'size' | 'none';
  cardId?: number;
}

/** One event of the stream (`GET /api/events`): its topic, type and the subject it is about. */
export interface BusEvent {
  topic: 'job' | 'card' | 'offload' | 'mhl' | 'clip' | 'render' | 'sync';
  type: string;
  seq?: number;
  at: number;
  jobId?: number;
  cardId?: number;
  clipId?: number;
  kind?: string;
  data?: unknown;
  path?: string;
}

export interface Rational {
  num: number;
  denom: number;
}

/** The normalised clip record (schemas/clip.schema.json), the fields the UI shows. */
export interface ClipRecord {
  clipName: string;
  roll?: string;
  reel?: string;
  scene?: string;
  take?: string;
  kind: string;
  container?: string;
  camera: {
    make?: string;
    model?: string;
    serialNumber?: string;
    label?: string;
    captureFrameRate?: Rational;
    anamorphicSqueeze?: Rational;
    isoSpeed?: number;
    shutterAngle?: number;
    sensorMode?: string;
    whiteBalance?: number;
    tint?: number;
    ndStops?: number;
  };
  lens: { make?: string; model?: string; serialNumber?: string; focalLength?: number; tStop?: number; fStop?: number; focusDistance?: number };
  colour: { space?: string; gamma?: string; look?: string };
  video: { codec?: string; profile?: string; width?: number; height?: number; bitDepth?: number; chroma?: string };
  audio?: { tracks: number; channels: number; sampleRate?: number; codec?: string };
  timecode?: { start: string; end?: string; rate: number; dropFrame: boolean };
  projectFrameRate?: Rational;
  durationFrames?: number;
  durationSeconds?: number;
  recordedAt?: string;
  sequence?: { pattern: string; firstFrame: number; lastFrame: number; frameCount: number; missingCount: number };
  source: { path: string; root: string; relativePath: string; size: number; files: number };
  raw?: Record<string, unknown>;
  inspection: { status: 'ok' | 'partial' | 'failed'; issues: { code: string; message: string; path?: string }[] };
}

export interface Clip {
  id: number;
  status: 'ok' | 'partial' | 'failed';
  /** The poster frame's URL, when ffmpeg could decode one. */
  thumbnail?: string;
  record: ClipRecord;
}

export interface Volume {
  path: string;
  name: string;
  fsType?: string;
  removable: boolean;
  totalBytes: number;
  freeBytes: number;
}

export interface Place {
  path: string;
  kind: 'home' | 'watch' | 'destination';
}

export interface Space {
  totalBytes: number;
  freeBytes: number;
}

export interface FolderListing {
  path: string;
  parent?: string;
  folders: { name: string; path: string }[];
  truncated: boolean;
  space: Space;
}

/** A JSON Schema, as far as the Settings form reads it. */
export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  oneOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  pattern?: string;
}

export type Config = Record<string, unknown>;

export interface ConfigView {
  file?: string;
  config: Config;
  schema: JsonSchema;
  liveKeys: string[];
  restartRequired: string[];
}

export interface ConfigSaved {
  file: string;
  config: Config;
  applied: string[];
  restartRequired: string[];
}
