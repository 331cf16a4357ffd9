/**
 * Imports point one way (DESIGN.md): cli and server → engine → workflow → services →
 * runtime, queue, events → primitives (hash, mhl, fs, store, util, errors). This reads every
 * import in core/ and workers/ — type imports included — and fails on an arrow that points
 * up a layer, and on any cycle between folders.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Each folder's layer; a module may import its own layer (without cycles) and the ones below. */
const LAYERS: Record<string, number> = {
  core: 0, // errors.ts, version.ts
  'core/util': 0,
  'core/hash': 0,
  'core/fs': 0,
  'core/mhl': 0,
  'core/store': 0,
  'core/events': 1,
  'core/queue': 2,
  'core/runtime': 2,
  'core/offload': 3,
  'core/watch': 3,
  'core/inspect': 3,
  'core/render': 3,
  'core/webhook': 3,
  'core/sync': 3,
  'core/report': 3,
  workers: 3,
  'core/workflow': 4,
  'core/engine': 5,
  'core/server': 6,
  'core/cli': 6,
};

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'dist' ? [] : sources(rel);
    return e.name.endsWith('.ts') ? [rel] : [];
  });
}

/** Modules this file imports (TypeScript only: package.json and the like are no layer). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specs = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+|declare module\s+)['"](\.{1,2}\/[^'"]+\.ts)['"]/gm)].map((m) => m[1]!);
  return specs.map((s) => relative(ROOT, resolve(ROOT, dirname(file), s)));
}

/** A module's folder as a layer: a part's subfolders (inspect/probes) belong to it. */
const folderOf = (file: string) => dirname(file).split('/').slice(0, 2).join('/');

const edges = [...sources('core'), ...sources('workers')].flatMap((file) => importsOf(file).map((target) => ({ file, target, from: folderOf(file), to: folderOf(target) })));

type Edge = { file: string; target: string; from: string; to: string };

function upward(list: Edge[]): string[] {
  return list.filter((e) => LAYERS[e.to]! > LAYERS[e.from]!).map((e) => `${e.file} → ${e.target}`);
}

/** Every folder that can reach itself through others, with the way round. */
function cycles(list: Edge[]): string[] {
  const graph = new Map<string, Set<string>>();
  for (const e of list) if (e.from !== e.to) graph.set(e.from, (graph.get(e.from) ?? new Set()).add(e.to));
  const found: string[] = [];
  for (const start of graph.keys()) {
    const seen = new Set<string>();
    const stack = [...(graph.get(start) ?? [])].map((n) => [n, `${start} → ${n}`] as const);
    while (stack.length) {
      const [node, path] = stack.pop()!;
      if (node === start) {
        found.push(path);
        break;
      }
      if (seen.has(node)) continue;
      seen.add(node);
      for (const next of graph.get(node) ?? []) stack.push([next, `${path} → ${next}`]);
    }
  }
  return found;
}

/** Every import of a file: relative ones resolved from the root, packages as named. */
function allImportsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)].map((m) => (m[1]!.startsWith('.') ? relative(ROOT, resolve(ROOT, dirname(file), m[1]!)) : m[1]!));
}

function allSources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = join(dir, e.name);
    if (e.isDirectory()) return allSources(rel);
    return /\.tsx?$/.test(e.name) ? [rel] : [];
  });
}

describe('the faces outside core/', () => {
  it('the web UI talks to the engine only over HTTP: it imports nothing from core/ or electron/, and no package but React', () => {
    const allowed = (i: string) => i.startsWith('renderer/src/') || /^react(-dom)?(\/|$)/.test(i);
    const bad = allSources('renderer/src').flatMap((f) => allImportsOf(f).filter((i) => !allowed(i)).map((i) => `${f} → ${i}`));
    expect(bad).toEqual([]);
  });

  it('the desktop shell reaches the engine only through its API (and the server the window loads the UI from)', () => {
    const allowed = [/^electron\//, /^core\/engine\/(engine|config|pidfile)\.ts$/, /^core\/server\/index\.ts$/, /^core\/store\/home\.ts$/, /^core\/util\/log\.ts$/, /^renderer\/src\/desktop\.ts$/, /^electron$/, /^node:/];
    const files = allSources('electron');
    const bad = files.flatMap((f) => allImportsOf(f).filter((i) => !allowed.some((a) => a.test(i))).map((i) => `${f} → ${i}`));
    expect(bad).toEqual([]);
    // The engine's parts (store, queue, cards…) are open for tests; the shell uses engine.api alone.
    const reachesIn = files.filter((f) => /\bengine\.(db|bus|queue|runner|cards|clips|ingest)\b/.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(reachesIn).toEqual([]);
  });
});

describe('the import graph of core/ and workers/', () => {
  it('knows the layer of every folder', () => {
    const unknown = [...new Set(edges.flatMap((e) => [e.from, e.to]))].filter((f) => LAYERS[f] === undefined);
    expect(unknown).toEqual([]);
  });

  it('has no arrow that points up a layer', () => {
    expect(upward(edges)).toEqual([]);
  });

  it('has no cycle between folders', () => {
    expect(cycles(edges)).toEqual([]);
  });

  it('finds an arrow up and a cycle when there is one', () => {
    const edge = (from: string, to: string): Edge => ({ file: `${from}/a.ts`, target: `${to}/b.ts`, from, to });
    expect(upward([edge('core/mhl', 'core/runtime'), edge('core/engine', 'core/queue')])).toEqual(['core/mhl/a.ts → core/runtime/b.ts']);
    expect(cycles([edge('core/inspect', 'core/render'), edge('core/render', 'core/inspect'), edge('core/render', 'core/hash')])).toEqual([
      'core/inspect → core/render → core/inspect',
      'core/render → core/inspect → core/render',
    ]);
  });
});
