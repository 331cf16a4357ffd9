/** `--name N` from a bench's command line, or the default. */
export function numberArg(name: string, dflt: number, argv: readonly string[] = process.argv.slice(2)): number {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const n = Number(argv[i + 1]);
  if (!Number.isFinite(n)) throw new Error(`--${name} needs a number (got "${argv[i + 1]}")`);
  return n;
}
