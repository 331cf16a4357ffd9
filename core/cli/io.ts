/** The streams a command writes to; tests pass their own. */
export interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

export const processIo: Io = { stdout: process.stdout, stderr: process.stderr };

/**
 * The first Ctrl-C asks the running command to stop at a safe point (the summary still
 * prints and the store records where it stopped); a second one exits at once.
 */
export function cancelOnSignals(io: Io): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    io.stderr.write(`\n${name}: stopping after the files in progress; press Ctrl-C again to quit now\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
