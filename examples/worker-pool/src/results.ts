// The results of a run in shared memory: each worker thread writes there, and the main thread reads once the work is done.

/** What the table holds for one job. */
export interface JobResult {
  readonly id: number;
  /** How many times a thread compressed it (a crash can make that more than once). */
  readonly runs: number;
  /** How many times a thread committed its result (after finishing its whole batch). */
  readonly commits: number;
  /** The attempt (delivery) whose result was committed last. */
  readonly attempt: number;
  /** Compressed size, in bytes. */
  readonly compressedBytes: number;
  /** See `fingerprint` in `jobs.ts`. */
  readonly fingerprint: number;
  /** `threadId` of the thread that committed it last. */
  readonly thread: number;
}

/** What {@link ResultTable.commit} records. */
export type Committed = Omit<JobResult, 'id' | 'runs' | 'commits'>;

const FIELDS = 6;
const [RUNS, COMMITS, ATTEMPT, COMPRESSED, FINGERPRINT, THREAD] = [0, 1, 2, 3, 4, 5] as const;

/**
 * One row of integers per job in a `SharedArrayBuffer`, which is shared, not copied, with every
 * worker thread that gets it (here through `setEnvironmentData`). Counts are updated with
 * `Atomics`, so two threads never lose an increment; what a thread wrote before it said it
 * finished a batch is visible to the main thread once that batch has settled.
 *
 * @example
 * ```ts
 * const table = ResultTable.create(10);
 * table.ran(3);
 * table.commit(3, { attempt: 1, compressedBytes: 512, fingerprint: 42, thread: 1 });
 * table.read(3); // { id: 3, runs: 1, commits: 1, attempt: 1, compressedBytes: 512, fingerprint: 42, thread: 1 }
 * ```
 */
export class ResultTable {
  readonly #cells: Int32Array;

  /** A table over `buffer`, made by {@link ResultTable.create} (in this thread or another). */
  constructor(readonly buffer: SharedArrayBuffer) {
    this.#cells = new Int32Array(buffer);
  }

  /** A zeroed table for `jobs` jobs. */
  static create(jobs: number): ResultTable {
    return new ResultTable(new SharedArrayBuffer(jobs * FIELDS * Int32Array.BYTES_PER_ELEMENT));
  }

  /** Jobs the table has rows for. */
  get jobs(): number {
    return this.#cells.length / FIELDS;
  }

  /** Counts one compression of job `id`. */
  ran(id: number): void {
    Atomics.add(this.#cells, id * FIELDS + RUNS, 1);
  }

  /** Records the result of job `id` and counts the commit. */
  commit(id: number, result: Committed): void {
    const row = id * FIELDS;
    Atomics.store(this.#cells, row + ATTEMPT, result.attempt);
    Atomics.store(this.#cells, row + COMPRESSED, result.compressedBytes);
    Atomics.store(this.#cells, row + FINGERPRINT, result.fingerprint);
    Atomics.store(this.#cells, row + THREAD, result.thread);
    Atomics.add(this.#cells, row + COMMITS, 1);
  }

  /** The row of job `id`. */
  read(id: number): JobResult {
    const row = id * FIELDS;
    const cell = (field: number): number => Atomics.load(this.#cells, row + field);
    return {
      id,
      runs: cell(RUNS),
      commits: cell(COMMITS),
      attempt: cell(ATTEMPT),
      compressedBytes: cell(COMPRESSED),
      fingerprint: cell(FINGERPRINT),
      thread: cell(THREAD),
    };
  }
}
