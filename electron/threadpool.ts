/**
 * Imported first by main.ts, before anything can start libuv's thread pool (Node reads its
 * size once, when the pool starts): the engine this process runs keeps up to 12 fsyncs,
 * source reads and read-backs in flight during an offload (core/offload/execute.ts), which
 * Node's default of 4 threads would queue one behind another. The CLI and the daemon get the
 * same from bin/rushes.cjs.
 */
const THREADPOOL_SIZE = '16';
if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = THREADPOOL_SIZE;
