/**
 * `@trellis/process/thread`: the thread side of a supervised worker thread. Import it from the
 * module a `fromWorkerThread` child runs; it loads only `node:worker_threads`.
 *
 * @module
 */
export { threadChild, type ThreadChild } from './workerThread/threadChild.js';
