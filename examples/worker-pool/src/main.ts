// `npm run example:worker-pool`: CPU-heavy jobs (deflate) pushed into a BufferServer and run by a WorkerPool of 2
// threads, with the payloads transferred, not copied, and one thread crashing once mid-run.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setEnvironmentData } from 'node:worker_threads';
import { BufferServer, DeliveryError, type ServerMetrics } from '@dispenser/servers';
import { RestartLimitError, WorkerDownError, WorkerPool, type WorkerPoolMetrics, type WorkerPoolStats } from '@dispenser/workers';
import { CONFIG_KEY, type WorkerConfig } from './compress';
import { fingerprint, payloadOf, type Job } from './jobs';
import { ResultTable, type JobResult } from './results';

/** Options of {@link main}. */
export interface WorkerPoolRunOptions {
  /** Jobs to compress. @default 200 */
  readonly jobs?: number;
  /** KiB of payload per job. @default 64 */
  readonly kib?: number;
  /** The job whose first attempt crashes its thread; -1 for none. @default half of `jobs` */
  readonly crashAt?: number;
  /** Most jobs one thread holds (the pool's `maxDemand`). @default 4 */
  readonly maxDemand?: number;
}

/** What {@link main} returns. */
export interface WorkerPoolRunResult {
  readonly jobs: number;
  /** Payload bytes per job. */
  readonly bytes: number;
  readonly crashAt: number;
  /** What the threads wrote for each job, by id. */
  readonly results: readonly JobResult[];
  /** Jobs whose fingerprint matches their payload, checked on this thread afterwards. */
  readonly verified: number;
  /** Ids of the jobs the server put back in its buffer, in that order. */
  readonly redelivered: readonly number[];
  /** The messages of the `WorkerDownError`s the pool reported. */
  readonly down: readonly string[];
  /** The server's `metrics()` and what it still buffers, after the run. */
  readonly server: ServerMetrics & { readonly buffered: number };
  /** The pool's `stats()` and `metrics()` after `close()`. */
  readonly pool: { readonly stats: WorkerPoolStats; readonly metrics: WorkerPoolMetrics };
  /** Payload bytes the main thread's jobs still hold: 0 when every payload was transferred. */
  readonly payloadLeft: number;
}

/**
 * Appends `jobs` jobs to a `BufferServer` (`redeliver: true`) served by a `WorkerPool` of 2
 * threads that deflate each payload. The pool transfers the payloads (`transfer`), so the main
 * thread keeps none. The first attempt of job `crashAt` throws and takes its thread down: the pool
 * starts a replacement, the server puts the batches that thread held back in its buffer, and its
 * `onError` gives those jobs their payload again (the transferred one went down with the thread)
 * and counts their attempt. Resolves once every job is done and the pool and server are closed.
 */
export async function main(options: WorkerPoolRunOptions = {}): Promise<WorkerPoolRunResult> {
  const { jobs = 200, kib = 64, maxDemand = 4 } = options;
  const crashAt = options.crashAt ?? Math.floor(jobs / 2);
  const bytes = kib * 1024;
  const table = ResultTable.create(jobs);
  // The pool passes its threads no data of ours: environment data reaches every thread started
  // after it is set, replacements included (one run at a time per process).
  const config: WorkerConfig = { results: table.buffer, crashAt };
  setEnvironmentData(CONFIG_KEY, config);

  const redelivered: number[] = [];
  const down: string[] = [];
  let giveUp: (error: unknown) => void = () => undefined;
  const gaveUp = new Promise<never>((_, reject) => (giveUp = reject));
  gaveUp.catch(() => undefined);

  const server = new BufferServer<Job>({
    capacity: jobs,
    redeliver: true,
    // With redeliver: true this is only a notice, called as the batch goes back to the buffer and
    // before anyone gets it again: the place to restore what the failed delivery used up.
    onError(error) {
      if (!(error instanceof DeliveryError) || !error.redelivered) return;
      for (const job of error.events as Job[]) {
        job.attempt++;
        job.data = payloadOf(job.id, bytes);
        redelivered.push(job.id);
      }
    },
  });
  const pool = new WorkerPool<Job>({
    filename: new URL('./compress-entry.mjs', import.meta.url),
    size: 2,
    maxDemand,
    transfer: (batch) => batch.map((job) => job.data),
    onError(error) {
      if (error instanceof WorkerDownError) down.push(error.message);
      else if (error instanceof RestartLimitError) giveUp(error);
      else console.error(error);
    },
  });

  const all: Job[] = Array.from({ length: jobs }, (_, id) => ({ id, attempt: 1, data: payloadOf(id, bytes) }));
  try {
    pool.attach(server);
    server.append(all);
    // Idle: nothing buffered, no batch out. A batch that fails goes back to the buffer first.
    await Promise.race([server.onIdle(), gaveUp]);
  } finally {
    await pool.close();
    await server.close();
    setEnvironmentData(CONFIG_KEY, undefined);
  }

  const results = Array.from({ length: jobs }, (_, id) => table.read(id));
  const verified = results.filter((result) => result.fingerprint === fingerprint(new Uint8Array(payloadOf(result.id, bytes)))).length;
  return {
    jobs,
    bytes,
    crashAt,
    results,
    verified,
    redelivered,
    down,
    server: { ...server.metrics(), buffered: server.stats().buffered },
    pool: { stats: pool.stats(), metrics: pool.metrics() },
    payloadLeft: all.reduce((sum, job) => sum + job.data.byteLength, 0),
  };
}

/** `12,345`. */
function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** The ids as `3, 4, 5`, or how many when there are too many to list. */
function ids(list: readonly number[]): string {
  return list.length <= 8 ? list.join(', ') : `${list.slice(0, 8).join(', ')}, … (${list.length})`;
}

/** The run as a report, for a terminal. */
export function formatReport(result: WorkerPoolRunResult): string {
  const { results, server, pool } = result;
  const committed = results.filter((r) => r.commits > 0);
  const once = results.every((r) => r.commits === 1);
  const runs = results.reduce((sum, r) => sum + r.runs, 0);
  const twice = results.filter((r) => r.runs > 1).map((r) => r.id);
  const byThread = new Map<number, { jobs: number; bytes: number }>();
  for (const r of committed) {
    const row = byThread.get(r.thread) ?? { jobs: 0, bytes: 0 };
    byThread.set(r.thread, { jobs: row.jobs + 1, bytes: row.bytes + r.compressedBytes });
  }
  const kib = (n: number): string => `${count(Math.round(n / 1024))} KiB`;
  const lines = [
    `worker-pool: ${count(result.jobs)} jobs of ${kib(result.bytes)} deflated by a WorkerPool of 2 threads (payloads transferred, not copied)`,
    '',
    `threads  jobs committed per thread (by threadId): ${[...byThread].sort(([a], [b]) => a - b).map(([thread, row]) => `#${thread} ${count(row.jobs)} (${kib(row.bytes)} out)`).join(', ')}`,
    ...result.down.map((message) => `down     ${message}`),
    `restarts ${pool.stats.restarts}${pool.stats.restarts === 0 ? '' : ': the pool started a thread in its place'}`,
    result.redelivered.length === 0
      ? 'redelivered nothing'
      : `redelivered ${result.redelivered.length} job${result.redelivered.length === 1 ? '' : 's'} (${ids(result.redelivered)}): back in the buffer (redeliver: true), each with its payload read again, then done on attempt 2`,
    '',
    `results  ${count(committed.length)} of ${count(result.jobs)} jobs committed, ${once ? 'each exactly once' : 'NOT each exactly once'} (a thread commits a batch only when all of it is done), ${count(result.verified)} fingerprints match their payload`,
    `work     ${count(runs)} compressions for ${count(result.jobs)} jobs: at least once${twice.length === 0 ? '' : `; job${twice.length === 1 ? '' : 's'} ${ids(twice)} ran twice (done before the crash, in a batch that failed)`}`,
    '',
    `server   appended ${count(server.appended)} = delivered ${count(server.delivered)} + dropped ${count(server.dropped)} + failed ${count(server.failed)} + buffered ${count(server.buffered)} ${mark(server.appended === server.delivered + server.dropped + server.failed + server.buffered)}`,
    `pool     sent ${count(pool.metrics.sent)} = processed ${count(pool.metrics.processed)} + failed ${count(pool.metrics.failed)} ${mark(pool.metrics.sent === pool.metrics.processed + pool.metrics.failed)} · ${pool.stats.workers} threads up after close()`,
    `payload  ${count(result.payloadLeft)} bytes left on the main thread${result.payloadLeft === 0 ? ': every ArrayBuffer was transferred' : ''}`,
    '',
  ];
  return lines.join('\n');
}

function mark(balanced: boolean): string {
  return balanced ? '✓ balanced' : '✗ NOT balanced';
}

/** A whole number >= 1 from a command-line flag; a usage error otherwise. */
function whole(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new TypeError(`--${flag} must be a whole number >= 1, received '${text}'`);
  return value;
}

/** The options of a run from the command line (`--jobs 200 --kib 64`). */
export function parseCommandLine(args: readonly string[]): WorkerPoolRunOptions {
  const { values } = parseArgs({
    args: [...args],
    options: { jobs: { type: 'string', default: '200' }, kib: { type: 'string', default: '64' } },
  });
  return { jobs: whole('jobs', values.jobs), kib: whole('kib', values.kib) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let options: WorkerPoolRunOptions | undefined;
  try {
    options = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`worker-pool: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  }
  if (options) process.stdout.write(formatReport(await main(options)));
}
