// The module the pool's threads load: registers tsx in the thread, then default-exports the TypeScript handler.
// (On Node 20 a worker started with `eval: true`, as WorkerPool's are, does not run `--import tsx`,
// and tsx hooks only the main thread; compiled to JavaScript you would pass compress-worker.js itself.)
import { register } from 'tsx/esm/api';

register();
const { default: handler } = await import('./compress-worker.ts');

export default handler;
