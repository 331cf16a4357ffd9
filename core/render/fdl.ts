/**
 * ASC FDL 2.0: which part of the source picture to keep and how big to make it. A framing
 * decision is chosen (by id, else the first of the default framing intent), the source is
 * cropped to it (or to its protection, or to the canvas, per the template's fit_source),
 * de-squeezed, scaled to the canvas template's target by its fit method, rounded by its
 * rules (even or whole, up / down / round), cropped to the target where `fill` overshoots,
 * and padded where the template asks. Pure.
 */
import { RushesError } from '../errors.ts';
import { compileSchema, describeErrors } from '../util/schema.ts';

interface Size { width: number; height: number }
interface Point { x: number; y: number }
interface FramingDecision { id: string; framing_intent_id: string; dimensions: Size; anchor_point: Point; protection_dimensions?: Size; protection_anchor_point?: Point }
interface Canvas { id: string; dimensions: Size; effective_dimensions?: Size; effective_anchor_point?: Point; anamorphic_squeeze?: number; framing_decisions?: FramingDecision[] }
interface Template {
  id: string;
  target_dimensions: Size;
  target_anamorphic_squeeze: number;
  fit_source: 'framing_decision.dimensions' | 'framing_decision.protection_dimensions' | 'canvas.dimensions' | 'canvas.effective_dimensions';
  fit_method: 'width' | 'height' | 'fit_all' | 'fill';
  alignment_method_vertical?: 'top' | 'center' | 'bottom';
  alignment_method_horizontal?: 'left' | 'center' | 'right';
  maximum_dimensions?: Size;
  pad_to_maximum?: boolean;
  round?: { even: 'whole' | 'even'; mode: 'up' | 'down' | 'round' };
}
export interface FdlDocument { uuid: string; default_framing_intent?: string; contexts?: { canvases?: Canvas[] }[]; canvas_templates?: Template[] }

/** Source pixels to keep, the size to scale them to, and the frame to pad into. */
export interface Geometry {
  crop: { x: number; y: number; width: number; height: number };
  scale: Size;
  pad?: { width: number; height: number; x: number; y: number };
  /** Which decision and template were applied, for the result and the logs. */
  framingDecision?: string;
  canvasTemplate?: string;
}

const validate = compileSchema<FdlDocument>('fdl.schema.json');

export function parseFdl(doc: unknown, name = 'the FDL'): FdlDocument {
  if (!validate(doc)) throw new RushesError('USAGE', `${name} is not a valid ASC FDL 2.0 document: ${describeErrors(validate.errors)}`);
  return doc;
}

function round(v: number, r: Template['round'] = { even: 'even', mode: 'up' }): number {
  const unit = r.even === 'even' ? 2 : 1;
  const q = v / unit;
  const n = r.mode === 'up' ? Math.ceil(q - 1e-9) : r.mode === 'down' ? Math.floor(q + 1e-9) : Math.round(q);
  return Math.max(unit, n * unit);
}

function pickDecision(doc: FdlDocument, source: Size, wanted?: string): { canvas: Canvas; fd: FramingDecision } {
  const canvases = (doc.contexts ?? []).flatMap((c) => c.canvases ?? []);
  const all = canvases.flatMap((canvas) => (canvas.framing_decisions ?? []).map((fd) => ({ canvas, fd })));
  if (all.length === 0) throw new RushesError('USAGE', 'the FDL has no framing decision');
  if (wanted) {
    const hit = all.find((x) => x.fd.id === wanted);
    if (!hit) throw new RushesError('USAGE', `the FDL has no framing decision "${wanted}" (it has: ${all.map((x) => x.fd.id).join(', ')})`);
    return hit;
  }
  // Prefer the canvas the size of this source, then the default framing intent.
  const sized = all.filter((x) => x.canvas.dimensions.width === source.width && x.canvas.dimensions.height === source.height);
  const pool = sized.length ? sized : all;
  return pool.find((x) => x.fd.framing_intent_id === doc.default_framing_intent) ?? pool[0]!;
}

function fitRect(t: Template | undefined, canvas: Canvas, fd: FramingDecision): { x: number; y: number; width: number; height: number } {
  switch (t?.fit_source ?? 'framing_decision.dimensions') {
    case 'framing_decision.protection_dimensions':
      if (fd.protection_dimensions && fd.protection_anchor_point) return { ...fd.protection_anchor_point, ...fd.protection_dimensions };
      return { ...fd.anchor_point, ...fd.dimensions };
    case 'canvas.dimensions':
      return { x: 0, y: 0, ...canvas.dimensions };
    case 'canvas.effective_dimensions':
      if (canvas.effective_dimensions && canvas.effective_anchor_point) return { ...canvas.effective_anchor_point, ...canvas.effective_dimensions };
      return { x: 0, y: 0, ...canvas.dimensions };
    default:
      return { ...fd.anchor_point, ...fd.dimensions };
  }
}

/**
 * The geometry for a source of `source` pixels. Without a canvas template the framing
 * decision is de-squeezed and scaled to `height` (even sizes, rounded up).
 */
export function resolveFdl(doc: FdlDocument, source: Size, o: { framingDecision?: string; canvasTemplate?: string; height?: number } = {}): Geometry {
  const { canvas, fd } = pickDecision(doc, source, o.framingDecision);
  const templates = doc.canvas_templates ?? [];
  const t = o.canvasTemplate ? templates.find((x) => x.id === o.canvasTemplate) : templates[0];
  if (o.canvasTemplate && !t) throw new RushesError('USAGE', `the FDL has no canvas template "${o.canvasTemplate}" (it has: ${templates.map((x) => x.id).join(', ') || 'none'})`);
  // FDL coordinates are in the canvas's pixels; a source of another size is mapped onto it.
  const sx = source.width / canvas.dimensions.width;
  const sy = source.height / canvas.dimensions.height;
  const r = fitRect(t, canvas, fd);
  const crop = { x: Math.round(r.x * sx), y: Math.round(r.y * sy), width: Math.round(r.width * sx), height: Math.round(r.height * sy) };
  if (crop.x < 0 || crop.y < 0 || crop.x + crop.width > source.width || crop.y + crop.height > source.height)
    throw new RushesError('USAGE', `framing decision ${fd.id} (${crop.width}x${crop.height} at ${crop.x},${crop.y}) lies outside the ${source.width}x${source.height} picture`);
  const squeeze = (canvas.anamorphic_squeeze ?? 1) / (t?.target_anamorphic_squeeze ?? 1);
  // The kept area in square pixels of the target.
  const w = r.width * squeeze;
  const h = r.height;
  if (!t) {
    const height = o.height ?? Math.round(h);
    return { crop, scale: { width: round((w * height) / h), height: round(height) }, framingDecision: fd.id };
  }
  const T = t.target_dimensions;
  const k = t.fit_method === 'width' ? T.width / w : t.fit_method === 'height' ? T.height / h : t.fit_method === 'fit_all' ? Math.min(T.width / w, T.height / h) : Math.max(T.width / w, T.height / h);
  const scale = { width: round(w * k, t.round), height: round(h * k, t.round) };
  const geometry: Geometry = { crop, scale, framingDecision: fd.id, canvasTemplate: t.id };
  // Where what is cut off or padded goes: 0 = left/top, 0.5 = centred, 1 = right/bottom.
  const ax = { left: 0, center: 0.5, right: 1 }[t.alignment_method_horizontal ?? 'center'];
  const ay = { top: 0, center: 0.5, bottom: 1 }[t.alignment_method_vertical ?? 'center'];
  // `fill` overshoots the target in one direction: crop that back (in source pixels), aligned as the template says.
  const over = { width: Math.max(0, scale.width - T.width), height: Math.max(0, scale.height - T.height) };
  if (over.width || over.height) {
    const keepW = Math.round(((scale.width - over.width) / scale.width) * crop.width);
    const keepH = Math.round(((scale.height - over.height) / scale.height) * crop.height);
    geometry.crop = { x: crop.x + Math.round((crop.width - keepW) * ax), y: crop.y + Math.round((crop.height - keepH) * ay), width: keepW, height: keepH };
    geometry.scale = { width: Math.min(scale.width, T.width), height: Math.min(scale.height, T.height) };
  }
  const max = t.maximum_dimensions ?? (t.pad_to_maximum ? T : undefined);
  if (max) {
    geometry.scale = { width: Math.min(geometry.scale.width, max.width), height: Math.min(geometry.scale.height, max.height) };
    if (t.pad_to_maximum) {
      geometry.pad = { width: max.width, height: max.height, x: Math.round((max.width - geometry.scale.width) * ax), y: Math.round((max.height - geometry.scale.height) * ay) };
    }
  }
  return geometry;
}

/** The ffmpeg filters for a geometry: crop and scale (Lanczos) — and, apart, the pad, which goes after any grade so the bars stay black. */
export function geometryFilters(g: Geometry): { picture: string[]; pad: string[] } {
  return {
    picture: [`crop=${g.crop.width}:${g.crop.height}:${g.crop.x}:${g.crop.y}`, `scale=${g.scale.width}:${g.scale.height}:flags=lanczos`, 'setsar=1'],
    pad: g.pad ? [`pad=${g.pad.width}:${g.pad.height}:${g.pad.x}:${g.pad.y}:black`] : [],
  };
}
