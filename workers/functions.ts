/**
 * Registers every function a runtime can run: the render functions and inspection. Loaded
 * where functions run (the pool's workers, `rushes-fn`), never by the engine itself.
 */
import { inspectFunction } from '../core/inspect/function.ts';
import { renderFunctions } from '../core/render/functions.ts';
import { registerFunction } from '../core/runtime/functions.ts';

for (const f of renderFunctions) registerFunction(f);
registerFunction(inspectFunction);
