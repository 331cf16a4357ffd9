/** The hash formats ASC MHL v2 names, in the order we prefer them. */
export const HASH_FORMATS = ['xxh64', 'xxh3', 'xxh128', 'md5', 'sha1', 'c4'] as const;
export type HashFormat = (typeof HASH_FORMATS)[number];

/** A streaming hash: feed chunks, then read the digest once, in the text form MHL files use. */
export interface Hasher {
  readonly format: HashFormat;
  update(data: Uint8Array): void;
  /** Lowercase hex for xxh64/xxh3/xxh128/md5/sha1; the 90-character C4 ID for c4. */
  digest(): string;
}

export type Digests = Partial<Record<HashFormat, string>>;
