// W7's worker entry, plain JavaScript: registers tsx in this thread, then loads the TypeScript handler module.
//
// The bench runs `node --import tsx`, and worker threads inherit that flag, but Node 20 runs
// `--import` modules in the main thread only: a worker thread's loader has no tsx hooks and
// fails on `.ts` files (ERR_UNKNOWN_FILE_EXTENSION). This entry, which Node loads without
// hooks, registers tsx's ESM hooks in its own thread first. WorkerPool and piscina both load
// it; its default export is the handler of `cpu-worker.ts`.
import { register } from 'tsx/esm/api';

register();
const { default: handler } = await import('./cpu-worker.ts');

/** The W7 handler, over the book the main thread left for this thread. */
export default handler;
