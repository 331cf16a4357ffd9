/**
 * Camera rolls as cameras name them. A camera names each clip after its camera index and
 * the roll (reel) it records to, so the roll is read from what the camera wrote — the clip
 * name, else its reel — and never from a folder a card happens to be mounted or copied as.
 * Pure: card identification (identify.ts) and clip records (inspect/normalise.ts) share it.
 */

/**
 * `A001` in `A001C003_…` (ARRI, Sony, Canon), `A001_C003_…` (RED), `A001_08201234_C001`
 * (Blackmagic): a camera letter and a three-digit roll. `A_0003C035_…` and `DW0001C001_…`
 * (ALEXA 35, Canon C80): a two-character camera index (`_` pads one letter) and a four-digit roll.
 */
const ROLL_IN_NAME = /^(?:([A-Z])(\d{3})(?=C\d{3}|_C\d{3}|_\d)|([A-Z][A-Z_])(\d{4})(?=C\d{3}))/i;
/** A reel that starts with a roll (`A002R1AB`, ARRI's reel name: roll and card id). */
const ROLL_IN_REEL = /^([A-Z])(\d{3})(?!\d)/i;

export interface CameraRoll {
  /** The camera index (A, B, DW). */
  camera: string;
  /** The roll, as the camera spells it in the clip name (B002, A_0003). */
  roll: string;
}

/** The camera index and roll a clip name carries (`B002C014_…` → camera B, roll B002), if it carries them. */
export function rollInClipName(name: string): CameraRoll | undefined {
  const m = ROLL_IN_NAME.exec(name);
  if (!m) return undefined;
  const index = (m[1] ?? m[3]!).toUpperCase();
  return { camera: index.replace(/_+$/, ''), roll: `${index}${m[2] ?? m[4]}` };
}

/**
 * The roll a recorded reel names: a reel that starts with a roll is that roll (`A002R1AB` →
 * A002); a bare reel number takes the camera index in front, as the camera's own clip names
 * do (Sony Reel 001 on camera D → D001, Blackmagic reel_name 1 on camera A → A001); any
 * other reel name is the roll as it is.
 */
export function rollOfReel(reel: string, camera?: string): string | undefined {
  const r = reel.trim();
  if (!r) return undefined;
  const inReel = ROLL_IN_REEL.exec(r);
  if (inReel) return `${inReel[1]!.toUpperCase()}${inReel[2]}`;
  if (/^\d{1,4}$/.test(r) && camera && /^[A-Z]{1,2}$/i.test(camera)) {
    const index = camera.toUpperCase();
    // One letter and three digits (A001), or two characters and four digits (A_0002, DW0001).
    return index.length === 1 && r.length <= 3 ? `${index}${r.padStart(3, '0')}` : `${index.padEnd(2, '_')}${r.padStart(4, '0')}`;
  }
  return r;
}
