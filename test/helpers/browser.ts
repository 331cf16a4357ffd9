/**
 * A real Chromium for the UI tests and the UI benchmark: Debian's, driven by playwright-core
 * (its own browsers are never downloaded), each launch with a fresh profile. Beside it: axe-core
 * run inside the page, keyboard-only navigation, and a watch for what the page's
 * Content-Security-Policy refused or what threw.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.RUSHES_CHROMIUM ?? '/usr/bin/chromium';

/** Undefined when a browser can be launched here, else why not. */
export function browserSupport(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (Debian: apt-get install chromium; or set RUSHES_CHROMIUM)`;
}

/** Chromium headless; playwright gives each launch a fresh, temporary profile. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** What went wrong in a page: uncaught errors, and anything its Content-Security-Policy refused. */
export function pageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(`csp: ${m.text()}`);
  });
  return problems;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's serious and critical violations on the page as it is now. Its source is
 * evaluated through the DevTools protocol, not added as a <script>: the page's policy
 * rightly refuses inline scripts.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  const result = (await page.evaluate(() => (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: AxeViolation[] }> } }).axe.run(document, { resultTypes: ['violations'] }))) as { violations: AxeViolation[] };
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export interface Focused {
  tag: string;
  /** The accessible name as a person reads it: aria-label, the label of a field, or the text. */
  name: string;
  href?: string;
  index?: string;
  classes: string;
}

export async function focused(page: Page): Promise<Focused | undefined> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return undefined;
    const input = el as HTMLInputElement;
    // A label that wraps its control: its own words, not the options of a list inside it.
    const label = input.labels?.[0]?.cloneNode(true) as HTMLElement | undefined;
    label?.querySelectorAll('input, select, textarea').forEach((c) => c.remove());
    const labelText = label?.textContent?.trim().replace(/\s+/g, ' ');
    const name = el.getAttribute('aria-label') ?? labelText ?? (el.innerText || el.textContent || '').trim().replace(/\s+/g, ' ');
    return { tag: el.tagName.toLowerCase(), name: name.slice(0, 120), href: el.getAttribute('href') ?? undefined, index: el.dataset.index, classes: el.className };
  });
}

/** Presses Tab (or Shift+Tab) until the focused element is the one wanted; fails naming what it passed. */
export async function tabTo(page: Page, wanted: (f: Focused) => boolean, o: { reverse?: boolean; max?: number; what?: string } = {}): Promise<Focused> {
  const passed: string[] = [];
  for (let i = 0; i < (o.max ?? 120); i++) {
    await page.keyboard.press(o.reverse ? 'Shift+Tab' : 'Tab');
    const f = await focused(page);
    if (f && wanted(f)) return f;
    passed.push(f ? `${f.tag}:${f.name}` : 'nothing');
  }
  throw new Error(`Tab never reached ${o.what ?? 'the element'}; passed ${passed.slice(-30).join(' | ')}`);
}

export const named = (name: string | RegExp, tag?: string) => (f: Focused) => (tag === undefined || f.tag === tag) && (typeof name === 'string' ? f.name === name : name.test(f.name));
