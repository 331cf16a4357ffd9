/**
 * The `rushes` command line. Each command is a thin layer over core; errors become a
 * message naming the file and cause, and a stable exit code (exit-codes.ts).
 */
import { Command, CommanderError } from 'commander';
import { isRushesError } from '../errors.ts';
import { TOOL } from '../version.ts';
import { EXIT, exitCodeFor } from './exit-codes.ts';
import { processIo, type Io } from './io.ts';
import { registerMhlCommands } from './mhl-commands.ts';
import { registerJobsCommands } from './jobs-command.ts';
import { registerClipCommands } from './clip-commands.ts';
import { registerRenderCommand } from './render-command.ts';
import { registerReportCommand } from './report-command.ts';
import { registerSyncCommand } from './sync-command.ts';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * Every command's work is imported when it runs (`await import`), never at start-up: the
 * bundle runs each one's modules only then, so `rushes --help` loads the option parser alone.
 */
function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('rushes')
    .description('Verified camera card offload with ASC MHL v2, clip inspection, a durable job queue and a headless daemon')
    .version(TOOL.version)
    .option('--home <dir>', 'data folder for the store (default: $RUSHES_HOME or the platform data folder)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  program
    .command('offload')
    .description('copy a card to one or more destinations, verify every byte, write an ASC MHL generation')
    .argument('<source>', 'the card or folder to offload')
    .requiredOption('--to <dir>', 'a destination folder (repeat for each destination); the roll folder is created inside', collect, [])
    .option('--hash <formats>', 'hash formats, comma-separated: xxh64, xxh3, xxh128, md5, sha1, c4', 'xxh64')
    .option('--verify <mode>', 'full (read every byte back from the device), size, or none', 'full')
    .option('--source-verify', 're-read the source after copying, to catch flaky readers and cables')
    .option('--roll <name>', 'roll / reel name (default: the source folder name)')
    .option('--author <name>', 'author recorded in the MHL')
    .option('--location <text>', 'location recorded in the MHL')
    .option('--comment <text>', 'comment recorded in the MHL')
    .option('--concurrency <n>', 'files copied at once (default 4)')
    .option('--wait', 'if another offload is writing into a destination folder, wait for it instead of stopping (exit 9)')
    .option('--json', 'print one JSON event per line instead of progress bars')
    .action(async (source: string, flags) => setExit(await (await import('./offload-command.ts')).offloadCommand(source, { ...flags, home: program.opts().home }, io)));

  registerMhlCommands(program, io, setExit);

  program
    .command('daemon')
    .description('run the engine headless with its HTTP API (JSON logs on stdout; SIGTERM stops it gracefully)')
    .option('--port <n>', 'TCP port (default 7420; 0 picks a free one)')
    .option('--host <address>', 'address to listen on (default 127.0.0.1; any other needs a token)')
    .option('--config <file>', 'JSON configuration (schemas/config.schema.json)')
    .option('--token <token>', 'require this bearer token on API requests (default $RUSHES_TOKEN)')
    .action(async (flags) => setExit(await (await import('./daemon-command.ts')).daemonCommand({ ...flags, home: program.opts().home }, io)));

  registerJobsCommands(program, io, setExit);
  registerClipCommands(program, io, setExit);
  registerRenderCommand(program, io, setExit);
  registerReportCommand(program, io, setExit);
  registerSyncCommand(program, io, setExit);
  return program;
}

/** A command's words from below the program: `mhl create`. */
function commandPath(command: Command): string {
  const words: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) words.unshift(c.name());
  return words.join(' ');
}

/**
 * Runs one command line and returns its exit code. `commandRan` hears the full name of the
 * command about to run (`mhl create`), for the launcher's code cache (bin/code-cache.cjs).
 */
export async function main(argv: string[], io: Io = processIo, commandRan?: (name: string) => void): Promise<number> {
  let exitCode: number = EXIT.OK;
  const program = buildProgram(io, (c) => (exitCode = c));
  if (commandRan) program.hook('preAction', (_program, command) => commandRan(commandPath(command)));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    if (isRushesError(e)) {
      io.stderr.write(`rushes: ${e.code}: ${e.message}\n`);
      return exitCodeFor(e.code);
    }
    io.stderr.write(`rushes: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT.INTERNAL;
  }
}
