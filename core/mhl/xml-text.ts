/**
 * Character-level XML: escaping for the writer, and decoding of the five predefined
 * entities and character references for the reader. The parser runs with entity
 * processing off (no DTD can ever expand anything), so this is the only decoding there is.
 */

/** Characters XML 1.0 cannot carry at all, not even as a character reference. */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export function firstNonXmlChar(s: string): string | undefined {
  const m = NOT_XML_CHAR.exec(s);
  return m ? m[0] : undefined;
}

/** Element text. CR is written as a reference: a literal one would be read back as LF. */
export function escapeText(s: string): string {
  return s.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;'));
}

/** Attribute values: whitespace other than space is referenced so attribute normalisation keeps it. */
export function escapeAttribute(s: string): string {
  return s.replace(/[&<>"\t\n\r]/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      case '\t':
        return '&#9;';
      case '\n':
        return '&#10;';
      default:
        return '&#13;';
    }
  });
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * Decodes references in raw text. Returns an error message instead of a string for a
 * reference that no DTD-less XML document may contain (unknown names, bad code points).
 */
export function decodeReferences(raw: string): string | { error: string } {
  if (!raw.includes('&')) return raw;
  let error: string | undefined;
  const out = raw.replace(/&([^;&\s]*);?/g, (whole, body: string) => {
    if (error) return '';
    if (!whole.endsWith(';')) {
      error = `bare "&" in text (${JSON.stringify(whole.slice(0, 20))})`;
      return '';
    }
    if (body.startsWith('#')) {
      const hex = body[1] === 'x';
      const digits = body.slice(hex ? 2 : 1);
      const valid = hex ? /^[0-9a-fA-F]+$/.test(digits) : /^[0-9]+$/.test(digits);
      const cp = valid ? Number.parseInt(digits, hex ? 16 : 10) : NaN;
      if (!Number.isFinite(cp) || cp > 0x10ffff || digits.length > 8) {
        error = `invalid character reference "&${body};"`;
        return '';
      }
      const ch = String.fromCodePoint(cp);
      if (firstNonXmlChar(ch) !== undefined) {
        error = `character reference "&${body};" names a character XML does not allow`;
        return '';
      }
      return ch;
    }
    const named = PREDEFINED[body];
    if (named === undefined) {
      error = `undeclared entity "&${body};" (entities are not processed)`;
      return '';
    }
    return named;
  });
  return error ? { error } : out;
}

/** Attribute value normalisation (XML 1.0 §3.3.3) for CDATA attributes, then references. */
export function decodeAttribute(raw: string): string | { error: string } {
  return decodeReferences(raw.replace(/[\t\n\r]/g, ' '));
}
