/**
 * Colour for proxies: an ASC CDL (from .cdl, .cc, .ccc, an AMF look, or numbers) then a
 * 3D LUT (.cube), in that order — the grade is made in the camera's log space and the
 * show LUT takes it to the display. Both are baked into one 3D LUT that ffmpeg's lut3d
 * applies after the picture is scaled down, so the colour maths runs on proxy pixels, not
 * camera pixels. Pure: parsing, composing and writing cube text.
 */
import { XMLParser } from 'fast-xml-parser';
import { RushesError } from '../errors.ts';

export interface Cdl {
  id?: string;
  slope: [number, number, number];
  offset: [number, number, number];
  power: [number, number, number];
  saturation: number;
}

export interface Cube {
  size: number;
  domainMin: [number, number, number];
  domainMax: [number, number, number];
  /** size³ RGB triples, red fastest. */
  data: Float32Array;
}

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', removeNSPrefix: true, isArray: (n) => ['ColorCorrection', 'ColorDecision', 'lookTransform'].includes(n) });

type Node = Record<string, unknown>;

function triple(text: unknown, what: string, file: string): [number, number, number] {
  const v = String(text ?? '').trim().split(/\s+/).map(Number);
  if (v.length !== 3 || v.some((x) => !Number.isFinite(x))) throw new RushesError('USAGE', `${file}: ${what} must be three numbers (got "${String(text ?? '')}")`);
  return v as [number, number, number];
}

/** A ColorCorrection element (or any element holding SOPNode / SatNode) → CDL values. */
function cdlOf(node: Node, file: string): Cdl {
  const sop = (node.SOPNode ?? {}) as Node;
  const sat = (node.SatNode ?? node.SATNode ?? {}) as Node;
  if (!node.SOPNode && !node.SatNode && !node.SATNode) throw new RushesError('USAGE', `${file}: a ColorCorrection without SOPNode or SatNode`);
  const saturation = sat.Saturation === undefined ? 1 : Number(sat.Saturation);
  if (!Number.isFinite(saturation) || saturation < 0) throw new RushesError('USAGE', `${file}: Saturation must be a number ≥ 0`);
  const id = typeof node.id === 'string' ? node.id : undefined;
  return {
    ...(id ? { id } : {}),
    slope: sop.Slope === undefined ? [1, 1, 1] : triple(sop.Slope, 'Slope', file),
    offset: sop.Offset === undefined ? [0, 0, 0] : triple(sop.Offset, 'Offset', file),
    power: sop.Power === undefined ? [1, 1, 1] : triple(sop.Power, 'Power', file),
    saturation,
  };
}

/** Reads a .cc, .ccc or .cdl file's text; `id` picks one correction of several (default the first). */
export function parseCdlXml(text: string, file: string, id?: string): Cdl {
  let doc: Node;
  try {
    doc = xml.parse(text, true) as Node;
  } catch (e) {
    throw new RushesError('USAGE', `${file} is not well-formed XML: ${(e as Error).message.split('\n')[0]}`);
  }
  const corrections: Node[] = [];
  const collect = (n: unknown) => {
    if (!n || typeof n !== 'object') return;
    const o = n as Node;
    for (const cc of (o.ColorCorrection as Node[] | undefined) ?? []) corrections.push(cc);
    for (const d of (o.ColorDecision as Node[] | undefined) ?? []) collect(d);
  };
  collect(doc);
  collect(doc.ColorCorrectionCollection);
  collect(doc.ColorDecisionList);
  if (corrections.length === 0) throw new RushesError('USAGE', `${file} holds no ColorCorrection`);
  const chosen = id ? corrections.find((c) => c.id === id) : corrections[0];
  if (!chosen) throw new RushesError('USAGE', `${file} has no ColorCorrection "${id}" (it has: ${corrections.map((c) => String(c.id ?? '(no id)')).join(', ')})`);
  return cdlOf(chosen, file);
}

export interface AmfLook {
  cdl?: Cdl;
  /** Named ACES transforms the proxy cannot apply (no ACES transform engine here), said plainly. */
  notApplied: { stage: string; transformId: string }[];
}

/** An ACES Metadata File: its first un-applied CDL look, and every named transform it asks for that Rushes cannot run. */
export function parseAmf(text: string, file: string): AmfLook {
  let doc: Node;
  try {
    doc = xml.parse(text, true) as Node;
  } catch (e) {
    throw new RushesError('USAGE', `${file} is not well-formed XML: ${(e as Error).message.split('\n')[0]}`);
  }
  const root = doc.acesMetadataFile as Node | undefined;
  const pipeline = root?.pipeline as Node | undefined;
  if (!pipeline) throw new RushesError('USAGE', `${file} is not an ACES Metadata File (no acesMetadataFile/pipeline)`);
  const out: AmfLook = { notApplied: [] };
  const named = (stage: string, node: unknown) => {
    const id = (node as Node | undefined)?.transformId;
    if (typeof id === 'string' && (node as Node).applied !== 'true') out.notApplied.push({ stage, transformId: id });
  };
  named('inputTransform', pipeline.inputTransform);
  for (const look of (pipeline.lookTransform as Node[] | undefined) ?? []) {
    if (look.applied === 'true') continue;
    named('lookTransform', look);
    const ws = look.cdlWorkingSpace as Node | undefined;
    named('cdlWorkingSpace.toCdlWorkingSpace', ws?.toCdlWorkingSpace);
    named('cdlWorkingSpace.fromCdlWorkingSpace', ws?.fromCdlWorkingSpace);
    const holder = (look.ColorCorrection as Node[] | undefined)?.[0] ?? look;
    if (!out.cdl && (holder.SOPNode || holder.SatNode)) out.cdl = cdlOf(holder, file);
  }
  named('outputTransform', pipeline.outputTransform);
  return out;
}

/** Reads a .cube 3D LUT, naming the line of any fault. */
export function parseCube(text: string, file: string): Cube {
  let size = 0;
  let domainMin: [number, number, number] = [0, 0, 0];
  let domainMax: [number, number, number] = [1, 1, 1];
  let data: Float32Array | undefined;
  let n = 0;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/#.*$/, '').trim();
    if (!line) continue;
    const fault = (why: string) => new RushesError('USAGE', `${file} line ${i + 1}: ${why}`);
    const [word, ...rest] = line.split(/\s+/);
    if (word === 'TITLE') continue;
    if (word === 'LUT_1D_SIZE') throw fault('1D LUTs are not supported; use a 3D .cube');
    if (word === 'LUT_3D_SIZE') {
      size = Number(rest[0]);
      if (!Number.isInteger(size) || size < 2 || size > 256) throw fault(`LUT_3D_SIZE must be a whole number from 2 to 256 (got "${rest[0]}")`);
      data = new Float32Array(size ** 3 * 3);
      continue;
    }
    if (word === 'DOMAIN_MIN' || word === 'DOMAIN_MAX') {
      const v = rest.map(Number);
      if (v.length !== 3 || v.some((x) => !Number.isFinite(x))) throw fault(`${word} needs three numbers`);
      if (word === 'DOMAIN_MIN') domainMin = v as [number, number, number];
      else domainMax = v as [number, number, number];
      continue;
    }
    const v = line.split(/\s+/).map(Number);
    if (v.length !== 3 || v.some((x) => !Number.isFinite(x))) throw fault(`expected three numbers or a keyword, got "${line.slice(0, 60)}"`);
    if (!data) throw fault('a value before LUT_3D_SIZE');
    if (n >= size ** 3) throw fault(`more than ${size ** 3} values for a ${size}³ LUT`);
    data.set(v, n * 3);
    n++;
  }
  if (!data) throw new RushesError('USAGE', `${file} is not a 3D .cube LUT (no LUT_3D_SIZE)`);
  if (n !== size ** 3) throw new RushesError('USAGE', `${file} has ${n} values; a ${size}³ LUT needs ${size ** 3}`);
  if (domainMin.some((m, i) => m >= domainMax[i]!)) throw new RushesError('USAGE', `${file}: DOMAIN_MIN must be below DOMAIN_MAX`);
  return { size, domainMin, domainMax, data };
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

/** ASC CDL (v1.2, clamped) on one RGB value: slope, offset, clamp, power, then saturation with Rec. 709 weights, clamped. */
export function applyCdl(c: Cdl, rgb: [number, number, number]): [number, number, number] {
  const sop = rgb.map((v, i) => clamp01(v * c.slope[i]! + c.offset[i]!) ** c.power[i]!) as [number, number, number];
  const luma = 0.2126 * sop[0] + 0.7152 * sop[1] + 0.0722 * sop[2];
  return sop.map((v) => clamp01(luma + c.saturation * (v - luma))) as [number, number, number];
}

/** A LUT at any input, trilinearly interpolated; inputs outside its domain are clamped to it. */
export function sampleCube(l: Cube, rgb: [number, number, number]): [number, number, number] {
  const N = l.size - 1;
  const p = rgb.map((v, i) => Math.min(N, Math.max(0, ((v - l.domainMin[i]!) / (l.domainMax[i]! - l.domainMin[i]!)) * N)));
  const i0 = p.map((x) => Math.min(Math.floor(x), N - 1));
  const f = p.map((x, k) => x - i0[k]!);
  const at = (r: number, g: number, b: number, ch: number) => l.data[((r + g * l.size + b * l.size * l.size) * 3) + ch]!;
  const out: [number, number, number] = [0, 0, 0];
  for (let ch = 0; ch < 3; ch++) {
    let v = 0;
    for (let dr = 0; dr < 2; dr++)
      for (let dg = 0; dg < 2; dg++)
        for (let db = 0; db < 2; db++) {
          const w = (dr ? f[0]! : 1 - f[0]!) * (dg ? f[1]! : 1 - f[1]!) * (db ? f[2]! : 1 - f[2]!);
          if (w) v += w * at(i0[0]! + dr, i0[1]! + dg, i0[2]! + db, ch);
        }
    out[ch] = v;
  }
  return out;
}

const BAKED_SIZE = 33;

/** One LUT doing the CDL, then the LUT: what ffmpeg's lut3d applies. Undefined when there is no colour to apply. */
export function bakeCube(cdl: Cdl | undefined, lut: Cube | undefined, size = BAKED_SIZE): string | undefined {
  if (!cdl && !lut) return undefined;
  const lines = [`# Rushes: ${cdl ? 'ASC CDL' : ''}${cdl && lut ? ' then ' : ''}${lut ? '3D LUT' : ''}`, `LUT_3D_SIZE ${size}`];
  for (let b = 0; b < size; b++)
    for (let g = 0; g < size; g++)
      for (let r = 0; r < size; r++) {
        let v: [number, number, number] = [r / (size - 1), g / (size - 1), b / (size - 1)];
        if (cdl) v = applyCdl(cdl, v);
        if (lut) v = sampleCube(lut, v);
        lines.push(v.map((x) => x.toFixed(6)).join(' '));
      }
  return lines.join('\n') + '\n';
}
