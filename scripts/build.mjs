// Compiles Rushes once, so no command pays for TypeScript at start-up (`npm ci` runs this
// through the `prepare` script; the test run and `npm run bench` run it too):
//   dist/cli.mjs       the `rushes` command (bin/rushes.cjs loads it)
//   dist/worker.cjs    what each worker thread of the pool loads (core/runtime/pool.ts)
//   dist/rushes-fn.cjs `rushes-fn`, self-contained: the worker image runs it without node_modules
// Modules find their files (schemas/, bin/) by walking up to the folder that holds schemas/
// (core/util/package-root.ts), so the bundles work from dist/ and from /opt/rushes alike.
import { build } from 'esbuild';
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

const started = Date.now();
await Promise.all([
  build({ ...common, entryPoints: ['core/cli/main.ts'], outfile: join(dist, 'cli.mjs'), format: 'esm', packages: 'external' }),
  build({
    ...common,
    ...cjsMetaUrl,
    stdin: { contents: "module.exports = require('./workers/tasks.ts').runTaskHere;", resolveDir: root, loader: 'js', sourcefile: 'worker-entry.cjs' },
    outfile: join(dist, 'worker.cjs'),
    format: 'cjs',
    packages: 'external',
  }),
  // The native xxhash binding is optional (core/hash falls back to WebAssembly): the image goes without it.
  build({ ...common, ...cjsMetaUrl, entryPoints: ['workers/fn-main.ts'], outfile: join(dist, 'rushes-fn.cjs'), format: 'cjs', external: ['@node-rs/xxhash'] }),
]);
if (!process.argv.includes('--quiet')) console.log(`built dist/ in ${Date.now() - started} ms`);
