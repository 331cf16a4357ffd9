/**
 * Writes a manifest in the exact layout of the reference tool (declaration, two-space
 * indentation, element and attribute order, one element per line), so that a diff against
 * its output shows content differences only. Elements the schema makes optional are left
 * out when empty rather than written empty (an empty <hashes> or <ignore> is invalid).
 */
import { RushesError } from '../errors.ts';
import { formatDateTime } from './datetime.ts';
import type { HashFormat } from '../hash/index.ts';
import { MHL_NAMESPACE, SCHEMA_HASH_ORDER, type Author, type CreatorInfo, type DirectoryHash, type HashListReference, type MhlFileEntry, type ProcessType } from './model.ts';
import { escapeAttribute, escapeText, firstNonXmlChar } from './xml-text.ts';

export interface DirectoryEntryToWrite {
  path: string;
  lastModified?: Date;
  hashes: DirectoryHash[];
}

export type EntryToWrite = { kind: 'file'; file: MhlFileEntry } | { kind: 'directory'; directory: DirectoryEntryToWrite };

export interface ManifestToWrite {
  creator: CreatorInfo;
  process: ProcessType;
  rootHashes: DirectoryHash[];
  ignore: string[];
  /** In the order they are to appear. */
  entries: EntryToWrite[];
  references: HashListReference[];
}

/** Refuses text XML 1.0 cannot carry; file names get BAD_FILENAME, everything else USAGE. */
function checked(value: string, what: string, isPath: boolean): string {
  const bad = firstNonXmlChar(value);
  if (bad !== undefined) {
    const code = `U+${bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    const msg = `${what} "${value}" contains ${code}, which an XML (ASC MHL) file cannot represent`;
    throw isPath ? new RushesError('BAD_FILENAME', msg, { path: value }) : new RushesError('USAGE', msg);
  }
  return value;
}

/** Printable ASCII that needs no escaping: most names, which then skip both checks. */
const PLAIN_TEXT = /^[\x20-\x25\x27-\x3b\x3d\x3f-\x7e]*$/;
const text = (v: string, what: string, isPath = false): string => (PLAIN_TEXT.test(v) ? v : escapeText(checked(v, what, isPath)));
const attr = (v: string, what: string): string => escapeAttribute(checked(v, what, false));

function element(indent: string, name: string, attrs: [string, string | undefined][], body: string): string {
  const a = attrs
    .filter((x): x is [string, string] => x[1] !== undefined)
    .map(([k, v]) => ` ${k}="${v}"`)
    .join('');
  return `${indent}<${name}${a}>${body}</${name}>`;
}

function authorLine(indent: string, a: Author): string {
  return element(
    indent,
    'author',
    [
      ['email', a.email === undefined ? undefined : attr(a.email, 'author email')],
      ['phone', a.phone === undefined ? undefined : attr(a.phone, 'author phone')],
      ['role', a.role === undefined ? undefined : attr(a.role, 'author role')],
    ],
    text(a.name, 'author name'),
  );
}

/** Hashes in the schema's order, whatever order the caller gathered them in: the one rule for every hash list written. */
function inSchemaOrder<T extends { format: HashFormat }>(hashes: readonly T[]): readonly T[] {
  if (hashes.length < 2) return hashes;
  return [...hashes].sort((a, b) => SCHEMA_HASH_ORDER.indexOf(a.format) - SCHEMA_HASH_ORDER.indexOf(b.format));
}

/**
 * One file's <hash> element. Written out line by line rather than through element(): this
 * runs once per file (10,000 times for a card of frames), the rest of the manifest once.
 */
function fileHashElement(out: string[], f: MhlFileEntry): void {
  const created = f.creationDate ? ` creationdate="${formatDateTime(f.creationDate)}"` : '';
  out.push('    <hash>', `      <path size="${f.size}"${created} lastmodificationdate="${formatDateTime(f.lastModified)}">${text(f.path, 'file name', true)}</path>`);
  for (const h of inSchemaOrder(f.hashes)) out.push(`      <${h.format} action="${h.action}" hashdate="${formatDateTime(h.hashDate)}">${h.digest}</${h.format}>`);
  if (f.previousPath !== undefined) out.push(`      <previousPath>${text(f.previousPath, 'previous file name', true)}</previousPath>`);
  out.push('    </hash>');
}

function directoryHashBlock(out: string[], indent: string, hashes: DirectoryHash[]): void {
  for (const part of ['content', 'structure'] as const) {
    out.push(`${indent}<${part}>`);
    for (const h of inSchemaOrder(hashes)) {
      const hashDate = h.hashDate ? formatDateTime(h.hashDate) : undefined;
      out.push(element(indent + '  ', h.format, [['hashdate', hashDate]], part === 'content' ? h.content : h.structure));
    }
    out.push(`${indent}</${part}>`);
  }
}

/** The manifest's text; callers write it as UTF-8. */
export function serializeManifest(m: ManifestToWrite): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', `<hashlist version="2.0" xmlns="${MHL_NAMESPACE}">`];
  const c = m.creator;
  out.push('  <creatorinfo>');
  out.push(`    <creationdate>${formatDateTime(c.creationDate)}</creationdate>`);
  out.push(`    <hostname>${text(c.hostName, 'host name')}</hostname>`);
  out.push(element('    ', 'tool', [['version', attr(c.tool.version, 'tool version')]], text(c.tool.name, 'tool name')));
  for (const a of [...(c.author ? [c.author] : []), ...(c.authors ?? [])]) out.push(authorLine('    ', a));
  if (c.location !== undefined) out.push(`    <location>${text(c.location, 'location')}</location>`);
  if (c.comment !== undefined) out.push(`    <comment>${text(c.comment, 'comment')}</comment>`);
  out.push('  </creatorinfo>');

  out.push('  <processinfo>');
  out.push(`    <process>${m.process}</process>`);
  if (m.rootHashes.length > 0) {
    out.push('    <roothash>');
    directoryHashBlock(out, '      ', m.rootHashes);
    out.push('    </roothash>');
  }
  if (m.ignore.length > 0) {
    out.push('    <ignore>');
    for (const p of m.ignore) out.push(`      <pattern>${text(p, 'ignore pattern')}</pattern>`);
    out.push('    </ignore>');
  }
  out.push('  </processinfo>');

  if (m.entries.length > 0) {
    out.push('  <hashes>');
    for (const e of m.entries) {
      if (e.kind === 'file') fileHashElement(out, e.file);
      else {
        const d = e.directory;
        out.push('    <directoryhash>');
        out.push(element('      ', 'path', [['lastmodificationdate', d.lastModified && formatDateTime(d.lastModified)]], text(d.path, 'folder name', true)));
        directoryHashBlock(out, '      ', d.hashes);
        out.push('    </directoryhash>');
      }
    }
    out.push('  </hashes>');
  }

  if (m.references.length > 0) {
    out.push('  <references>');
    for (const r of m.references) {
      out.push('    <hashlistreference>');
      out.push(`      <path>${text(r.path, 'referenced manifest', true)}</path>`);
      out.push(`      <c4>${r.c4}</c4>`);
      out.push('    </hashlistreference>');
    }
    out.push('  </references>');
  }
  out.push('</hashlist>', '');
  return out.join('\n');
}
