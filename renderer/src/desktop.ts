/**
 * What the desktop window adds to the page, through its preload script (electron/preload.ts):
 * the system's folder picker, notifications, and ejecting a card's volume. In a browser it is
 * absent and the page does without (its own folder browser; no notifications).
 */
export interface DesktopBridge {
  /** The system's folder picker; undefined when the person cancels. */
  pickFolder(title: string): Promise<string | undefined>;
  notify(notice: { title: string; body: string }): void;
  /** Ejects a verified card's volume through the engine, as POST /api/cards/:id/eject does. */
  eject(cardId: number): Promise<{ ejected: boolean; message: string }>;
}

declare global {
  interface Window {
    rushesDesktop?: DesktopBridge;
  }
}

export const desktop = (): DesktopBridge | undefined => (typeof window === 'undefined' ? undefined : window.rushesDesktop);
