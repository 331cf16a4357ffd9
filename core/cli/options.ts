/**
 * Checks of command-line option values, with the USAGE error every command gives: the
 * option's name, what it accepts, and what was given.
 */
import { RushesError } from '../errors.ts';

/** A whole number within [min, max], or undefined when the option was not given. */
export function wholeNumber(v: string | undefined, name: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new RushesError('USAGE', `--${name} must be a whole number from ${min} to ${max} (got "${v}")`);
  return n;
}

/** One of `allowed`, or undefined when the option was not given. */
export function oneOf<T extends string>(v: string | undefined, name: string, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T)) throw new RushesError('USAGE', `--${name} must be one of ${allowed.join(', ')} (got "${v}")`);
  return v as T;
}
