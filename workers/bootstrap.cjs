// The file each pool worker starts from (core/runtime/pool.ts). The tasks are TypeScript,
// and the main thread's tsx registration does not reach worker threads, so the worker
// registers tsx itself before loading them. It uses tsx's CommonJS hook, which runs in this
// thread: the ES module hook (tsx/esm/api) would start one more module-hooks thread per
// worker, each a whole V8 isolate (measured: ~15 MB of peak RSS per worker) that every
// module load then waits on. So the modules workers load must not use top-level await.
require('tsx/cjs/api').register();

module.exports = require('./tasks.ts').runTaskHere;
