// The `rushes` command: the engine is TypeScript run through tsx's loader, so there is no
// build step between `npm ci` and a working command.
const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../core/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
