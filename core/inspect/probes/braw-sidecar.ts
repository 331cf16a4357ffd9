/**
 * A Blackmagic RAW `.sidecar`: the JSON document Blackmagic cameras and DaVinci Resolve keep
 * beside a `.braw`, whose values take precedence over those embedded in the clip. Its keys
 * are the Blackmagic RAW SDK's metadata names (`iso`, `white_balance_kelvin`, `gamma`,
 * `reel_name`, `camera_number`…), flattened to text for the vendor table. Pure, on the file's text.
 */
import { HeaderError } from './dpx.ts';
import { flattenTree } from './sidecar-text.ts';

export function parseBrawSidecar(text: string): Record<string, string> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new HeaderError(`not a JSON document: ${(e as Error).message}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new HeaderError('not a Blackmagic RAW sidecar (the document is not a JSON object)');
  return flattenTree(doc);
}
