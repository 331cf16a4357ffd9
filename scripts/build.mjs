// Compiles Rushes once, so no command pays for TypeScript at start-up (`npm ci` runs this
// through the `prepare` script; the test run and `npm run bench` run it too):
//   dist/cli/main.mjs  the `rushes` command (bin/rushes.cjs loads it), its commands in chunks beside it
//   dist/worker.cjs    what each worker thread of the pool loads (core/runtime/pool.ts)
//   dist/rushes-fn.cjs `rushes-fn`, self-contained: the worker image runs it without node_modules
//   dist/electron/     the desktop shell's main process and preload script (CommonJS, as Electron loads them)
//   dist/renderer/     the web UI (renderer/, built by Vite), which the daemon serves at `/`
//                      and the desktop window loads; rebuilt only when renderer/ changed
// Modules find their files (schemas/, bin/) by walking up to the folder that holds schemas/
// (core/util/package-root.ts), so the bundles work from dist/ and from /opt/rushes alike.
import { build } from 'esbuild';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
// CommonJS has no import.meta: each bundle gets its own file's URL in its place.
const cjsMetaUrl = {
  define: { 'import.meta.url': '__rushes_module_url' },
  banner: { js: "var __rushes_module_url = require('node:url').pathToFileURL(__filename).href;" },
};
const common = { bundle: true, platform: 'node', target: 'node20', logLevel: 'warning', absWorkingDir: root };

/** The newest modification time of any file under `dir`. */
function newest(dir) {
  let t = statSync(dir).mtimeMs;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

async function buildRenderer() {
  const built = join(dist, 'renderer', 'index.html');
  if (!process.argv.includes('--force') && existsSync(built) && newest(join(root, 'renderer')) <= statSync(built).mtimeMs) return;
  const vite = await import('vite');
  // The runner loads the TypeScript config without writing a temporary file beside it.
  await vite.build({ configFile: join(root, 'renderer', 'vite.config.ts'), configLoader: 'runner', logLevel: 'warn' });
}

const started = Date.now();
// Chunks are named by content: last build's would pile up.
rmSync(join(dist, 'cli'), { recursive: true, force: true });
rmSync(join(dist, 'cli.mjs'), { force: true });
await Promise.all([
  buildRenderer(),
  // Split into chunks loaded when a command needs them, so `rushes --help` loads neither the
  // engine nor the S3 SDK, PDFKit or SQLite (each an import of 20–130 ms at start).
  build({
    ...common,
    entryPoints: { main: 'core/cli/main.ts' },
    outdir: join(dist, 'cli'),
    splitting: true,
    format: 'esm',
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    packages: 'external',
  }),
  build({
    ...common,
    ...cjsMetaUrl,
    stdin: { contents: "module.exports = require('./workers/tasks.ts').runTaskHere;", resolveDir: root, loader: 'js', sourcefile: 'worker-entry.cjs' },
    outfile: join(dist, 'worker.cjs'),
    format: 'cjs',
    packages: 'external',
  }),
  build({ ...common, ...cjsMetaUrl, entryPoints: ['electron/main.ts'], outfile: join(dist, 'electron', 'main.cjs'), format: 'cjs', packages: 'external' }),
  // A sandboxed preload may require nothing but electron: everything else is bundled in.
  build({ ...common, entryPoints: ['electron/preload.ts'], outfile: join(dist, 'electron', 'preload.cjs'), format: 'cjs', external: ['electron'] }),
  // The native xxhash binding is optional (core/hash falls back to WebAssembly): the image goes without it.
  build({ ...common, ...cjsMetaUrl, entryPoints: ['workers/fn-main.ts'], outfile: join(dist, 'rushes-fn.cjs'), format: 'cjs', external: ['@node-rs/xxhash'] }),
]);
if (!process.argv.includes('--quiet')) console.log(`built dist/ in ${Date.now() - started} ms`);
