/**
 * The camera sidecars a clip's unit carries (clips.ts attaches them by name, for a folder
 * and for a single file alike), read into the probe bundle: which file is whose, read with
 * which parser, as a table. Every sidecar is read whole up to a cap; a larger one, one that
 * is not what its name says, or one that cannot be read becomes a named SIDECAR_INVALID
 * issue, and the clip keeps its record.
 */
import { join } from 'node:path';
import type { ProbeBundle, SidecarKind } from './normalise.ts';
import { parseBrawSidecar } from './probes/braw-sidecar.ts';
import { parseCanonXml } from './probes/canon-xml.ts';
import { parseSonyXml } from './probes/sony-xml.ts';
import { readStart } from './read-start.ts';

export const SIDECAR_MAX_BYTES = 4 * 1024 * 1024;

interface SidecarReader {
  kind: SidecarKind;
  /** The parser's name in `inspection.tools`. */
  tool: string;
  matches: RegExp;
  /** The sidecar's values; undefined when the file is some other document, which is not this reader's to judge. */
  parse: (text: string) => Record<string, string> | undefined;
}

/** The first reader whose name pattern matches reads the file: Sony's M01.XML before any other XML. */
const READERS: readonly SidecarReader[] = [
  { kind: 'sony', tool: 'sony-xml', matches: /m\d\d\.xml$/i, parse: parseSonyXml },
  { kind: 'canon', tool: 'canon-xml', matches: /\.xml$/i, parse: parseCanonXml },
  { kind: 'braw', tool: 'braw-sidecar', matches: /\.sidecar$/i, parse: parseBrawSidecar },
];

export async function readSidecars(b: ProbeBundle): Promise<void> {
  for (const rel of b.unit.sidecars) {
    const reader = READERS.find((r) => r.matches.test(rel));
    if (!reader) continue;
    const path = join(b.root, rel);
    try {
      const { bytes, size } = await readStart(path, SIDECAR_MAX_BYTES);
      if (size > SIDECAR_MAX_BYTES) throw new Error(`it is ${size} bytes, more than the ${SIDECAR_MAX_BYTES} a sidecar may have`);
      const values = reader.parse(bytes.toString('utf8'));
      if (!values) continue;
      b[reader.kind] = values;
      b.tools.push(reader.tool);
    } catch (e) {
      b.issues.push({ code: 'SIDECAR_INVALID', message: `sidecar ${path} cannot be used: ${(e as Error).message}`, path });
    }
  }
}
