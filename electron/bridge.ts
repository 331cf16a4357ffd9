/**
 * The few calls the page may make into the desktop shell (renderer/src/desktop.ts says what
 * the page expects): the channels, and checks of what arrives on them — the page is web
 * content and is trusted with nothing more than these three.
 */
export const CHANNELS = {
  pickFolder: 'rushes:pick-folder',
  notify: 'rushes:notify',
  eject: 'rushes:eject',
} as const;

const text = (v: unknown, what: string, max: number): string => {
  if (typeof v !== 'string' || v.length > max) throw new Error(`${what} must be text of at most ${max} characters`);
  return v;
};

export function checkNotice(v: unknown): { title: string; body: string } {
  const n = (v ?? {}) as { title?: unknown; body?: unknown };
  return { title: text(n.title, 'a notification title', 200), body: text(n.body, 'a notification body', 1000) };
}

export const checkTitle = (v: unknown): string => text(v, 'a folder picker title', 200);

export function checkCardId(v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw new Error('a card id must be a whole number from 1');
  return v;
}
