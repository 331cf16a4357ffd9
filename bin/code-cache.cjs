'use strict';
// Loads the compiled command (dist/cli/main.cjs) with V8's code cache, so a command starts from
// the bytecode an earlier run of it compiled instead of parsing and compiling the bundle again:
// `rushes mhl create` of 10,000 cached files took 0.40 s loaded as ES modules, 0.38 s as one
// CommonJS bundle and 0.36 s with this cache (docs/benchmarks.md, mhl).
//
// The cache is bytecode this process will run, and V8 checks little of it (the source's
// length, its own version and flags; not the source's text, not the data's integrity), so:
// - the bundle must match its build id (its first line, a hash of the rest, written by
//   scripts/build.mjs): a bundle edited since it was built runs without a cache;
// - a cache lives in a folder only this user can write (by default their own cache folder,
//   never a shared temporary one), is a regular file of theirs, not a link, and holds a hash
//   of its data bound to the build, the Node version and the architecture, checked before use;
// - it is written beside, under a name no other process can hold, then renamed into place.
// Anything else is simply compiled again and the cache rebuilt. A run of a command the cache
// has not seen rewrites it, so it comes to cover every command used.
// RUSHES_CODE_CACHE names another (absolute) folder; any other value, e.g. `off`, turns it off.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');
const { createHash, randomBytes } = require('node:crypto');

/** Where this user's code caches go, or undefined when turned off. */
function cacheFolder(env = process.env) {
  const chosen = env.RUSHES_CODE_CACHE;
  if (chosen) return path.isAbsolute(chosen) ? chosen : undefined; // never a folder relative to wherever the command runs (a card)
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Caches', 'rushes');
  if (process.platform === 'win32') return path.join(absoluteOr(env.LOCALAPPDATA, path.join(os.homedir(), 'AppData', 'Local')), 'rushes', 'cache');
  return path.join(absoluteOr(env.XDG_CACHE_HOME, path.join(os.homedir(), '.cache')), 'rushes'); // a relative XDG_CACHE_HOME is ignored, as the spec says
}

/** cacheFolder(), or none where even the home folder cannot be told (a user without one): the cache never stops a command. */
function cacheFolderOrNone() {
  try {
    return cacheFolder();
  } catch {
    return undefined;
  }
}

function absoluteOr(folder, otherwise) {
  return folder && path.isAbsolute(folder) ? folder : otherwise;
}

/** Whether only this user can add or replace files in `folder` (where there are owners and modes to ask). */
function isPrivateFolder(folder) {
  if (!process.getuid) return true;
  try {
    const st = fs.statSync(folder);
    return st.isDirectory() && st.uid === process.getuid() && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

function sha256(...parts) {
  const hash = createHash('sha256');
  for (const p of parts) hash.update(p);
  return hash.digest('hex');
}

/** What a cache's hash binds its data to: the build, and the V8 that made it. */
function cacheKey(buildId) {
  return `${buildId} node${process.version}-${process.arch}`;
}

// A cache file: the header's length (4 bytes), the header (JSON: the commands whose code it
// holds, the hash of key + data), then V8's data.
function readCache(file, key) {
  let fd;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0));
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.nlink !== 1 || (process.getuid && (st.uid !== process.getuid() || (st.mode & 0o022) !== 0))) return undefined;
    const bytes = fs.readFileSync(fd);
    const headerEnd = 4 + bytes.readUInt32LE(0);
    const header = JSON.parse(bytes.toString('utf8', 4, headerEnd));
    const data = bytes.subarray(headerEnd);
    if (header.sha256 !== sha256(key, data)) return undefined;
    const now = new Date();
    fs.futimesSync(fd, now, now); // in use: not a stale cache to prune
    return { commands: new Set(header.commands), data };
  } catch {
    return undefined; // none yet, or not one of ours: compile as without a cache
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

const STALE_MS = 30 * 24 * 3600 * 1000;
const CACHE_NAME = /^cli-[0-9a-f]{16}-node[^/\\]+\.bin(\.[0-9a-f]+\.tmp)?$/;

/** Writes a cache whole or not at all (commands run at once must never read half of one), and drops caches unused for a month. */
function writeCache(file, key, commands, data) {
  const folder = path.dirname(file);
  const temporary = `${file}.${randomBytes(8).toString('hex')}.tmp`;
  try {
    fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
    if (!isPrivateFolder(folder)) return;
    const header = Buffer.from(JSON.stringify({ commands, sha256: sha256(key, data) }));
    const length = Buffer.alloc(4);
    length.writeUInt32LE(header.length);
    fs.writeFileSync(temporary, Buffer.concat([length, header, data]), { mode: 0o600, flag: 'wx' });
    fs.renameSync(temporary, file);
    for (const name of fs.readdirSync(folder)) {
      const other = path.join(folder, name);
      if (other !== file && CACHE_NAME.test(name) && Date.now() - fs.lstatSync(other).mtimeMs > STALE_MS) fs.rmSync(other, { force: true });
    }
  } catch {
    // A read-only or full disk costs the next start its speed, nothing else.
    try {
      fs.rmSync(temporary, { force: true });
    } catch {}
  }
}

/** The build id the bundle's first line states, when the rest of its text still hashes to it. */
function verifiedBuildId(bytes) {
  const lineEnd = bytes.indexOf(10);
  const stated = /^\/\/ build ([0-9a-f]{16})$/.exec(bytes.toString('latin1', 0, Math.max(lineEnd, 0)))?.[1];
  return stated !== undefined && sha256(bytes.subarray(lineEnd + 1)).startsWith(stated) ? stated : undefined;
}

/**
 * Runs the CommonJS bundle `file` as `require` would, with its code cache. Returns its exports
 * and `commandRan(name)`, by which the bundle says which command ran, so the cache is written
 * at exit when it does not yet hold that command's code.
 */
function requireWithCodeCache(file) {
  const bytes = fs.readFileSync(file);
  const buildId = verifiedBuildId(bytes);
  const folder = buildId && cacheFolderOrNone();
  const cacheFile = folder && path.join(folder, `cli-${buildId}-node${process.version}-${process.arch}.bin`);
  const key = buildId && cacheKey(buildId);
  const cached = cacheFile && isPrivateFolder(folder) ? readCache(cacheFile, key) : undefined;
  const script = new vm.Script(Module.wrap(bytes.toString('utf8')), { filename: file, cachedData: cached?.data });
  const covered = cached && !script.cachedDataRejected ? cached.commands : undefined;
  let ran = '';
  if (cacheFile) {
    process.once('exit', () => {
      try {
        if (!covered || !covered.has(ran)) writeCache(cacheFile, key, [...(covered ?? []), ran], script.createCachedData());
      } catch {} // never the reason a command fails
    });
  }
  const module = { exports: {}, filename: file, id: file };
  script.runInThisContext()(module.exports, Module.createRequire(file), module, file, path.dirname(file));
  return { exports: module.exports, commandRan: (name) => (ran = name) };
}

module.exports = { requireWithCodeCache, cacheFolder };
