/**
 * The names sync is configured with, apart from the code that uses them, so the command
 * line can list them without loading the S3 SDK.
 */
export const S3_PROVIDERS = ['aws', 'ceph', 'minio', 'wasabi', 'backblaze', 'other'] as const;
export type S3Provider = (typeof S3_PROVIDERS)[number];

export const SYNC_PARTS = ['metadata', 'outputs', 'originals'] as const;
export type SyncPart = (typeof SYNC_PARTS)[number];

/** Metadata before renders before originals: editorial starts from the first two. */
export const SYNC_PRIORITY: Record<SyncPart, number> = { metadata: -1, outputs: -3, originals: -4 };
