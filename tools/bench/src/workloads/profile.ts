// The sizes of every workload: BENCH.md's ({@link fullProfile}), a tenth of them, and the smoke test's.
import type { RoundOptions } from '../harness';

/** Sizes of every workload; BENCH.md's are {@link fullProfile}. */
export interface Profile {
  readonly name: string;
  /** Rounds of the timed workloads (L, W1, W2, W3, W5). */
  readonly rounds: RoundOptions;
  /** Rounds of W4 and M1 (each run rebuilds a large structure). */
  readonly heavyRounds: RoundOptions;
  /** L and W1: `batches` times push a batch of `batchSize`, then take `batchSize`. */
  readonly churn: { readonly batches: number; readonly batchSize: number; readonly capacity: number };
  /** W2: `rounds` times append `batchSize`, assign, re-ask. */
  readonly dispatch: {
    readonly capacity: number;
    readonly subscribers: number;
    readonly demand: number;
    readonly rounds: number;
    readonly batchSize: number;
  };
  /** W3: `events` appended in batches of `batchSize` into `capacity`, no demand. */
  readonly overload: { readonly capacity: number; readonly events: number; readonly batchSize: number };
  /** W4: subscriber counts crossed with buffered event counts. */
  readonly many: { readonly subscribers: readonly number[]; readonly events: readonly number[] };
  /** W5: server end to end. */
  readonly server: {
    readonly capacity: number;
    readonly subscribers: number;
    readonly initialDemand: number;
    readonly events: number;
    readonly batchSize: number;
    readonly maxDelay: number;
  };
  /**
   * W6: broadcast fan-out. `subscribers` each ask `demand` and re-ask what they get, except the
   * `stalled` ones, which never re-ask; `events` appended in batches of `batchSize`, each bound
   * to `capacity` with `'drop-oldest'`. Timed with `rounds`; then `heapRounds` untimed runs
   * measure heap growth (after full GCs).
   */
  readonly broadcast: {
    readonly capacity: number;
    readonly subscribers: number;
    readonly stalled: number;
    readonly demand: number;
    readonly events: number;
    readonly batchSize: number;
    readonly rounds: RoundOptions;
    readonly heapRounds: RoundOptions;
  };
  /**
   * W7: CPU-bound. `events` made by the producer in batches of `batchSize`, each needing the
   * fixed hashing loop of `cpu-burn.ts` (about 20 µs); `workers` threads, a buffer of
   * `capacity`, dispenser's workers asking `maxDemand` each. Every `sampleEvery`-th event's
   * latency is recorded. Timed with `rounds`; then `heapRounds` untimed runs read the heap
   * (after full GCs) about `heapReadings` times each, for the peak.
   */
  readonly cpu: {
    readonly events: number;
    readonly batchSize: number;
    readonly capacity: number;
    readonly workers: number;
    readonly maxDemand: number;
    readonly sampleEvery: number;
    readonly heapReadings: number;
    readonly rounds: RoundOptions;
    readonly heapRounds: RoundOptions;
  };
  /** M1: values held in a queue of that capacity. */
  readonly memory: { readonly events: number };
  /**
   * W8: across processes on Redis (not part of CI: absent from the smoke test's profile).
   * `events` of about 100 bytes appended in batches of `batchSize`, `inFlight` appends at a
   * time, into a buffer of `capacity` (above `events`: nothing dropped); `consumers` consumers
   * asking `maxDemand` each; BullMQ's Worker runs with `bullConcurrency`. Timed with `rounds`.
   * Then `kills` times a child process takes a batch of `maxDemand` and is SIGKILLed; the time
   * until a surviving consumer has them is measured.
   */
  readonly redis?: {
    readonly events: number;
    readonly batchSize: number;
    readonly inFlight: number;
    readonly capacity: number;
    readonly consumers: number;
    readonly maxDemand: number;
    readonly bullConcurrency: number;
    readonly rounds: RoundOptions;
    readonly kills: number;
  };
}

/** The sizes of BENCH.md. */
export const fullProfile: Profile = {
  name: 'full',
  rounds: { warmup: 3, runs: 11 },
  heavyRounds: { warmup: 2, runs: 9 },
  churn: { batches: 10_000, batchSize: 100, capacity: 10_000 },
  dispatch: { capacity: 100_000, subscribers: 100, demand: 10, rounds: 1_000, batchSize: 1_000 },
  overload: { capacity: 1_000, events: 1_000_000, batchSize: 100 },
  many: { subscribers: [1_000, 10_000, 100_000], events: [500_000, 1_000] },
  server: { capacity: 100_000, subscribers: 10, initialDemand: 100, events: 1_000_000, batchSize: 100, maxDelay: 5 },
  broadcast: {
    capacity: 1_000,
    subscribers: 1_000,
    stalled: 10,
    demand: 100,
    events: 100_000,
    batchSize: 100,
    // Effect's runs take 10–30 s each at these sizes: fewer rounds than the other workloads.
    rounds: { warmup: 1, runs: 5 },
    heapRounds: { warmup: 0, runs: 3 },
  },
  cpu: {
    events: 200_000,
    batchSize: 100,
    capacity: 10_000,
    workers: 2,
    maxDemand: 200,
    sampleEvery: 10,
    heapReadings: 20,
    // A run takes 2–4 s (the main-thread reference: 200,000 × 20 µs): fewer rounds, like W6.
    rounds: { warmup: 1, runs: 5 },
    heapRounds: { warmup: 0, runs: 3 },
  },
  memory: { events: 1_000_000 },
  redis: {
    events: 200_000,
    batchSize: 100,
    inFlight: 4,
    capacity: 250_000,
    consumers: 4,
    maxDemand: 100,
    bullConcurrency: 100,
    // A BullMQ run takes several seconds at this size: fewer rounds, like W6 and W7.
    rounds: { warmup: 1, runs: 3 },
    kills: 5,
  },
};

/** A tenth of the sizes (a hundredth for W4's events), for a smoke run well under a minute. */
export const quickProfile: Profile = {
  name: 'quick',
  rounds: { warmup: 2, runs: 5 },
  heavyRounds: { warmup: 1, runs: 5 },
  churn: { batches: 1_000, batchSize: 100, capacity: 10_000 },
  dispatch: { capacity: 100_000, subscribers: 100, demand: 10, rounds: 100, batchSize: 1_000 },
  overload: { capacity: 1_000, events: 100_000, batchSize: 100 },
  many: { subscribers: [1_000, 10_000, 100_000], events: [50_000, 1_000] },
  server: { capacity: 100_000, subscribers: 10, initialDemand: 100, events: 100_000, batchSize: 100, maxDelay: 5 },
  broadcast: {
    capacity: 1_000,
    subscribers: 100,
    stalled: 1,
    demand: 100,
    events: 10_000,
    batchSize: 100,
    rounds: { warmup: 2, runs: 5 },
    heapRounds: { warmup: 1, runs: 5 },
  },
  cpu: {
    events: 20_000,
    batchSize: 100,
    capacity: 10_000,
    workers: 2,
    maxDemand: 200,
    sampleEvery: 10,
    heapReadings: 10,
    rounds: { warmup: 1, runs: 3 },
    heapRounds: { warmup: 0, runs: 2 },
  },
  memory: { events: 100_000 },
  redis: {
    events: 20_000,
    batchSize: 100,
    inFlight: 4,
    capacity: 25_000,
    consumers: 4,
    maxDemand: 100,
    bullConcurrency: 100,
    rounds: { warmup: 1, runs: 3 },
    kills: 3,
  },
};

/** Tiny sizes for the smoke test: every code path, a few milliseconds each (W8 aside: it needs Redis and is not part of CI). */
export const tinyProfile: Profile = {
  name: 'tiny',
  rounds: { warmup: 1, runs: 5 },
  heavyRounds: { warmup: 0, runs: 5 },
  churn: { batches: 50, batchSize: 100, capacity: 10_000 },
  dispatch: { capacity: 100_000, subscribers: 100, demand: 10, rounds: 5, batchSize: 1_000 },
  overload: { capacity: 1_000, events: 10_000, batchSize: 100 },
  many: { subscribers: [100, 1_000], events: [5_000, 100] },
  server: { capacity: 100_000, subscribers: 10, initialDemand: 100, events: 2_000, batchSize: 100, maxDelay: 5 },
  broadcast: {
    capacity: 1_000,
    subscribers: 100,
    stalled: 1,
    demand: 100,
    events: 2_000,
    batchSize: 100,
    rounds: { warmup: 1, runs: 5 },
    heapRounds: { warmup: 0, runs: 2 },
  },
  cpu: {
    events: 2_000,
    batchSize: 100,
    capacity: 1_000,
    workers: 2,
    maxDemand: 200,
    sampleEvery: 10,
    heapReadings: 4,
    // Starting two worker threads (tsx included) takes about 0.3 s: as few runs as will do.
    rounds: { warmup: 0, runs: 3 },
    heapRounds: { warmup: 0, runs: 2 },
  },
  memory: { events: 10_000 },
};
