// The CPU-heavy part of the worker-pool example: compress each job's payload, and crash once on purpose.
import { threadId } from 'node:worker_threads';
import { deflateSync } from 'node:zlib';
import { fingerprint, type Job } from './jobs';
import { ResultTable, type Committed } from './results';

/** The key under which the main thread leaves the {@link WorkerConfig} for its threads (`setEnvironmentData`). */
export const CONFIG_KEY = '@dispenser/examples/worker-pool';

/** What every worker thread of a run reads when it starts. */
export interface WorkerConfig {
  /** The {@link ResultTable}'s memory. */
  readonly results: SharedArrayBuffer;
  /** The job whose first attempt crashes its thread (-1: none). */
  readonly crashAt: number;
}

/** Thrown on the first attempt of the job `crashAt` names: the planned crash. */
export class PlannedCrash extends Error {
  override readonly name = 'PlannedCrash';
}

/**
 * Compresses each job's payload (deflate) and fingerprints it, then commits the batch's results to
 * the table. The results of a batch are committed only once all of it is done: a batch that fails
 * commits nothing, so its redelivery commits each job once. The compressions are counted as they
 * happen, so the table also shows the work a crash wasted.
 *
 * @throws PlannedCrash on the first attempt of job `config.crashAt`, after compressing it
 * @throws Error for a job whose payload is empty (it was not transferred back in after a failure)
 */
export function compressJobs(jobs: readonly Job[], config: WorkerConfig): void {
  const table = new ResultTable(config.results);
  const done: Array<[number, Committed]> = [];
  for (const job of jobs) {
    if (job.data.byteLength === 0) throw new Error(`job ${job.id} (attempt ${job.attempt}) arrived without its payload`);
    const input = new Uint8Array(job.data);
    const compressed = deflateSync(input);
    table.ran(job.id);
    if (job.id === config.crashAt && job.attempt === 1) throw new PlannedCrash(`job ${job.id} crashed its thread on attempt 1 (planned)`);
    done.push([job.id, { attempt: job.attempt, compressedBytes: compressed.byteLength, fingerprint: fingerprint(input), thread: threadId }]);
  }
  for (const [id, result] of done) table.commit(id, result);
}
