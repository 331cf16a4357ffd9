/** `--name N` from a bench's command line, or the default. */
export function numberArg(name: string, dflt: number, argv: readonly string[] = process.argv.slice(2)): number {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const n = Number(argv[i + 1]);
  if (!Number.isFinite(n)) throw new Error(`--${name} needs a number (got "${argv[i + 1]}")`);
  return n;
}

/** `--name a,b` from a bench's command line (each value one of `allowed`), or the default. */
export function listArg<T extends string>(name: string, allowed: readonly T[], dflt: readonly T[], argv: readonly string[] = process.argv.slice(2)): T[] {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return [...dflt];
  const values = (argv[i + 1] ?? '').split(',').filter(Boolean);
  const wrong = values.filter((v) => !allowed.includes(v as T));
  if (values.length === 0 || wrong.length) throw new Error(`--${name} takes a comma-separated list of ${allowed.join(', ')} (got "${argv[i + 1] ?? ''}")`);
  return values as T[];
}
