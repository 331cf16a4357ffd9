/**
 * The reference ASC MHL implementation (ascmitc/mhl) and the official ASC MHL v2.0 schemas,
 * which live outside this repository in the peers folder (`../shared/peers/ascmhl` from the
 * checkout; RUSHES_PEERS_DIR names another peers folder). Nothing of theirs is copied here.
 *
 * In CI a missing part is an error at load time, so the suites that need it fail with the
 * reason; elsewhere they are skipped with it (`schemasMissing`, `referenceToolMissing()`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll } from 'vitest';
import { runProcess, type CliResult } from './cli.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const PEER_DIR = join(resolve(process.env.RUSHES_PEERS_DIR ?? join(REPO, '..', 'shared', 'peers')), 'ascmhl');
const MANIFEST_XSD = join(PEER_DIR, 'xsd', 'ASCMHL.xsd');
const CHAIN_XSD = join(PEER_DIR, 'xsd', 'ASCMHLDirectory.xsd');
const RUN = join(PEER_DIR, 'run');
/** ASCMHLDirectory.xsd imports the manifest schema from here; the catalog below points it at the local copy. */
const IMPORTED_SCHEMA_URL = 'https://raw.githubusercontent.com/ascmitc/mhl/master/xsd/ASCMHL.xsd';

/** Undefined when the command runs and exits 0, else why not. */
function commandFails(cmd: string, args: string[]): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
  if (r.error) return r.error.message;
  return r.status === 0 ? undefined : `\`${cmd} ${args.join(' ')}\` exited ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').at(-1)}`;
}

/** The first failing check's reason; in CI a failing check is an error instead. */
function whyMissing(checks: (() => string | undefined)[]): string | undefined {
  for (const check of checks) {
    const reason = check();
    if (reason === undefined) continue;
    if (process.env.CI) throw new Error(`CI needs the ASC MHL peer: ${reason}`);
    return reason;
  }
  return undefined;
}

/** Why the official schemas cannot be used here (no peers folder, no xmllint), or undefined. */
export const schemasMissing: string | undefined = whyMissing([
  () => (existsSync(MANIFEST_XSD) && existsSync(CHAIN_XSD) ? undefined : `no official ASC MHL schemas in ${join(PEER_DIR, 'xsd')} (set RUSHES_PEERS_DIR)`),
  () => commandFails('xmllint', ['--version']) && 'xmllint is not installed (Debian: libxml2-utils)',
]);

let toolReason: { reason: string | undefined } | undefined;

/** Why the reference tool cannot run here (no launcher, or its Python modules missing), or undefined. Checked once. */
export function referenceToolMissing(): string | undefined {
  toolReason ??= {
    reason: whyMissing([
      () => (existsSync(RUN) ? undefined : `no reference tool at ${RUN} (set RUSHES_PEERS_DIR)`),
      () => {
        const why = commandFails(RUN, ['ascmhl', '--version']);
        return why && `the reference tool does not start (${why}); .ci/run lists its Python packages`;
      },
    ]),
  };
  return toolReason.reason;
}

let catalog: string | undefined;
// Registered when a test file imports this helper, like scratchFolders (a forked test process may end without an 'exit' event).
afterAll(() => {
  if (catalog) rmSync(dirname(catalog), { recursive: true, force: true });
  catalog = undefined;
});

/** An XML catalog that resolves the schema import offline, written once per test file. */
function catalogFile(): string {
  if (catalog) return catalog;
  catalog = join(mkdtempSync(join(tmpdir(), 'rushes-xsd-')), 'catalog.xml');
  writeFileSync(
    catalog,
    `<?xml version="1.0"?>
<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">
  <uri name="${IMPORTED_SCHEMA_URL}" uri="${pathToFileURL(MANIFEST_XSD).href}"/>
</catalog>
`,
  );
  return catalog;
}

/**
 * Validates a manifest (*.mhl) or a chain file (ascmhl_chain.xml) against the official schema
 * with xmllint, never touching the network; returns xmllint's complaint, or undefined when valid.
 */
export function schemaErrors(file: string): string | undefined {
  const xsd = file.endsWith('.mhl') ? MANIFEST_XSD : basename(file) === 'ascmhl_chain.xml' ? CHAIN_XSD : undefined;
  if (!xsd) throw new Error(`${file}: neither a manifest (.mhl) nor ascmhl_chain.xml`);
  const r = spawnSync('xmllint', ['--noout', '--nonet', '--schema', xsd, file], { encoding: 'utf8', env: { ...process.env, XML_CATALOG_FILES: catalogFile() } });
  if (r.error) throw r.error;
  return r.status === 0 ? undefined : r.stderr || `xmllint exited ${r.status}`;
}

/** Runs `ascmhl` or `ascmhl-debug` of the reference implementation. */
export function runReference(tool: 'ascmhl' | 'ascmhl-debug', args: string[]): Promise<CliResult> {
  return runProcess(RUN, [tool, ...args]);
}
