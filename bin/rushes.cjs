#!/usr/bin/env node
'use strict';
// An offload keeps fsyncs (core/offload/execute.ts: up to 12), source reads and read-backs in
// flight at once, all on libuv's thread pool; with its default of 4 threads they queue behind
// one another. A thread waiting for a device costs no CPU. The size is read when the thread
// pool starts, and the ES module loader starts it, so it is set here, in CommonJS, before any
// module is imported.
if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = '16';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

// The command compiled once (`npm run build`, run by `npm ci`); a checkout without it runs the sources through tsx.
const built = join(__dirname, '..', 'dist', 'cli', 'main.mjs');
if (existsSync(built)) {
  import(pathToFileURL(built).href).then(async ({ main }) => {
    process.exitCode = await main(process.argv.slice(2));
  });
} else import('./rushes-main.js');
