// Bundles `rushes-fn` (workers/fn-main.ts and what it imports) into one CommonJS file for the
// worker image, which runs Debian's Node.js without the project's node_modules or tsx.
// Modules that find files next to themselves (core/util/schema.ts reads ../../schemas/)
// see the bundle as if it stood at core/util/ of a checkout; the image copies schemas/ beside it.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'workers', 'dist', 'rushes-fn.cjs');
mkdirSync(dirname(outfile), { recursive: true });
await build({
  entryPoints: [join(root, 'workers', 'fn-main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  // The native xxhash binding is optional (core/hash falls back to WebAssembly): leave it out.
  external: ['@node-rs/xxhash'],
  define: { 'import.meta.url': 'import_meta_url' },
  banner: { js: "const import_meta_url = require('node:url').pathToFileURL(require('node:path').join(__dirname, 'core', 'util', 'bundle.cjs')).href;" },
  logLevel: 'warning',
});
console.log(`wrote ${outfile}`);
