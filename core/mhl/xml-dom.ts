/**
 * Turns the bytes of an MHL file into a small element tree, treating them as hostile:
 * bounded size, strict UTF-8, no DOCTYPE or entity declarations (XXE, billion laughs) —
 * refused before any parsing — entity processing off in the parser, well-formedness
 * checked, namespaces resolved. Every failure is a RushesError naming the file.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { RushesError } from '../errors.ts';
import { decodeAttribute, decodeReferences } from './xml-text.ts';

/** Far above any real manifest (100,000 files is ~40 MB), far below what would exhaust memory. */
export const MAX_XML_BYTES = 256 * 1024 * 1024;
const MAX_DEPTH = 64;

export interface XmlElement {
  /** Local name, without prefix. */
  name: string;
  /** Resolved namespace URI ('' for none). */
  ns: string;
  /** Decoded attribute values by qualified name, namespace declarations left out. */
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Decoded text and CDATA directly inside the element, exactly as written. */
  text: string;
}

function invalid(file: string, why: string, cause?: unknown): RushesError {
  return new RushesError('MHL_INVALID', `${file}: ${why}`, { path: file, cause });
}

type FxpNode = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  allowBooleanAttributes: false,
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: false,
  ignorePiTags: true,
  removeNSPrefix: false,
  commentPropName: '#comment',
  cdataPropName: '#cdata',
});

function decodeText(bytes: Uint8Array, file: string): string {
  if (bytes.length > MAX_XML_BYTES) throw invalid(file, `file is ${bytes.length} bytes, more than the ${MAX_XML_BYTES} an MHL file may have`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (e) {
    throw invalid(file, 'not valid UTF-8', e);
  }
  // Declarations are refused outright: entity expansion is how XXE and billion-laughs attacks work.
  const decl = /<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)/i.exec(text);
  if (decl) throw invalid(file, `contains a <!${decl[1].toUpperCase()} declaration; DTDs and entities are not allowed in ASC MHL files`);
  const xmlDecl = /^\s*<\?xml\s([^?]*)\?>/.exec(text);
  if (xmlDecl) {
    const enc = /encoding\s*=\s*["']([^"']*)["']/.exec(xmlDecl[1]);
    if (enc && enc[1].toLowerCase().replace(/[-_]/g, '') !== 'utf8') throw invalid(file, `declares encoding "${enc[1]}"; only UTF-8 is supported`);
  }
  return text;
}

interface Scope {
  prefixes: Map<string, string>;
}

function convert(node: FxpNode, scope: Scope, depth: number, file: string): XmlElement | undefined {
  const keys = Object.keys(node).filter((k) => k !== ':@');
  const name = keys[0];
  if (name === undefined || name === '#text' || name === '#cdata' || name === '#comment' || name.startsWith('?')) return undefined;
  if (depth > MAX_DEPTH) throw invalid(file, `elements nested deeper than ${MAX_DEPTH} levels`);
  const rawAttrs = (node[':@'] ?? {}) as Record<string, unknown>;
  const prefixes = new Map(scope.prefixes);
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(rawAttrs)) {
    if (typeof v !== 'string') throw invalid(file, `attribute "${k}" of <${name}> has no value`);
    const value = decodeAttribute(v);
    if (typeof value !== 'string') throw invalid(file, `attribute "${k}" of <${name}>: ${value.error}`);
    if (k === 'xmlns') prefixes.set('', value);
    else if (k.startsWith('xmlns:')) prefixes.set(k.slice(6), value);
    else attrs[k] = value;
  }
  const colon = name.indexOf(':');
  const prefix = colon < 0 ? '' : name.slice(0, colon);
  const ns = prefixes.get(prefix);
  if (ns === undefined && prefix !== '') throw invalid(file, `element <${name}> uses an undeclared namespace prefix`);
  const el: XmlElement = { name: colon < 0 ? name : name.slice(colon + 1), ns: ns ?? '', attrs, children: [], text: '' };
  const content = node[name];
  if (!Array.isArray(content)) return el;
  const inner: Scope = { prefixes };
  let text = '';
  for (const child of content as FxpNode[]) {
    if ('#text' in child) {
      const t = decodeReferences(String(child['#text']));
      if (typeof t !== 'string') throw invalid(file, `text in <${el.name}>: ${t.error}`);
      text += t;
    } else if ('#cdata' in child) {
      const parts = child['#cdata'] as FxpNode[];
      for (const p of parts) text += String(p['#text'] ?? '');
    } else {
      const c = convert(child, inner, depth + 1, file);
      if (c) el.children.push(c);
    }
  }
  el.text = text;
  return el;
}

/** Parses an MHL or chain file's bytes into its root element. */
export function parseXml(bytes: Uint8Array, file: string): XmlElement {
  const text = decodeText(bytes, file);
  if (text.trim() === '') throw invalid(file, 'file is empty');
  let valid: ReturnType<typeof XMLValidator.validate>;
  try {
    valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  } catch (e) {
    throw invalid(file, `not well-formed XML: ${e instanceof Error ? e.message : String(e)}`, e);
  }
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    const at = line === undefined ? '' : col === undefined ? ` (line ${line})` : ` (line ${line}, column ${col})`;
    throw invalid(file, `not well-formed XML: ${msg}${at}`);
  }
  let nodes: FxpNode[];
  try {
    nodes = parser.parse(text) as FxpNode[];
  } catch (e) {
    throw invalid(file, `not well-formed XML: ${e instanceof Error ? e.message : String(e)}`, e);
  }
  const roots: XmlElement[] = [];
  for (const n of nodes) {
    if ('#text' in n) {
      if (String(n['#text']).trim() !== '') throw invalid(file, 'text outside the root element');
      continue;
    }
    const el = convert(n, { prefixes: new Map() }, 0, file);
    if (el) roots.push(el);
  }
  if (roots.length !== 1) throw invalid(file, roots.length === 0 ? 'no root element' : 'more than one root element');
  return roots[0];
}
