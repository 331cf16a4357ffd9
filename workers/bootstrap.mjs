// The file each pool worker starts from (core/runtime/pool.ts). The tasks are TypeScript,
// and the main thread's tsx registration does not reach worker threads (module hooks are
// per thread), so the worker registers tsx itself before loading them.
import { register } from 'tsx/esm/api';

register();
const { runTaskHere } = await import('./tasks.ts');

export default runTaskHere;
