/**
 * Turns the bytes of an MHL file into a small element tree, treating them as hostile:
 * bounded size, strict UTF-8, no DOCTYPE or entity declarations (XXE, billion laughs) —
 * refused before any parsing — no references but the five predefined entities and
 * character references, well-formedness checked, namespaces resolved. Every failure is a
 * RushesError naming the file.
 */
import { RushesError } from '../errors.ts';
import { decodeAttribute, decodeReferences, firstNonXmlChar } from './xml-text.ts';

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

/** XML 1.0 names (§2.3): a NameStartChar, then NameChars. */
const NAME_START = ':A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NAME = new RegExp(`[${NAME_START}][${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040]*`, 'uy');
const SPACE = /[ \t\r\n]*/y;

/** An element being read: its end tag not reached yet. */
interface Open {
  el: XmlElement;
  /** The name as written (with its prefix), which the end tag must repeat. */
  qname: string;
  /** Namespace prefixes in scope ('' for the default namespace). */
  prefixes: Map<string, string>;
  text: string;
}

/**
 * A strict XML 1.0 reader of one document into elements, in one pass: well-formedness
 * (names, quoted attributes without "<" and without repeats, end tags matching start tags,
 * one root, no text outside it, comments, CDATA, processing instructions), namespaces and
 * references resolved. It replaced fast-xml-parser's validator, then its parser, then a
 * conversion of its tree — three passes, ~250 ms of a 10,000-file manifest; this one takes
 * a tenth of that (`npm run bench -- mhl`, verify). Declarations were refused before.
 */
class DocumentReader {
  private pos = 0;

  constructor(
    private readonly s: string,
    private readonly file: string,
  ) {}

  /** A well-formedness error at a line and column, as the validator reported them. */
  private fail(why: string, at = this.pos): never {
    let line = 1;
    let lineStart = 0;
    for (let i = this.s.indexOf('\n'); i >= 0 && i < at; i = this.s.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    throw invalid(this.file, `not well-formed XML: ${why} (line ${line}, column ${at - lineStart + 1})`);
  }

  private at(text: string): boolean {
    return this.s.startsWith(text, this.pos);
  }

  /** Skips whitespace; true when there was some. */
  private space(): boolean {
    SPACE.lastIndex = this.pos;
    SPACE.exec(this.s);
    const moved = SPACE.lastIndex > this.pos;
    this.pos = SPACE.lastIndex;
    return moved;
  }

  private name(what: string): string {
    NAME.lastIndex = this.pos;
    const m = NAME.exec(this.s);
    if (!m) this.fail(`expected ${what}`);
    this.pos = NAME.lastIndex;
    return m[0];
  }

  /** What lies between here and `end`, which is skipped too. */
  private until(end: string, what: string): string {
    const i = this.s.indexOf(end, this.pos);
    if (i < 0) this.fail(`${what} is not closed`);
    const body = this.s.slice(this.pos, i);
    this.pos = i + end.length;
    return body;
  }

  private comment(): void {
    const from = this.pos;
    this.pos += 4;
    const body = this.until('-->', 'a comment');
    if (body.includes('--') || body.endsWith('-')) this.fail('"--" inside a comment', from);
  }

  private instruction(): void {
    const from = this.pos;
    this.pos += 2;
    const target = this.name('a processing instruction target');
    if (target.toLowerCase() === 'xml') this.fail('an XML declaration is allowed only at the start of the document', from);
    if (!this.at('?>') && !this.space()) this.fail(`expected whitespace after <?${target}`);
    this.until('?>', 'a processing instruction');
  }

  document(): XmlElement {
    const bad = firstNonXmlChar(this.s);
    if (bad !== undefined) this.fail(`character U+${bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} is not allowed in XML`, this.s.indexOf(bad));
    if (/^<\?xml[ \t\r\n]/.test(this.s)) this.until('?>', 'the XML declaration');
    let root: XmlElement | undefined;
    for (;;) {
      this.space();
      if (this.pos >= this.s.length) break;
      if (this.at('<!--')) this.comment();
      else if (this.at('<?')) this.instruction();
      else if (this.at('</') || this.at('<!')) this.fail('unexpected markup outside the root element');
      else if (this.at('<')) {
        if (root) throw invalid(this.file, 'more than one root element');
        root = this.element();
      } else throw invalid(this.file, 'text outside the root element');
    }
    if (!root) throw invalid(this.file, 'no root element');
    return root;
  }

  /** The element that starts here, with all it contains (iteratively: depth is bounded, not the stack). */
  private element(): XmlElement {
    const stack: Open[] = [];
    let root: XmlElement | undefined;
    for (;;) {
      const parent = stack.at(-1);
      const { open, empty } = this.startTag(parent?.prefixes ?? new Map(), stack.length);
      if (parent) parent.el.children.push(open.el);
      else root = open.el;
      if (!empty) stack.push(open);
      else if (!parent) return root!;
      // Content up to the next start tag, closing elements on the way.
      for (;;) {
        const cur = stack.at(-1)!;
        const lt = this.s.indexOf('<', this.pos);
        if (lt < 0) this.fail(`<${cur.qname}> is not closed`, this.s.length);
        if (lt > this.pos) this.text(cur, this.s.slice(this.pos, lt));
        this.pos = lt;
        if (this.at('</')) {
          this.pos += 2;
          const name = this.name('an end tag name');
          this.space();
          if (this.s[this.pos] !== '>') this.fail(`expected ">" to end </${name}`);
          if (name !== cur.qname) this.fail(`</${name}> does not close <${cur.qname}>`, lt);
          this.pos++;
          cur.el.text = cur.text;
          stack.pop();
          if (stack.length === 0) return root!;
        } else if (this.at('<!--')) this.comment();
        else if (this.at('<![CDATA[')) {
          this.pos += 9;
          cur.text += this.until(']]>', 'a CDATA section');
        } else if (this.at('<?')) this.instruction();
        else if (this.at('<!')) this.fail('unexpected declaration');
        else break;
      }
    }
  }

  private text(cur: Open, raw: string): void {
    if (raw.includes(']]>')) this.fail(`"]]>" in text in <${cur.qname}>`);
    const t = decodeReferences(raw);
    if (typeof t !== 'string') throw invalid(this.file, `text in <${cur.el.name}>: ${t.error}`);
    cur.text += t;
  }

  private startTag(scope: Map<string, string>, depth: number): { open: Open; empty: boolean } {
    if (depth > MAX_DEPTH) throw invalid(this.file, `elements nested deeper than ${MAX_DEPTH} levels`);
    this.pos++;
    const qname = this.name('an element name');
    const raw: [string, string][] = [];
    let empty: boolean;
    for (;;) {
      const spaced = this.space();
      const ch = this.s[this.pos];
      if (ch === '>' || (ch === '/' && this.s[this.pos + 1] === '>')) {
        empty = ch === '/';
        this.pos += empty ? 2 : 1;
        break;
      }
      if (ch === undefined) this.fail(`<${qname}> is not closed`);
      if (!spaced) this.fail(`expected whitespace, ">" or "/>" in <${qname}>`);
      const name = this.name(`an attribute name in <${qname}>`);
      this.space();
      if (this.s[this.pos] !== '=') this.fail(`attribute "${name}" of <${qname}> has no value`);
      this.pos++;
      this.space();
      const quote = this.s[this.pos];
      if (quote !== '"' && quote !== "'") this.fail(`the value of attribute "${name}" of <${qname}> is not quoted`);
      this.pos++;
      const value = this.until(quote, `the value of attribute "${name}" of <${qname}>`);
      if (value.includes('<')) this.fail(`"<" in the value of attribute "${name}" of <${qname}>`);
      if (raw.some(([k]) => k === name)) this.fail(`attribute "${name}" appears twice in <${qname}>`);
      raw.push([name, value]);
    }
    let prefixes = scope;
    const attrs: Record<string, string> = {};
    for (const [k, v] of raw) {
      const value = decodeAttribute(v);
      if (typeof value !== 'string') throw invalid(this.file, `attribute "${k}" of <${qname}>: ${value.error}`);
      if (k === 'xmlns' || k.startsWith('xmlns:')) {
        if (prefixes === scope) prefixes = new Map(scope);
        prefixes.set(k === 'xmlns' ? '' : k.slice(6), value);
      } else attrs[k] = value;
    }
    const colon = qname.indexOf(':');
    const prefix = colon < 0 ? '' : qname.slice(0, colon);
    const local = colon < 0 ? qname : qname.slice(colon + 1);
    if (colon === 0 || local === '' || local.includes(':')) this.fail(`<${qname}> is not a qualified name`);
    const ns = prefixes.get(prefix);
    if (ns === undefined && prefix !== '') throw invalid(this.file, `element <${qname}> uses an undeclared namespace prefix`);
    return { open: { el: { name: local, ns: ns ?? '', attrs, children: [], text: '' }, qname, prefixes, text: '' }, empty };
  }
}

/** Parses an MHL or chain file's bytes into its root element. */
export function parseXml(bytes: Uint8Array, file: string): XmlElement {
  const text = decodeText(bytes, file);
  if (text.trim() === '') throw invalid(file, 'file is empty');
  return new DocumentReader(text, file).document();
}
