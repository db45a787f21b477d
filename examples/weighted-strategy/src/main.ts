// `npm run example:weighted-strategy`: a BufferServer whose custom `weighted` strategy splits jobs
// 3:2:1 over workers that keep asking for more, and caps a heavy worker that asks for little.
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { EventBuffer, type Subscriber } from '@dispenser/core';
import { BufferServer, type ServerMetrics } from '@dispenser/servers';
import { weighted } from './weighted';

/** A unit of work handed to one worker. */
export interface Job {
  readonly id: number;
}

/** A worker of the run: its weight, and the demand it keeps outstanding. */
export interface WorkerSpec {
  readonly name: string;
  readonly weight: number;
  /** How many jobs it asks for at the start, and keeps asking for as it finishes them. */
  readonly demand: number;
}

/** Options of {@link main}. */
export interface WeightedRunOptions {
  /** Jobs appended in all. @default 600 */
  readonly jobs?: number;
  /** Jobs per `append`. @default 60 */
  readonly batch?: number;
  /** @default {@link defaultWorkers} */
  readonly workers?: readonly WorkerSpec[];
}

/** What one worker received. */
export interface WorkerReport extends WorkerSpec {
  /** The ids of the jobs it received, in order. */
  readonly jobs: readonly number[];
  /** How many jobs it received from each append. */
  readonly perAppend: readonly number[];
}

/** What {@link main} returns. */
export interface WeightedRunResult {
  readonly jobs: number;
  readonly batch: number;
  readonly workers: readonly WorkerReport[];
  readonly metrics: ServerMetrics;
}

/**
 * Three workers weighted 3:2:1 that keep 100 jobs asked for, and a heavier one (weight 6) that
 * only ever asks for 5: it gets those 5, and the rest is split 3:2:1.
 */
export const defaultWorkers: readonly WorkerSpec[] = [
  { name: 'small', weight: 6, demand: 5 },
  { name: 'gold', weight: 3, demand: 100 },
  { name: 'silver', weight: 2, demand: 100 },
  { name: 'bronze', weight: 1, demand: 100 },
];

/** A subscriber that records its jobs and, having "done" them, asks for as many again. */
class Worker implements Subscriber<Job> {
  readonly jobs: number[] = [];
  readonly perAppend: number[] = [];

  constructor(
    readonly spec: WorkerSpec,
    private readonly server: BufferServer<Job>,
  ) {}

  /** The weight the `weighted` strategy reads. */
  get weight(): number {
    return this.spec.weight;
  }

  handleAssignedEvents(jobs: Job[]): void {
    for (const job of jobs) this.jobs.push(job.id);
    const last = this.perAppend.length - 1;
    this.perAppend[last] = (this.perAppend[last] ?? 0) + jobs.length;
    this.server.ask(this, jobs.length);
  }
}

/** Appends `jobs` jobs, `batch` at a time, to a `BufferServer` using the `weighted` strategy. */
export async function main(options: WeightedRunOptions = {}): Promise<WeightedRunResult> {
  const { jobs = 600, batch = 60, workers: specs = defaultWorkers } = options;
  const server = new BufferServer<Job>({
    buffer: new EventBuffer<Job, Subscriber<Job>>({ strategy: weighted, capacity: Math.max(jobs, 1) }),
  });
  const workers = specs.map((spec) => new Worker(spec, server));
  for (const worker of workers) server.ask(worker, worker.spec.demand);

  for (let first = 0; first < jobs; first += batch) {
    for (const worker of workers) worker.perAppend.push(0);
    const size = Math.min(batch, jobs - first);
    server.append(Array.from({ length: size }, (_, i) => ({ id: first + i })));
  }
  await server.close();

  return {
    jobs,
    batch,
    workers: workers.map((worker) => ({ ...worker.spec, jobs: worker.jobs, perAppend: worker.perAppend })),
    metrics: server.metrics(),
  };
}

/** The run as a table, for a terminal. */
export function formatReport(result: WeightedRunResult): string {
  const appends = Math.ceil(result.jobs / result.batch);
  const rows = result.workers.map((worker) => {
    const low = Math.min(...worker.perAppend);
    const high = Math.max(...worker.perAppend);
    return [
      worker.name,
      String(worker.weight),
      String(worker.demand),
      String(worker.jobs.length),
      `${((100 * worker.jobs.length) / result.jobs).toFixed(1)} %`,
      low === high ? String(low) : `${String(low)}-${String(high)}`,
    ];
  });
  const header = ['worker', 'weight', 'asks for', 'received', 'share', 'per append'];
  const table = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...table.map((row) => row[column]?.length ?? 0)));
  const lines = table.map((row) =>
    row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  '),
  );
  const totalWeight = result.workers.reduce((sum, worker) => sum + worker.weight, 0);
  const capped = result.workers
    .filter((worker) => worker.demand < (result.batch * worker.weight) / totalWeight)
    .map(
      (worker) =>
        `${worker.name} is capped by its demand: it asks for ${String(worker.demand)}, its weight alone would give it ` +
        `${String(Math.floor((result.batch * worker.weight) / totalWeight))} of ${String(result.batch)}; the others share the rest by weight.`,
    );
  const { appended, delivered } = result.metrics;
  return [
    `weighted strategy: ${String(result.jobs)} jobs in ${String(appends)} append${appends === 1 ? '' : 's'} of up to ${String(result.batch)}, BufferServer`,
    '',
    ...lines,
    '',
    ...capped,
    `appended ${String(appended)}, delivered ${String(delivered)}: every job went to exactly one worker.`,
    '',
  ].join('\n');
}

/** A whole number >= 1 from a command-line flag; a usage error otherwise. */
function count(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new TypeError(`--${flag} must be a whole number >= 1, received '${text}'`);
  return value;
}

/** The options of a run from the command line (`--jobs 600 --batch 60`). */
export function parseCommandLine(args: readonly string[]): WeightedRunOptions {
  const { values } = parseArgs({
    args: [...args],
    options: { jobs: { type: 'string', default: '600' }, batch: { type: 'string', default: '60' } },
  });
  return { jobs: count('jobs', values.jobs), batch: count('batch', values.batch) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let options: WeightedRunOptions | undefined;
  try {
    options = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`weighted-strategy: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  }
  if (options) process.stdout.write(formatReport(await main(options)));
}
