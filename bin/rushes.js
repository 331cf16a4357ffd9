#!/usr/bin/env node
// Entry point of the `rushes` CLI. The engine is TypeScript run through tsx's loader,
// so there is no build step between `npm ci` and a working command.
// Copies overlap many fsync/open/rename calls; libuv's default of 4 threads serialises them.
process.env.UV_THREADPOOL_SIZE ??= '16';
const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../core/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
