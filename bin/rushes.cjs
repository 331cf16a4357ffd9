#!/usr/bin/env node
'use strict';
// An offload keeps fsyncs (core/offload/execute.ts: up to 12), source reads and read-backs in
// flight at once, all on libuv's thread pool; with its default of 4 threads they queue behind
// one another. A thread waiting for a device costs no CPU. The size is read when the thread
// pool starts, and the ES module loader starts it, so it is set here, in CommonJS, before any
// module is imported.
//
// The MHL commands (`verify`, `mhl …`) keep 16 small reads in flight too, but each 4 KiB read
// from the device takes ~80 µs: on a machine of few cores, 16 threads waking for them cost
// more CPU than they overlap (`rushes verify` of 10,000 files on 2 cores: 0.92 s with 4
// threads, 1.0 s with 16; docs/benchmarks.md, mhl). They get twice the cores, 4 to 16.
if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = String(isMhlCommand(process.argv.slice(2)) ? Math.min(16, Math.max(4, 2 * require('node:os').availableParallelism())) : 16);

/** Whether the command (the first word after the global options) is one of the MHL commands. */
function isMhlCommand(args) {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--home') i++;
    else if (!args[i].startsWith('-')) return args[i] === 'verify' || args[i] === 'mhl';
  }
  return false;
}
const { existsSync } = require('node:fs');
const { join } = require('node:path');

// The command compiled once (`npm run build`, run by `npm ci`), loaded with the bytecode its
// earlier runs compiled (./code-cache.cjs); a checkout without it runs the sources through tsx.
const built = join(__dirname, '..', 'dist', 'cli', 'main.cjs');
if (existsSync(built)) {
  const { exports: cli, commandRan } = require('./code-cache.cjs').requireWithCodeCache(built);
  cli.main(process.argv.slice(2), undefined, commandRan).then((code) => {
    process.exitCode = code;
  });
} else import('./rushes-main.js');
