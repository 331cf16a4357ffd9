// Compiles Rushes once, so no command pays for TypeScript at start-up (`npm ci` runs this
// through the `prepare` script; the test run and `npm run bench` run it too):
//   dist/cli/main.cjs  the `rushes` command, one CommonJS bundle (bin/rushes.cjs loads it with V8's
//                      code cache, bin/code-cache.cjs), headed by its build id
//   dist/worker.cjs    what each worker thread of the pool loads (core/runtime/pool.ts)
//   dist/rushes-fn.cjs `rushes-fn`, self-contained: the worker image runs it without node_modules
//   dist/electron/     the desktop shell's main process and preload script (CommonJS, as Electron loads them)
//   dist/renderer/     the web UI (renderer/, built by Vite), which the daemon serves at `/`
//                      and the desktop window loads; rebuilt only when renderer/ changed
// Modules find their files (schemas/, bin/) by walking up to the folder that holds schemas/
// (core/util/package-root.ts), so the bundles work from dist/ and from /opt/rushes alike.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
// CommonJS has no import.meta: each bundle gets its own file's URL in its place. The banner
// comes before esbuild's own "use strict", which is then no longer the directive: it says it
// first, as the sources are modules and so strict.
const cjsMetaUrl = {
  define: { 'import.meta.url': '__rushes_module_url' },
  banner: { js: "'use strict';\nvar __rushes_module_url = require('node:url').pathToFileURL(__filename).href;" },
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

/**
 * Writes a bundle headed by `// build <id>`, the id a hash of its text: the code cache is keyed
 * by it, so bytecode compiled from one build is never run with another.
 */
function writeWithBuildId(file, contents) {
  const id = createHash('sha256').update(contents).digest('hex').slice(0, 16);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, Buffer.concat([Buffer.from(`// build ${id}\n`), contents]));
}

/**
 * Leaves packages to be loaded from node_modules, except `bundled`: those go into the bundle,
 * under its code cache, so the option parser every command loads is neither resolved nor
 * compiled at each start (a few ms; docs/benchmarks.md, mhl, sixth round).
 */
function externalPackagesBut(bundled) {
  return {
    name: 'external-packages-but',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, ({ path }) => (bundled.some((p) => path === p || path.startsWith(`${p}/`)) ? undefined : { path, external: true }));
    },
  };
}

async function buildRenderer() {
  const built = join(dist, 'renderer', 'index.html');
  if (!process.argv.includes('--force') && existsSync(built) && newest(join(root, 'renderer')) <= statSync(built).mtimeMs) return;
  const vite = await import('vite');
  // The runner loads the TypeScript config without writing a temporary file beside it.
  await vite.build({ configFile: join(root, 'renderer', 'vite.config.ts'), configLoader: 'runner', logLevel: 'warn' });
}

const started = Date.now();
// Earlier builds left the command as ES modules in chunks.
rmSync(join(dist, 'cli'), { recursive: true, force: true });
await Promise.all([
  buildRenderer(),
  // One CommonJS bundle, as V8 caches the bytecode of one script whole. A command's modules
  // still run only when it runs (esbuild defers what is imported with `await import`), and
  // packages load with them, so `rushes --help` loads neither the engine nor the S3 SDK,
  // PDFKit or SQLite (each an import of 20–130 ms at start).
  build({
    ...common,
    ...cjsMetaUrl,
    entryPoints: ['core/cli/main.ts'],
    outfile: join(dist, 'cli', 'main.cjs'),
    format: 'cjs',
    plugins: [externalPackagesBut(['commander'])],
    // A script run from a code cache has no module loader for `import()`: packages are
    // required (Node ≥ 20.19 requires ES modules such as chokidar too).
    supported: { 'dynamic-import': false },
    write: false,
  }).then(({ outputFiles: [bundle] }) => writeWithBuildId(bundle.path, bundle.contents)),
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
