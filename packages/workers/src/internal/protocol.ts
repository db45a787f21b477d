// The messages between the pool and a worker thread, and the code each worker thread runs.

/** Pool to worker: a batch to run the handler on. */
export interface BatchMessage<E> {
  readonly id: number;
  readonly events: E[];
}

/** Worker to pool: the handler module loaded, a batch finished, or the worker is broken. */
export type WorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly id: number }
  | { readonly type: 'failed'; readonly error: unknown; readonly loading: boolean };

/** What a worker thread is started with (`workerData`). */
export interface WorkerBoot {
  /** The handler module, as a URL `import()` takes. */
  readonly url: string;
  /** The worker's end of its channel to the pool. */
  readonly port: unknown;
}

/**
 * The program of every worker thread, run with `eval: true` so that it needs no file of its own
 * (the same text serves the ESM and the CommonJS build, and the sources under test). It imports
 * the handler module, says `ready`, then runs the handler on each batch in arrival order and says
 * `done`. A handler that throws or rejects makes it say `failed` and take nothing more: the pool
 * then ends the thread. An error that cannot be copied to the pool is sent as its text.
 */
export const WORKER_PROGRAM = `'use strict';
const { workerData } = require('node:worker_threads');
const { url, port } = workerData;
let handler;
let broken = false;
let chain = Promise.resolve();
function copyable(error) {
  try {
    return structuredClone(error);
  } catch {
    try {
      return String(error);
    } catch {
      return 'an error that cannot be described';
    }
  }
}
function fail(error, loading) {
  broken = true;
  port.postMessage({ type: 'failed', error: copyable(error), loading });
}
async function run(batch) {
  if (broken) return;
  try {
    await handler(batch.events);
  } catch (error) {
    fail(error, false);
    return;
  }
  port.postMessage({ type: 'done', id: batch.id });
}
port.on('message', (batch) => {
  chain = chain.then(() => run(batch));
});
import(url).then(
  (module) => {
    let value = module.default;
    if (value !== null && typeof value === 'object' && typeof value.default === 'function') value = value.default;
    if (typeof value !== 'function') {
      throw new TypeError(url + ' must default-export the handler, a function (events) => void | Promise<void>; its default export is ' + (value === null ? 'null' : typeof value));
    }
    handler = value;
    port.postMessage({ type: 'ready' });
  },
).catch((error) => fail(error, true));
`;
