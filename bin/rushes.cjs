#!/usr/bin/env node
'use strict';
// Copies overlap many fsync/open/rename calls; libuv's default of 4 threads serialises
// them, and more than 8 cost more in thread hand-offs than they gain on 2 cores (measured
// with 5,000 small files). The size is read when the thread pool starts, and the ES module loader starts it,
// so it is set here, in CommonJS, before any module is imported.
if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = '8';
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
