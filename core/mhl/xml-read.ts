/**
 * Reads one manifest (.mhl) into the model, checking it against the ASC MHL v2.0 schema's
 * structure: required elements, allowed children, enumerations, dates, digests, and paths
 * that stay inside the root. Element order is not enforced (writers differ); anything the
 * schema does not allow is refused with a RushesError naming the file and the element.
 */
import { RushesError } from '../errors.ts';
import { HASH_FORMATS, type HashFormat } from '../hash/index.ts';
import { parseDateTime } from './datetime.ts';
import { normalizeDigest } from './digest.ts';
import {
  FOREIGN_HASH_FORMATS,
  MHL_NAMESPACE,
  type Author,
  type DirectoryHash,
  type ForeignHash,
  type HashAction,
  type HashListReference,
  type Manifest,
  type ProcessType,
  type RecordedDirectory,
  type RecordedFile,
  type RecordedHash,
} from './model.ts';
import { checkRelativePath } from './paths.ts';
import { parseXml, type XmlElement } from './xml-dom.ts';

const ACTIONS: readonly string[] = ['original', 'verified', 'failed'];
const PROCESSES: readonly string[] = ['in-place', 'transfer', 'flatten'];

class Reader {
  constructor(readonly file: string) {}

  fail(where: string, why: string): never {
    throw new RushesError('MHL_INVALID', `${this.file}: ${where}: ${why}`, { path: this.file });
  }

  /** Children of `el` grouped by name, refusing names the schema does not allow there. */
  children(el: XmlElement, where: string, allowed: readonly string[]): Map<string, XmlElement[]> {
    const out = new Map<string, XmlElement[]>();
    for (const c of el.children) {
      if (c.ns !== el.ns) this.fail(where, `element <${c.name}> is in namespace "${c.ns}", expected "${el.ns}"`);
      if (!allowed.includes(c.name)) this.fail(where, `unexpected element <${c.name}>`);
      const list = out.get(c.name) ?? [];
      list.push(c);
      out.set(c.name, list);
    }
    return out;
  }

  one(map: Map<string, XmlElement[]>, name: string, where: string): XmlElement {
    const list = map.get(name);
    if (!list || list.length === 0) this.fail(where, `missing <${name}>`);
    if (list.length > 1) this.fail(where, `more than one <${name}>`);
    return list[0];
  }

  optional(map: Map<string, XmlElement[]>, name: string, where: string): XmlElement | undefined {
    const list = map.get(name);
    if (list && list.length > 1) this.fail(where, `more than one <${name}>`);
    return list?.[0];
  }

  leafText(el: XmlElement, where: string): string {
    if (el.children.length > 0) this.fail(where, `<${el.name}> must contain text only`);
    return el.text;
  }

  date(value: string, where: string): Date {
    const d = parseDateTime(value);
    if (!d) this.fail(where, `"${value}" is not an xs:dateTime`);
    return d;
  }

  optionalDate(value: string | undefined, where: string): Date | undefined {
    return value === undefined ? undefined : this.date(value, where);
  }

  digest(format: string, raw: string, where: string): string {
    const value = raw.trim();
    if ((HASH_FORMATS as readonly string[]).includes(format)) {
      // Lowercase is what every tool writes; uppercase hex is accepted and compared normalised.
      const d = normalizeDigest(format as HashFormat, value);
      if (d === undefined) this.fail(where, `"${value}" is not a ${format} digest`);
      return d;
    }
    if (!/^[0-9A-Za-z]+$/.test(value)) this.fail(where, `"${value}" is not a ${format} digest`);
    return value.toLowerCase();
  }

  action(value: string | undefined, where: string): HashAction | undefined {
    if (value === undefined) return undefined;
    if (!ACTIONS.includes(value)) this.fail(where, `action "${value}" is not one of ${ACTIONS.join(', ')}`);
    return value as HashAction;
  }

  /** A hash element (<xxh64 action=… hashdate=…>digest</xxh64>) of any known format. */
  hashElement(el: XmlElement, where: string): RecordedHash | ForeignHash {
    const w = `${where} <${el.name}>`;
    const isOurs = (HASH_FORMATS as readonly string[]).includes(el.name);
    if (!isOurs && !FOREIGN_HASH_FORMATS.includes(el.name)) this.fail(where, `unknown hash format <${el.name}>`);
    return {
      format: el.name as HashFormat,
      digest: this.digest(el.name, this.leafText(el, w), w),
      action: this.action(el.attrs.action, w),
      hashDate: this.optionalDate(el.attrs.hashdate, w),
    };
  }

  path(el: XmlElement, where: string, what = 'path'): string {
    return checkRelativePath(this.leafText(el, where), this.file, `${where} ${what}`);
  }

  directoryHashes(content: XmlElement, structure: XmlElement, where: string): DirectoryHash[] {
    const read = (el: XmlElement): Map<HashFormat, RecordedHash> => {
      // The schema wants at least one hash here, but the reference tool writes empty
      // <content/> and <structure/> when run without directory hashes; accept that as "none".
      const m = new Map<HashFormat, RecordedHash>();
      for (const c of el.children) {
        if (FOREIGN_HASH_FORMATS.includes(c.name)) continue; // cannot be recomputed here; not an error
        const h = this.hashElement(c, `${where} <${el.name}>`);
        if (m.has(h.format as HashFormat)) this.fail(where, `<${el.name}> has two ${h.format} hashes`);
        m.set(h.format as HashFormat, h as RecordedHash);
      }
      return m;
    };
    const c = read(content);
    const s = read(structure);
    const out: DirectoryHash[] = [];
    for (const [format, h] of c) {
      const st = s.get(format);
      if (!st) this.fail(where, `${format} content hash has no ${format} structure hash`);
      out.push({ format, content: h.digest, structure: st.digest, hashDate: h.hashDate });
    }
    for (const format of s.keys()) if (!c.has(format)) this.fail(where, `${format} structure hash has no ${format} content hash`);
    return out;
  }
}

function size(r: Reader, value: string | undefined, where: string): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (!/^\+?\d+$/.test(v)) r.fail(where, `size "${value}" is not a non-negative integer`);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) r.fail(where, `size "${value}" is too large`);
  return n;
}

function readCreator(r: Reader, el: XmlElement): Manifest['creator'] {
  const w = '<creatorinfo>';
  const c = r.children(el, w, ['creationdate', 'hostname', 'tool', 'author', 'location', 'comment']);
  const tool = r.one(c, 'tool', w);
  const authors: Author[] = (c.get('author') ?? []).map((a) => ({
    name: r.leafText(a, `${w} <author>`),
    email: a.attrs.email,
    phone: a.attrs.phone,
    role: a.attrs.role,
  }));
  const location = r.optional(c, 'location', w);
  const comment = r.optional(c, 'comment', w);
  return {
    creationDate: r.date(r.leafText(r.one(c, 'creationdate', w), w), `${w} <creationdate>`),
    hostName: r.leafText(r.one(c, 'hostname', w), w),
    tool: { name: r.leafText(tool, w), version: tool.attrs.version ?? '' },
    author: authors[0],
    authors,
    location: location && r.leafText(location, w),
    comment: comment && r.leafText(comment, w),
  };
}

function readProcess(r: Reader, el: XmlElement): Pick<Manifest, 'process' | 'rootHashes' | 'ignore'> {
  const w = '<processinfo>';
  const c = r.children(el, w, ['process', 'roothash', 'ignore']);
  const process = r.leafText(r.one(c, 'process', w), w).trim();
  if (!PROCESSES.includes(process)) r.fail(w, `process "${process}" is not one of ${PROCESSES.join(', ')}`);
  const root = r.optional(c, 'roothash', w);
  let rootHashes: DirectoryHash[] = [];
  if (root) {
    const rc = r.children(root, `${w} <roothash>`, ['content', 'structure']);
    rootHashes = r.directoryHashes(r.one(rc, 'content', '<roothash>'), r.one(rc, 'structure', '<roothash>'), '<roothash>');
  }
  const ignore: string[] = [];
  const ig = r.optional(c, 'ignore', w);
  if (ig) {
    const ic = r.children(ig, `${w} <ignore>`, ['pattern']);
    // An empty <ignore> breaks the schema but costs nothing to accept.
    for (const p of ic.get('pattern') ?? []) ignore.push(r.leafText(p, `${w} <pattern>`));
  }
  return { process: process as ProcessType, rootHashes, ignore };
}

function readHashes(r: Reader, el: XmlElement): { files: RecordedFile[]; directories: RecordedDirectory[] } {
  const files: RecordedFile[] = [];
  const directories: RecordedDirectory[] = [];
  const seen = new Set<string>();
  let n = 0;
  for (const entry of el.children) {
    n++;
    if (entry.ns !== el.ns) r.fail('<hashes>', `element <${entry.name}> is in namespace "${entry.ns}"`);
    const w0 = `<${entry.name}> #${n}`;
    if (entry.name !== 'hash' && entry.name !== 'directoryhash') r.fail('<hashes>', `unexpected element <${entry.name}>`);
    const isFile = entry.name === 'hash';
    const pathEl = entry.children.find((c) => c.name === 'path');
    if (!pathEl) r.fail(w0, 'missing <path>');
    const path = r.path(pathEl, w0);
    const w = `${w0} ("${path}")`;
    if (seen.has(path)) r.fail(w, 'path recorded twice in one manifest');
    seen.add(path);
    const common = {
      lastModified: r.optionalDate(pathEl.attrs.lastmodificationdate, `${w} lastmodificationdate`),
      creationDate: r.optionalDate(pathEl.attrs.creationdate, `${w} creationdate`),
    };
    let previousPath: string | undefined;
    if (isFile) {
      const hashes: RecordedHash[] = [];
      const foreignHashes: ForeignHash[] = [];
      for (const c of entry.children) {
        if (c.ns !== entry.ns) r.fail(w, `element <${c.name}> is in namespace "${c.ns}"`);
        if (c === pathEl || c.name === 'metadata') continue;
        if (c.name === 'path') r.fail(w, 'more than one <path>');
        if (c.name === 'previousPath') {
          previousPath = r.path(c, w, 'previousPath');
          continue;
        }
        const h = r.hashElement(c, w);
        if ((HASH_FORMATS as readonly string[]).includes(h.format)) hashes.push(h as RecordedHash);
        else foreignHashes.push(h);
      }
      if (hashes.length + foreignHashes.length === 0) r.fail(w, 'has no hash');
      files.push({ path, size: size(r, pathEl.attrs.size, w), ...common, hashes, foreignHashes, previousPath });
    } else {
      const c = r.children(entry, w, ['path', 'content', 'structure', 'previousPath', 'metadata']);
      if ((c.get('path') ?? []).length > 1) r.fail(w, 'more than one <path>');
      const prev = r.optional(c, 'previousPath', w);
      if (prev) previousPath = r.path(prev, w, 'previousPath');
      const hashes = r.directoryHashes(r.one(c, 'content', w), r.one(c, 'structure', w), w);
      directories.push({ path, ...common, hashes, previousPath });
    }
  }
  // No n === 0 check: the reference tool writes an empty <hashes> for an empty folder.
  return { files, directories };
}

function readReferences(r: Reader, el: XmlElement): HashListReference[] {
  const c = r.children(el, '<references>', ['hashlistreference']);
  return (c.get('hashlistreference') ?? []).map((ref, i) => {
    const w = `<hashlistreference> #${i + 1}`;
    const rc = r.children(ref, w, ['path', 'c4']);
    const c4 = r.one(rc, 'c4', w);
    return { path: r.path(r.one(rc, 'path', w), w), c4: r.digest('c4', r.leafText(c4, w), `${w} <c4>`) };
  });
}

/** Parses and checks one manifest. `file` names it in errors. */
export function parseManifest(bytes: Uint8Array, file: string): Manifest {
  const r = new Reader(file);
  const root = parseXml(bytes, file);
  if (root.name !== 'hashlist') r.fail('root', `root element is <${root.name}>, expected <hashlist>`);
  if (root.ns !== MHL_NAMESPACE) r.fail('<hashlist>', `namespace is "${root.ns}", expected "${MHL_NAMESPACE}"`);
  if (root.attrs.version !== '2.0') r.fail('<hashlist>', `version is ${root.attrs.version === undefined ? 'missing' : `"${root.attrs.version}"`}, expected "2.0"`);
  const c = r.children(root, '<hashlist>', ['creatorinfo', 'processinfo', 'hashes', 'metadata', 'references']);
  const hashes = r.optional(c, 'hashes', '<hashlist>');
  const refs = r.optional(c, 'references', '<hashlist>');
  r.optional(c, 'metadata', '<hashlist>');
  return {
    creator: readCreator(r, r.one(c, 'creatorinfo', '<hashlist>')),
    ...readProcess(r, r.one(c, 'processinfo', '<hashlist>')),
    ...(hashes ? readHashes(r, hashes) : { files: [], directories: [] }),
    references: refs ? readReferences(r, refs) : [],
  };
}
