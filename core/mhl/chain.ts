/**
 * ascmhl_chain.xml: the list of a history's manifests with the C4 ID of each, which is
 * what makes a later edit of any manifest detectable. Layout as the reference tool writes
 * it; each entry's <path> is the manifest's file name relative to the ascmhl folder.
 */
import { RushesError } from '../errors.ts';
import { HASH_FORMATS, type HashFormat } from '../hash/index.ts';
import { normalizeDigest } from './digest.ts';
import { MHL_DIRECTORY_NAMESPACE, type ChainEntry } from './model.ts';
import { checkRelativePath } from './paths.ts';
import { parseXml } from './xml-dom.ts';
import { escapeText } from './xml-text.ts';

export function parseChain(bytes: Uint8Array, file: string): ChainEntry[] {
  const fail = (why: string): never => {
    throw new RushesError('MHL_INVALID', `${file}: ${why}`, { path: file });
  };
  const root = parseXml(bytes, file);
  if (root.name !== 'ascmhldirectory') fail(`root element is <${root.name}>, expected <ascmhldirectory>`);
  if (root.ns !== MHL_DIRECTORY_NAMESPACE) fail(`namespace is "${root.ns}", expected "${MHL_DIRECTORY_NAMESPACE}"`);
  const entries: ChainEntry[] = [];
  const sequences = new Set<number>();
  root.children.forEach((h, i) => {
    const where = `<hashlist> #${i + 1}`;
    if (h.name !== 'hashlist' || h.ns !== root.ns) fail(`unexpected element <${h.name}>`);
    // sequencenr is optional in the schema; without it the position is the sequence.
    const rawSeq = h.attrs.sequencenr?.trim() ?? String(i + 1);
    if (!/^\+?\d+$/.test(rawSeq) || !Number.isSafeInteger(Number(rawSeq)) || Number(rawSeq) < 1) fail(`${where}: sequencenr "${rawSeq}" is not a positive integer`);
    const sequence = Number(rawSeq);
    if (sequences.has(sequence)) fail(`${where}: sequencenr ${sequence} appears twice`);
    sequences.add(sequence);
    let path: string | undefined;
    let hash: { format: HashFormat; digest: string } | undefined;
    for (const c of h.children) {
      if (c.ns !== root.ns) fail(`${where}: element <${c.name}> is in namespace "${c.ns}"`);
      if (c.children.length > 0) fail(`${where}: <${c.name}> must contain text only`);
      if (c.name === 'path') {
        if (path !== undefined) fail(`${where}: more than one <path>`);
        path = checkRelativePath(c.text, file, `${where} path`);
      } else if ((HASH_FORMATS as readonly string[]).includes(c.name)) {
        // The schema says <c4>; the reference tool's reader takes any hash format, and so do we.
        if (hash !== undefined) fail(`${where}: more than one hash`);
        const format = c.name as HashFormat;
        const digest = normalizeDigest(format, c.text);
        if (digest === undefined) fail(`${where}: "${c.text.trim()}" is not a ${format} digest`);
        hash = { format, digest: digest! };
      } else {
        fail(`${where}: unexpected element <${c.name}>`);
      }
    }
    if (path === undefined) fail(`${where}: missing <path>`);
    if (hash === undefined) fail(`${where}: missing <c4>`);
    entries.push({ sequence, path: path!, ...hash! });
  });
  return entries;
}

export function serializeChain(entries: readonly ChainEntry[]): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', `<ascmhldirectory xmlns="${MHL_DIRECTORY_NAMESPACE}">`];
  for (const e of entries) {
    out.push(`  <hashlist sequencenr="${e.sequence}">`);
    out.push(`    <path>${escapeText(e.path)}</path>`);
    out.push(`    <${e.format}>${e.digest}</${e.format}>`);
    out.push('  </hashlist>');
  }
  out.push('</ascmhldirectory>', '');
  return out.join('\n');
}
