// The handler each worker thread runs: compressJobs with the run's config, which the main thread left as environment data.
import { getEnvironmentData } from 'node:worker_threads';
import type { WorkerHandler } from '@dispenser/workers';
import { compressJobs, CONFIG_KEY, type WorkerConfig } from './compress';
import type { Job } from './jobs';

const config = getEnvironmentData(CONFIG_KEY) as WorkerConfig | undefined;
if (config === undefined) throw new Error(`no ${CONFIG_KEY} environment data: call setEnvironmentData before starting the pool`);

/** Compresses a batch of jobs (see {@link compressJobs}). */
const handler: WorkerHandler<Job> = (jobs) => compressJobs(jobs, config);

export default handler;
