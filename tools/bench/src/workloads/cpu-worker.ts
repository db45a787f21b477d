// W7's worker module: default-exports the handler over the run's book, for WorkerPool and piscina alike.
import { getEnvironmentData } from 'node:worker_threads';
import { CPU_BOOK_KEY, cpuHandler } from './cpu-handler';
import type { CpuBook } from './cpu-handler';

const book = getEnvironmentData(CPU_BOOK_KEY) as CpuBook | undefined;
if (book === undefined) throw new Error(`no W7 book: set the environment data ${CPU_BOOK_KEY} before starting the worker threads`);
Atomics.add(book.threads, 0, 1);

/** The W7 handler, writing to the book the main thread left when this thread started. */
export default cpuHandler(book);
