/**
 * What every camera sidecar parser shares: XML from a card is parsed without a DTD (no
 * entity a hostile file could expand), and a sidecar's tree is flattened to "Parent.Child"
 * keys for the vendor tables, to a bounded depth. Pure, on the file's text.
 */
import type { XMLParser } from 'fast-xml-parser';
import { HeaderError } from './dpx.ts';

/** Deeper than any camera writes its clip metadata; a hostile file gets no further. */
const MAX_DEPTH = 4;

export function parseSidecarXml(text: string, parser: XMLParser): Record<string, unknown> {
  if (/<!DOCTYPE/i.test(text)) throw new HeaderError('a DOCTYPE is not allowed in a camera sidecar');
  try {
    return parser.parse(text, true) as Record<string, unknown>;
  } catch (e) {
    throw new HeaderError(`not well-formed XML: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** Every text or number leaf as "A.B.C" → text; lists keep their first item (the camera writes one). */
export function flattenTree(node: unknown, out: Record<string, string> = {}, path = '', depth = 0): Record<string, string> {
  if (typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean') {
    if (path) out[path] = String(node);
  } else if (Array.isArray(node)) {
    flattenTree(node[0], out, path, depth);
  } else if (node && typeof node === 'object' && depth < MAX_DEPTH) {
    for (const [k, v] of Object.entries(node)) flattenTree(v, out, path ? `${path}.${k}` : k, depth + 1);
  }
  return out;
}
