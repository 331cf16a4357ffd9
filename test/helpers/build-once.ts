/**
 * Before any test: the CLI the tests spawn (bin/rushes.cjs) runs the compiled bundle in
 * dist/, so every test run compiles it first from the sources it is testing (about a
 * second); and a command a test runs without --home gets a data folder of this run's own,
 * never the store of the person running the tests, and a code cache of its own too
 * (bin/code-cache.cjs), never theirs.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export default function setup(): () => void {
  execFileSync(process.execPath, [fileURLToPath(new URL('../../scripts/build.mjs', import.meta.url)), '--quiet'], { stdio: 'inherit' });
  const home = mkdtempSync(join(tmpdir(), 'rushes-test-home-'));
  const codeCache = mkdtempSync(join(tmpdir(), 'rushes-test-code-cache-'));
  // Test files run in forks that inherit this environment, and so do the commands they spawn.
  process.env.RUSHES_HOME = home;
  process.env.RUSHES_CODE_CACHE = codeCache;
  return () => {
    rmSync(home, { recursive: true, force: true });
    rmSync(codeCache, { recursive: true, force: true });
  };
}
