/**
 * The functions a runtime can run, registered by the modules that define them (render,
 * inspect) where a runtime starts: the pool's workers (workers/tasks.ts) and `rushes-fn`
 * (workers/fn.ts) load workers/functions.ts, which registers them all. The runtime itself
 * knows none by name.
 */
import { RushesError } from '../errors.ts';
import type { Hashing } from '../hash/hashing.ts';
import type { Progress } from '../events/types.ts';
import { parseInvocation, type Invocation } from './protocol.ts';

export interface FunctionContext {
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  /** A deadline for the whole run; past it the function stops and fails. */
  timeoutMs?: number;
  /** How the function hashes what it writes (in its own thread: it runs in a worker, a process or a container). */
  hashing: Hashing;
}

export interface RushesFunction<I extends Invocation = Invocation, R = unknown> {
  name: string;
  /** Narrows a schema-valid invocation to this function's (further checks, a clear error naming what is wrong). */
  accept?(inv: Invocation): I;
  run(inv: I, ctx: FunctionContext): Promise<R>;
}

const registry = new Map<string, RushesFunction>();

export function registerFunction<I extends Invocation, R>(f: RushesFunction<I, R>): void {
  registry.set(f.name, f as unknown as RushesFunction);
}

/** Validates an invocation and runs its function here, in this thread or process. */
export async function invokeHere(value: unknown, ctx: FunctionContext): Promise<unknown> {
  const inv = parseInvocation(value);
  const f = registry.get(inv.fn);
  if (!f) throw new RushesError('USAGE', `no function "${inv.fn}" here; known: ${[...registry.keys()].join(', ') || 'none'}`);
  return f.run(f.accept ? f.accept(inv) : inv, ctx);
}
