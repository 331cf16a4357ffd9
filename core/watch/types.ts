/** What card detection knows about a folder that appeared: its files, who made it, and its fingerprint. */

export type CameraFamily = 'arri' | 'red' | 'sony' | 'canon' | 'blackmagic' | 'dpx-sequence' | 'exr-sequence' | 'generic';

/** One file on a card, as the stability check and the fingerprint see it. */
export interface CardFile {
  /** Relative to the card root, with `/` separators. */
  path: string;
  size: number;
  mtimeMs: number;
}

/** The card's tree at one moment (ignored names left out), files sorted by path. */
export interface CardSnapshot {
  root: string;
  files: CardFile[];
  bytes: number;
}

export interface CardIdentity {
  camera: CameraFamily;
  /** The roll or reel name, e.g. A001; from clip names, else the volume label, else the folder name. */
  roll: string;
  /** The file system label, where the card is a mounted volume that has one. */
  volumeLabel?: string;
  /** Camera clips found (a sequence counts once). */
  clipCount: number;
  /** Why: the names or folders that decided the camera family, for the log and the UI. */
  evidence: string;
}

/** What settling a card found: who made it, its content fingerprint and its size. */
export interface SettledCard {
  identity: CardIdentity;
  fingerprint: string;
  files: number;
  bytes: number;
}
