// The module each worker thread of `--workers` loads: registers tsx in the thread, then default-exports the TypeScript handler.
// (On Node 20 a worker started with `eval: true`, as WorkerPool's are, does not run `--import tsx`,
// and tsx does not hook threads other than the main one; so the thread registers it itself.)
import { register } from 'tsx/esm/api';

register();
const { handleEvents } = await import('./thread-work.ts');

export default handleEvents;
