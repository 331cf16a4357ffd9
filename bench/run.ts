/**
 * `npm run bench -- NAME [args]` runs bench/NAME.ts. Each benchmark compares against a
 * baseline in the same run, prints a readable table and, as its last line, one JSON object.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !f.startsWith('_') && f !== 'run.ts')
  .map((f) => f.slice(0, -3));
const name = process.argv[2];
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- NAME   (one of: ${available.join(', ')})`);
  process.exit(2);
}
process.argv.splice(2, 1);
await import(`./${name}.ts`);
