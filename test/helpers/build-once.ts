/**
 * The CLI the tests spawn (bin/rushes.cjs) runs the compiled bundle in dist/, so every test
 * run compiles it first from the sources it is testing (about a second).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  execFileSync(process.execPath, [fileURLToPath(new URL('../../scripts/build.mjs', import.meta.url)), '--quiet'], { stdio: 'inherit' });
}
