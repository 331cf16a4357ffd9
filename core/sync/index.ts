/**
 * Cloud sync: uploads verified local copies to S3-compatible storage, resumable and
 * checksummed. What the engine and its job kind use; the rest of the folder is how.
 */
export { createS3Client, describeEndpoint, endpointFromEnv, endpointId, PROVIDER_DEFAULTS, resolveEndpoint, S3_PROVIDERS } from './client.ts';
export type { ChecksumMode, ClientOptions, FlexibleChecksum, ResolvedEndpoint, S3Credentials, S3Endpoint, S3Provider } from './client.ts';
export type { ObjectOutcome, ObjectResult, SyncFile } from './context.ts';
export { checkKeyLayout, DEFAULT_KEY_LAYOUT, KEY_FIELDS, renderKey, type KeyValues } from './layout.ts';
export { DEFAULT_RETRY, type RetryNotice, type RetryPolicy } from './retry.ts';
export { SyncStore, type PartRecord, type SyncedObject, type SyncRecords, type UploadRecord } from './store.ts';
export { MemorySyncRecords } from './memory-records.ts';
export { abandonUpload, abortStaleUploads, DEFAULT_PART_SIZE, syncFiles, type SyncOptions, type SyncSummary, type SyncTarget } from './sync.ts';
export { Bandwidth, checkSchedule, limitAt, parseLimit, type BandwidthSchedule, type BandwidthWindow, type Limit } from './throttle.ts';
export { s3Storage, type S3StorageOptions } from './storage.ts';
export { parseS3Uri, s3Uri, type S3Location } from './target.ts';
