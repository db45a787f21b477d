// The one timing loop of the bench: contenders interleaved round by round, median of the timed runs.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** One prepared run of a contender: set up outside the clock, then timed, then checked. */
export interface Trial {
  /** The timed part; may return a promise, which is awaited inside the clock. */
  run(): unknown;
  /**
   * Reads what the books need from outside the process (W8: the counters kept in Redis);
   * awaited after the clock stops, before `check`.
   */
  finish?(): Promise<void>;
  /** Throws when the books of this run do not balance; called after the clock stops. */
  check(): void;
  /** Extra figures of this run (for example latency percentiles), reported as medians. */
  extras?(): Record<string, number>;
  /**
   * Lets go of what the run started (W7: its worker threads); awaited after `check`, outside
   * the clock, whether or not the books balanced, so the next run starts on an idle machine.
   */
  release?(): Promise<void> | void;
}

/**
 * Who a contender is: dispenser itself, a peer library doing the closest equivalent job, the
 * raw-ring limit (L), or a reference shown for context but not counted as a peer (it skips part
 * of the job, e.g. a floor that only yields, or a push stream without demand or buffer).
 */
export type Role = 'dispenser' | 'peer' | 'limit' | 'reference';

/** A contender of a timed workload. */
export interface Contender {
  /** Shown in the tables, e.g. `denque 2.1.0`. */
  readonly name: string;
  readonly role: Role;
  /** Events one run moves, when not the workload's own count. */
  readonly events?: number;
  /**
   * Name of the peer of the same workload this contender is held to like for like (W5, where
   * each server has its own Effect row), when it is not simply the fastest peer.
   */
  readonly peer?: string;
  /** Builds fresh state for one run; not timed. */
  prepare(): Trial | Promise<Trial>;
}

/** A contender of the memory workload. */
export interface MemoryContender {
  readonly name: string;
  readonly role: Role;
  /** Fills the structure and returns it (it is kept alive until the heap has been measured). */
  build(): unknown;
  /** Values held by what `build` returns, to divide the heap growth by. */
  readonly count: number;
  /** Throws when the built structure does not hold `count` values. */
  check(built: unknown): void;
}

/** How many rounds to run. */
export interface RoundOptions {
  /** Rounds run and thrown away first. */
  warmup: number;
  /** Rounds timed; the median is reported. */
  runs: number;
}

/** Options of {@link timeInterleaved}. */
export interface TimingOptions extends RoundOptions {
  /**
   * The collection before each run: `'minor'` for workloads that allocate as they go (a major
   * one would shrink the young generation under them), `'major'` for a single call on a large
   * prepared structure (no marking left in progress from building it).
   * @default 'minor'
   */
  gc?: 'minor' | 'major';
}

/** Timed runs of one contender. */
export interface Timing {
  readonly name: string;
  readonly role: Role;
  /** The contender's own event count, when it has one. */
  readonly events: number | undefined;
  /** The contender's like-for-like peer, when it names one ({@link Contender.peer}). */
  readonly peer: string | undefined;
  /** Milliseconds of each timed run, in run order. */
  readonly runs: number[];
  /** Median of `runs`. */
  readonly median: number;
  /** Median of each extra figure over the timed runs. */
  readonly extras: Record<string, number>;
  /** Each extra figure of every timed run, in run order (for figures where one bad run counts, not the median). */
  readonly extraRuns: Record<string, number[]>;
}

/**
 * A run whose heap growth is measured at points it chooses: it makes what is not to be counted,
 * calls `mark()` (the baseline), builds and runs what is, and calls `mark()` again while all of
 * it is still alive: once for {@link measureGrowth} (W6), as often as it likes for
 * {@link measurePeakGrowth} (W7). Each `mark()` runs full GCs and reads the heap used.
 */
export interface GrowthProbe {
  readonly name: string;
  readonly role: Role;
  /** One run; calls `mark` at least twice and returns the figures of its books. */
  run(mark: () => void): Promise<Record<string, number>>;
}

/** Heap growth (or peak growth) of one {@link GrowthProbe} over its measured runs. */
export interface GrowthSample {
  readonly name: string;
  readonly role: Role;
  /** Bytes of heap growth of each measured run. */
  readonly runs: number[];
  /** Median of `runs`. */
  readonly median: number;
  /** The figures each measured run returned, by name, in run order. */
  readonly figures: Record<string, number[]>;
}

/** Heap measurements of one memory contender. */
export interface HeapSample {
  readonly name: string;
  readonly role: Role;
  /** Bytes per held value of each timed run. */
  readonly runs: number[];
  /** Median of `runs`. */
  readonly median: number;
}

/** Median of a non-empty list (mean of the two middle values for an even length). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The `p`-quantile (0..1) of sorted values, nearest rank. */
export function quantile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[rank] as number;
}

/** The order of contenders in round `round`: rotated by one each round, so none always goes first. */
export function rotation<T>(items: readonly T[], round: number): T[] {
  const n = items.length;
  const out: T[] = [];
  for (let k = 0; k < n; k++) out.push(items[(round + k) % n] as T);
  return out;
}

type Collector = (options?: { type: 'major' | 'minor' }) => void;
let collector: Collector | undefined;

/**
 * Runs the garbage collector: `'major'` (twice, everything unreachable is freed: for heap
 * measurements) or `'minor'` (the young generation only: clears the previous run's garbage
 * without shrinking the young generation, which would slow the next run down). Uses `global.gc`
 * when node runs with `--expose-gc`, else enables it on the fly.
 */
export function collectGarbage(type: 'major' | 'minor' = 'major'): void {
  if (collector === undefined) {
    const exposed = (globalThis as { gc?: Collector }).gc;
    if (typeof exposed === 'function') collector = exposed;
    else {
      setFlagsFromString('--expose-gc');
      collector = runInNewContext('gc') as Collector;
    }
  }
  if (type === 'minor') {
    collector({ type: 'minor' });
    return;
  }
  collector();
  collector();
}

/**
 * Times every contender `warmup + runs` times, interleaved: each round runs each contender once,
 * in an order rotated by one per round, with a GC before every run (see {@link TimingOptions.gc})
 * and a major one first.
 */
export async function timeInterleaved(contenders: readonly Contender[], options: TimingOptions): Promise<Timing[]> {
  const runs = new Map<Contender, number[]>();
  const extras = new Map<Contender, Map<string, number[]>>();
  for (const contender of contenders) {
    runs.set(contender, []);
    extras.set(contender, new Map());
  }
  const rounds = options.warmup + options.runs;
  collectGarbage('major');
  for (let round = 0; round < rounds; round++) {
    for (const contender of rotation(contenders, round)) {
      const trial = await contender.prepare();
      collectGarbage(options.gc ?? 'minor');
      const start = performance.now();
      const pending = trial.run();
      if (pending instanceof Promise) await pending;
      const elapsed = performance.now() - start;
      try {
        await trial.finish?.();
        trial.check();
      } catch (error) {
        throw new Error(`${contender.name}: books do not balance: ${(error as Error).message}`, { cause: error });
      } finally {
        await trial.release?.();
      }
      if (round < options.warmup) continue;
      runs.get(contender)?.push(elapsed);
      const figures = trial.extras?.() ?? {};
      const byName = extras.get(contender) as Map<string, number[]>;
      for (const [key, value] of Object.entries(figures)) {
        const list = byName.get(key) ?? [];
        list.push(value);
        byName.set(key, list);
      }
    }
  }
  return contenders.map((contender) => {
    const list = runs.get(contender) as number[];
    const medians: Record<string, number> = {};
    const all: Record<string, number[]> = {};
    for (const [key, values] of extras.get(contender) as Map<string, number[]>) {
      medians[key] = median(values);
      all[key] = values;
    }
    return {
      name: contender.name,
      role: contender.role,
      events: contender.events,
      peer: contender.peer,
      runs: list,
      median: median(list),
      extras: medians,
      extraRuns: all,
    };
  });
}

/** Heap growth per held value of one build; a function of its own, so no stack slot outlives it. */
function heapGrowth(contender: MemoryContender): number {
  collectGarbage('major');
  const before = process.memoryUsage().heapUsed;
  const built = contender.build();
  collectGarbage('major');
  const after = process.memoryUsage().heapUsed;
  contender.check(built);
  return (after - before) / contender.count;
}

/**
 * Measures heap growth per held value, after full GCs, interleaved like {@link timeInterleaved}.
 * Used bytes are read from `process.memoryUsage().heapUsed` before building and after.
 */
export function measureHeap(contenders: readonly MemoryContender[], options: RoundOptions): HeapSample[] {
  const samples = new Map<MemoryContender, number[]>();
  for (const contender of contenders) samples.set(contender, []);
  const rounds = options.warmup + options.runs;
  for (let round = 0; round < rounds; round++) {
    for (const contender of rotation(contenders, round)) {
      const bytes = heapGrowth(contender);
      if (round >= options.warmup) samples.get(contender)?.push(bytes);
    }
  }
  return contenders.map((contender) => {
    const list = samples.get(contender) as number[];
    return { name: contender.name, role: contender.role, runs: list, median: median(list) };
  });
}

/**
 * Measures the heap growth of each probe between its two marks (full GCs before each reading),
 * `warmup + runs` times, interleaved and rotated like {@link timeInterleaved}.
 *
 * @throws Error when a probe does not call `mark` exactly twice
 */
export function measureGrowth(probes: readonly GrowthProbe[], options: RoundOptions): Promise<GrowthSample[]> {
  return sampleGrowth(probes, options, (probe, marks) => {
    if (marks.length !== 2) throw new Error(`${probe.name}: marked the heap ${marks.length} times, expected 2`);
    return (marks[1] as number) - (marks[0] as number);
  });
}

/**
 * Measures the peak heap growth of each probe: the highest of its readings after the first,
 * less the first (full GCs before each reading, so garbage not yet collected is not counted),
 * `warmup + runs` times, interleaved and rotated like {@link timeInterleaved}.
 *
 * @throws Error when a probe calls `mark` fewer than twice
 */
export function measurePeakGrowth(probes: readonly GrowthProbe[], options: RoundOptions): Promise<GrowthSample[]> {
  return sampleGrowth(probes, options, (probe, marks) => {
    if (marks.length < 2) throw new Error(`${probe.name}: marked the heap ${marks.length} times, expected at least 2`);
    return Math.max(...marks.slice(1)) - (marks[0] as number);
  });
}

/** Runs the probes, rotated round by round, and reduces each run's readings with `growthOf` (which may throw). */
async function sampleGrowth(
  probes: readonly GrowthProbe[],
  options: RoundOptions,
  growthOf: (probe: GrowthProbe, marks: readonly number[]) => number,
): Promise<GrowthSample[]> {
  const samples = new Map<GrowthProbe, { runs: number[]; figures: Map<string, number[]> }>();
  for (const probe of probes) samples.set(probe, { runs: [], figures: new Map() });
  const rounds = options.warmup + options.runs;
  for (let round = 0; round < rounds; round++) {
    for (const probe of rotation(probes, round)) {
      const marks: number[] = [];
      const figures = await probe.run(() => {
        collectGarbage('major');
        marks.push(process.memoryUsage().heapUsed);
      });
      const growth = growthOf(probe, marks);
      if (round < options.warmup) continue;
      const sample = samples.get(probe) as { runs: number[]; figures: Map<string, number[]> };
      sample.runs.push(growth);
      for (const [key, value] of Object.entries(figures)) {
        const list = sample.figures.get(key) ?? [];
        list.push(value);
        sample.figures.set(key, list);
      }
    }
  }
  return probes.map((probe) => {
    const sample = samples.get(probe) as { runs: number[]; figures: Map<string, number[]> };
    return { name: probe.name, role: probe.role, runs: sample.runs, median: median(sample.runs), figures: Object.fromEntries(sample.figures) };
  });
}
