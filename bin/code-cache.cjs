'use strict';
// Loads the compiled command (dist/cli/main.cjs) with V8's code cache, so a command starts from
// the bytecode an earlier run of it compiled instead of parsing and compiling the bundle again:
// `rushes mhl create` of 10,000 cached files took 0.40 s loaded as ES modules, 0.38 s as one
// CommonJS bundle and 0.36 s with this cache (docs/benchmarks.md, mhl).
//
// The cache is bytecode that this process will run, so it is trusted only as far as its folder
// and its owner: it lives in the user's own cache folder (never a shared temporary one), a file
// another user owns or could write is ignored, and its name carries
// the bundle's build id (a hash of its text, written by scripts/build.mjs), the Node version and
// the architecture. V8 rejects data made by another V8 or with other flags, and a rejected or
// unreadable cache is simply rebuilt. A run of a command the cache has not seen rewrites it, so
// it comes to cover every command used. RUSHES_CODE_CACHE names another folder, or `off`.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

/** Where this user's code caches go, or undefined when turned off. */
function cacheFolder(env = process.env) {
  const chosen = env.RUSHES_CODE_CACHE;
  if (chosen === 'off' || chosen === '0') return undefined;
  if (chosen) return chosen;
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Caches', 'rushes');
  if (process.platform === 'win32') return path.join(env.LOCALAPPDATA || path.join(os.homedir(), 'AppData', 'Local'), 'rushes', 'cache');
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'rushes');
}

// A cache file: the header's length (4 bytes), the header (JSON: the commands whose code it
// holds), then V8's data. One that another user owns or could have written is not read (the
// check and the read are of the same open file).
function readCache(file) {
  let fd;
  try {
    fd = fs.openSync(file, 'r');
    const st = fs.fstatSync(fd);
    if (process.getuid && (st.uid !== process.getuid() || (st.mode & 0o022) !== 0)) return undefined;
    const bytes = fs.readFileSync(fd);
    const headerEnd = 4 + bytes.readUInt32LE(0);
    const { commands } = JSON.parse(bytes.toString('utf8', 4, headerEnd));
    return { commands: new Set(commands), data: bytes.subarray(headerEnd) };
  } catch {
    return undefined; // none yet, or not one of ours: compile as without a cache
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

const STALE_MS = 30 * 24 * 3600 * 1000;

/** Writes a cache whole or not at all (commands run at once must never read half of one), and drops caches of builds unused for a month. */
function writeCache(file, commands, data) {
  const header = Buffer.from(JSON.stringify({ commands }));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(temporary, Buffer.concat([length, header, data]), { mode: 0o600 });
    fs.renameSync(temporary, file);
    const folder = path.dirname(file);
    for (const name of fs.readdirSync(folder)) {
      const other = path.join(folder, name);
      if (other !== file && name.startsWith('cli-') && Date.now() - fs.statSync(other).mtimeMs > STALE_MS) fs.rmSync(other, { force: true });
    }
  } catch {
    fs.rmSync(temporary, { force: true }); // a read-only or full disk costs the next start its speed, nothing else
  }
}

/**
 * Runs the CommonJS bundle `file` as `require` would, with its code cache. Returns its exports
 * and `commandRan(name)`, by which the bundle says which command ran, so the cache is written
 * at exit when it does not yet hold that command's code.
 */
function requireWithCodeCache(file) {
  const source = fs.readFileSync(file, 'utf8');
  const buildId = /^\/\/ build ([0-9a-f]+)\n/.exec(source)?.[1];
  const folder = buildId && cacheFolder();
  const cacheFile = folder && path.join(folder, `cli-${buildId}-node${process.version}-${process.arch}.bin`);
  const cached = cacheFile && readCache(cacheFile);
  const script = new vm.Script(Module.wrap(source), {
    filename: file,
    cachedData: cached?.data,
  });
  const covered = cached && !script.cachedDataRejected ? cached.commands : undefined;
  let ran = '';
  if (cacheFile) {
    process.once('exit', () => {
      if (!covered || !covered.has(ran)) writeCache(cacheFile, [...(covered ?? []), ran], script.createCachedData());
    });
  }
  const module = { exports: {}, filename: file, id: file };
  script.runInThisContext()(module.exports, Module.createRequire(file), module, file, path.dirname(file));
  return { exports: module.exports, commandRan: (name) => (ran = name) };
}

module.exports = { requireWithCodeCache, cacheFolder };
