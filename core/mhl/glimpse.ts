/**
 * A first look at a history before it is loaded: the ignore patterns and hash formats its
 * latest manifest names, found by matching the text rather than parsing it (a 10,000-file
 * manifest takes ~0.3 s to load; this, a few ms). It lets the disk be listed and read while
 * the history loads; it is a guess, and scan.ts checks every use of it once the history is
 * loaded (a file read in too few formats, or not from the medium, is read again).
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { HASH_FORMATS, type HashFormat } from '../hash/index.ts';
import { ASCMHL_FOLDER, DEFAULT_IGNORE } from './model.ts';
import { generationOfFileName } from './paths.ts';
import { decodeReferences } from './xml-text.ts';

export interface Glimpse {
  /** The latest manifest's ignore patterns (the defaults when there is no history). */
  patterns: string[];
  /** Every hash format the latest manifest records (files, folders, root); none when there is no history. */
  formats: HashFormat[];
  /** Whether there is a history at all. */
  history: boolean;
}

const NO_HISTORY: Glimpse = { patterns: [...DEFAULT_IGNORE], formats: [], history: false };
const FORMAT_ELEMENT = new RegExp(`<(${HASH_FORMATS.join('|')})[\\s>]`, 'g');

/** The glimpse of `root`'s history; undefined when the latest manifest does not lend itself to one (then nothing is guessed). */
export async function glimpseHistory(root: string): Promise<Glimpse | undefined> {
  const folder = join(root, ASCMHL_FOLDER);
  let names: string[];
  try {
    names = await fsp.readdir(folder);
  } catch {
    return NO_HISTORY; // no ascmhl folder (or none that can be read: loading the history says why)
  }
  let latest: { name: string; generation: number } | undefined;
  for (const name of names) {
    const generation = name.startsWith('.') ? undefined : generationOfFileName(name);
    if (generation !== undefined && (!latest || generation > latest.generation)) latest = { name, generation };
  }
  if (!latest) return NO_HISTORY;
  let text: string;
  try {
    text = await fsp.readFile(join(folder, latest.name), 'utf8');
  } catch {
    return undefined;
  }
  const formats = new Set<HashFormat>();
  for (const m of text.matchAll(FORMAT_ELEMENT)) formats.add(m[1] as HashFormat);
  const ignore = /<ignore>([\s\S]*?)<\/ignore>/.exec(text);
  const patterns: string[] = [];
  for (const m of (ignore?.[1] ?? '').matchAll(/<pattern>([^<]*)<\/pattern>/g)) {
    const p = decodeReferences(m[1]);
    if (typeof p !== 'string') return undefined;
    patterns.push(p);
  }
  // As latestIgnorePatterns: a manifest without patterns leaves the defaults in force.
  return { patterns: patterns.length > 0 ? patterns : [...DEFAULT_IGNORE], formats: [...formats], history: true };
}
