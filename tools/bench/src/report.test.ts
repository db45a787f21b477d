import { describe, expect, it } from 'vitest';
import type { GrowthSample, Role, Timing } from './harness';
import type { BroadcastRow, CpuRow, Results, TargetCheck, ThroughputRow } from './report';
import { broadcastRows, checkTargets, cpuRows, markdownReport, throughputRows } from './report';

const effect100 = 'effect 4.1.0 Queue.sliding + takeBetween(1, 100) fibers';
const effect10 = 'effect 4.1.0 Queue.sliding + takeBetween(1, 10) fibers';

/** A timing of `ms` per run (so `events / ms` events per millisecond), with W5-style latencies. */
function timing(
  name: string,
  role: Role,
  ms: number,
  options: { peer?: string; p50?: number; p99?: number; extraRuns?: Record<string, number[]> } = {},
): Timing {
  const extras: Record<string, number> = {};
  if (options.p50 !== undefined) extras['p50Ms'] = options.p50;
  if (options.p99 !== undefined) extras['p99Ms'] = options.p99;
  return { name, role, events: undefined, peer: options.peer, runs: [ms, ms, ms], median: ms, extras, extraRuns: options.extraRuns ?? {} };
}

const w6Dispenser = "dispenser BroadcastServer ('drop-oldest')";
const w6Effect = 'effect 4.1.0 PubSub.sliding, a takeBetween(1, 100) fiber per subscriber';
const w6Rxjs = 'rxjs 7.8.2 Subject, a hand-written drop-oldest buffer per subscriber';
const w6Sizes = { capacity: 1_000, subscribers: 1_000, stalled: 10, expectedDropped: 98_900 };

/** The stalled subscribers' figures of three runs; `off` makes the last run's drop count wrong. */
function stalledRuns(off = false): Record<string, number[]> {
  return {
    stalledExact: [1, 1, off ? 0 : 1],
    stalledDroppedMin: [98_900, 98_900, off ? 98_899 : 98_900],
    stalledDroppedMax: [98_900, 98_900, 98_900],
    stalledLagMin: [1_000, 1_000, 1_000],
    stalledLagMax: [1_000, 1_000, 1_000],
  };
}

/**
 * W6's fake timings: 1,000,000 deliveries, so dispenser (10 ms) is 4 × Effect (40 ms) and
 * 0.8 × RxJS (8 ms); the RxJS row had one run with a wrong drop count.
 */
function w6Timings(): Timing[] {
  return [
    timing(w6Dispenser, 'dispenser', 10, { extraRuns: stalledRuns() }),
    timing(w6Effect, 'peer', 40, { extraRuns: stalledRuns() }),
    timing(w6Rxjs, 'peer', 8, { extraRuns: stalledRuns(true) }),
  ];
}

/** Heap samples: dispenser 312 KB over two runs, Effect 4.8 MB, RxJS 1.7 MB. */
function w6Samples(): GrowthSample[] {
  const sample = (name: string, role: Role, runs: number[]): GrowthSample => ({
    name,
    role,
    runs,
    median: runs.reduce((a, b) => a + b, 0) / runs.length,
    figures: {
      stalledExact: [1, 1],
      stalledDroppedMin: [98_900, 98_900],
      stalledDroppedMax: [98_900, 98_900],
      stalledLagMin: [1_000, 1_000],
      stalledLagMax: [1_000, 1_000],
    },
  });
  return [sample(w6Dispenser, 'dispenser', [300_000, 324_000]), sample(w6Effect, 'peer', [4_800_000, 4_800_000]), sample(w6Rxjs, 'peer', [1_700_000, 1_700_000])];
}

function w6Rows(): BroadcastRow[] {
  return broadcastRows(w6Sizes, w6Timings(), w6Samples());
}

const w7Dispenser = 'dispenser BufferServer + WorkerPool (2 workers, maxDemand 200)';
const w7Piscina = 'piscina 5.3.2 run() per batch of 100 (2 threads)';
const w7Main = 'main thread: the handler inline, batches of 100';

/**
 * W7's fake timings (200,000 events): dispenser 2,000 ms (100 k/s), piscina 2,100 ms, the main
 * thread 4,000 ms (50 k/s), so dispenser is 2 × the main thread and 1.05 × piscina.
 */
function w7Timings(dispenserMs = 2_000): Timing[] {
  return [
    timing(w7Dispenser, 'dispenser', dispenserMs, { p50: 110, p99: 125 }),
    timing(w7Piscina, 'peer', 2_100, { p50: 1_050, p99: 2_080 }),
    timing(w7Main, 'reference', 4_000, { p50: 0.0002, p99: 0.002 }),
  ];
}

/** W7's heap samples: 10,000 fresh events take 400 KB (40 B each); dispenser peaks at 480 KB, piscina at 9.6 MB. */
function w7Rows(): CpuRow[] {
  const sample = (name: string, role: Role, runs: number[]): GrowthSample => ({ name, role, runs, median: median(runs), figures: {} });
  return cpuRows(
    10_000,
    w7Timings(),
    [sample(w7Dispenser, 'dispenser', [470_000, 480_000, 500_000]), sample(w7Piscina, 'peer', [9_600_000, 9_500_000, 9_700_000]), sample(w7Main, 'reference', [12_000, 9_000, 70_000])],
    sample('10000 fresh events in an array', 'reference', [400_000, 400_000, 400_000]),
  );
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[values.length >> 1] as number;
}

/**
 * A fake run: 1,000,000 events per workload (W7: 200,000), so events/s = 1e9 / ms. In W5 `even` is 1.25 × its
 * peer (met) and its p99 is above its peer's (not met); `greedy` is 1.4 × its peer (not met); the
 * batching server is 1.25 × its peer (met).
 */
function fakeRows(): ThroughputRow[] {
  return throughputRows([
    {
      id: 'W1',
      events: 1_000_000,
      timings: [timing('raw ring (L)', 'limit', 10), timing('dispenser LimitedQueue', 'dispenser', 12.5), timing('denque 2.1.0', 'peer', 12)],
    },
    {
      id: 'W2',
      events: 1_000_000,
      timings: [
        timing('dispenser EventBuffer (even)', 'dispenser', 10),
        timing('dispenser EventBuffer (greedy)', 'dispenser', 11),
        timing('effect 4.1.0 Queue.sliding, takers in turn', 'peer', 20),
      ],
    },
    {
      id: 'W5',
      events: 1_000_000,
      timings: [
        timing('dispenser BufferServer (even)', 'dispenser', 80, { peer: effect10, p50: 0.003, p99: 0.006 }),
        timing('dispenser BatchingBufferServer (even, 100, 5 ms)', 'dispenser', 48, { peer: effect100, p50: 0.003, p99: 0.005 }),
        timing('dispenser BufferServer (greedy)', 'dispenser', 60 / 1.4, { peer: effect100, p50: 0.0015, p99: 0.0025 }),
        timing(effect100, 'peer', 60, { p50: 0.001, p99: 0.002 }),
        timing(effect10, 'peer', 100, { p50: 0.002, p99: 0.004 }),
        timing('floor: producer loop and yields only', 'reference', 20, { p50: 0.00005, p99: 0.0002 }),
      ],
    },
    { id: 'W6', events: 1_000_000, timings: w6Timings() },
    { id: 'W7', events: 200_000, timings: w7Timings() },
  ]);
}

function fakeResults(): Results {
  const throughput = fakeRows();
  return {
    info: {
      profile: 'fake',
      date: '2026-01-01',
      node: 'v20.20.2',
      platform: 'linux x64',
      cpus: '2 × test',
      rounds: { warmup: 0, runs: 3 },
      heavyRounds: { warmup: 0, runs: 3 },
    },
    throughput,
    many: [],
    memory: [],
    broadcast: w6Rows(),
    cpu: w7Rows(),
    targets: checkTargets(throughput, [], [], w6Rows(), w7Rows()),
  };
}

function targetStartingWith(targets: readonly TargetCheck[], prefix: string): TargetCheck {
  const found = targets.filter((t) => t.target.startsWith(prefix));
  expect(found, prefix).toHaveLength(1);
  return found[0] as TargetCheck;
}

describe('throughputRows', () => {
  it('divides each row by its own peer when it names one, and by the fastest peer always', () => {
    const rows = fakeRows().filter((row) => row.workload === 'W5');
    const byName = new Map(rows.map((row) => [row.name, row]));
    const even = byName.get('dispenser BufferServer (even)');
    expect(even?.peer).toBe(effect10);
    expect(even?.ratioToPeer).toBeCloseTo(100 / 80);
    // The fastest peer is takeBetween(1, 100) (60 ms): `× best peer` still divides by it.
    expect(even?.ratioToBestPeer).toBeCloseTo(60 / 80);
    expect(byName.get('dispenser BufferServer (greedy)')?.ratioToPeer).toBeCloseTo(1.4);
    expect(byName.get(effect100)?.peer).toBeNull();
    expect(byName.get(effect100)?.ratioToPeer).toBeNull();
    expect(byName.get(effect10)?.ratioToBestPeer).toBeCloseTo(0.6);
  });

  it('refuses a peer that is not a contender of the workload', () => {
    expect(() =>
      throughputRows([{ id: 'W5', events: 100, timings: [timing('dispenser BufferServer (even)', 'dispenser', 1, { peer: 'nobody' })] }]),
    ).toThrow('dispenser BufferServer (even): its peer nobody is not a contender of W5');
  });
});

describe('checkTargets', () => {
  const { targets } = fakeResults();

  it('checks each W5 server against its own Effect row', () => {
    const even = targetStartingWith(targets, 'W5 dispenser BufferServer (even) ≥ 1.2 × ');
    expect(even).toEqual({ target: `W5 dispenser BufferServer (even) ≥ 1.2 × ${effect10}`, figure: '1.25 × (12.5 M/s vs 10.0 M/s)', met: true });
    const greedy = targetStartingWith(targets, 'W5 dispenser BufferServer (greedy) ≥ 1.5 × ');
    expect(greedy).toEqual({ target: `W5 dispenser BufferServer (greedy) ≥ 1.5 × ${effect100}`, figure: '1.40 × (23.3 M/s vs 16.7 M/s)', met: false });
    const batching = targetStartingWith(targets, 'W5 dispenser BatchingBufferServer (even, 100, 5 ms) ≥ 1.2 × ');
    expect(batching.target.endsWith(effect100)).toBe(true);
    expect(batching.figure).toBe('1.25 × (20.8 M/s vs 16.7 M/s)');
    expect(batching.met).toBe(true);
  });

  it("checks BufferServer (even)'s p99 hand-off latency against takeBetween(1, 10)'s", () => {
    const latency = targetStartingWith(targets, 'W5 p99 hand-off latency');
    expect(latency).toEqual({
      target: `W5 p99 hand-off latency of dispenser BufferServer (even) ≤ that of ${effect10}`,
      figure: '6.00 µs vs 4.00 µs',
      met: false,
    });
  });

  it('keeps the W2 targets and drops the old W5 ones', () => {
    expect(targetStartingWith(targets, 'W2 dispenser EventBuffer (even) ahead of the best peer').met).toBe(true);
    expect(targetStartingWith(targets, 'W2 dispenser EventBuffer (even) ≥ 10 × Elixir').figure).toBe('21.7 × Elixir');
    expect(targets.filter((t) => t.target.startsWith('W5'))).toHaveLength(4);
    expect(targets.some((t) => t.target.includes('W5') && (t.target.includes('Elixir') || t.target.includes('best peer')))).toBe(false);
  });

  it('shows no W5 target for a run without W5', () => {
    const rows = fakeRows().filter((row) => row.workload !== 'W5');
    expect(checkTargets(rows, [], []).some((t) => t.target.startsWith('W5'))).toBe(false);
  });
});

describe('markdownReport', () => {
  const markdown = markdownReport(fakeResults());

  it('lists both Effect rows of W5 with their latencies', () => {
    expect(markdown).toContain(`| W5 | ${effect100} | 16.7 M/s |`);
    expect(markdown).toContain(`| W5 | ${effect10} | 10.0 M/s |`);
    expect(markdown).toContain(`| ${effect100} | 1.00 µs | 2.00 µs |`);
    expect(markdown).toContain(`| ${effect10} | 2.00 µs | 4.00 µs |`);
  });

  it('pairs each dispenser server with its own peer', () => {
    expect(markdown).toContain('### Like for like: each contender against the peer it is held to');
    expect(markdown).toContain(`| W5 | **dispenser BufferServer (even)** | 12.5 M/s | ${effect10} | 10.0 M/s | 1.25 | 6.00 µs | 4.00 µs |`);
    expect(markdown).toContain(`| W5 | **dispenser BufferServer (greedy)** | 23.3 M/s | ${effect100} | 16.7 M/s | 1.40 | 2.50 µs | 2.00 µs |`);
    expect(markdown).toContain(`| W5 | **dispenser BatchingBufferServer (even, 100, 5 ms)** | 20.8 M/s | ${effect100} | 16.7 M/s | 1.25 |`);
  });

  it('shows the four W5 targets, met or not', () => {
    expect(markdown).toContain(`| W5 dispenser BufferServer (even) ≥ 1.2 × ${effect10} | 1.25 × (12.5 M/s vs 10.0 M/s) | yes |`);
    expect(markdown).toContain(`| W5 dispenser BufferServer (greedy) ≥ 1.5 × ${effect100} | 1.40 × (23.3 M/s vs 16.7 M/s) | **no** |`);
    expect(markdown).toContain(`| W5 dispenser BatchingBufferServer (even, 100, 5 ms) ≥ 1.2 × ${effect100} | 1.25 × (20.8 M/s vs 16.7 M/s) | yes |`);
    expect(markdown).toContain(`| W5 p99 hand-off latency of dispenser BufferServer (even) ≤ that of ${effect10} | 6.00 µs vs 4.00 µs | **no** |`);
  });
});

describe('W6', () => {
  const results = fakeResults();
  const markdown = markdownReport(results);

  it('gathers heap growth and the stalled books of every run, timed and heap', () => {
    const [dispenser, effect, rxjs] = results.broadcast as [BroadcastRow, BroadcastRow, BroadcastRow];
    expect(dispenser.heapGrowth).toBe(312_000);
    expect(dispenser.sharedRing).toBe(1_000 * 8 + 1_000 * 200);
    expect(dispenser.ratioToSharedRing).toBeCloseTo(1.5);
    expect(dispenser.exactRuns).toBe(5);
    expect(dispenser.checkedRuns).toBe(5);
    expect(effect.ratioToSharedRing).toBeCloseTo(4_800_000 / 208_000);
    expect(rxjs.exactRuns).toBe(4);
    expect([rxjs.droppedMin, rxjs.droppedMax]).toEqual([98_899, 98_900]);
  });

  it('checks dispenser against each peer, the heap budget and the stalled drop counts', () => {
    const w6 = results.targets.filter((t) => t.target.startsWith('W6'));
    expect(w6).toEqual([
      { target: `W6 ${w6Dispenser} ahead of ${w6Effect}`, figure: '4.00 × (100.0 M/s vs 25.0 M/s)', met: true },
      { target: `W6 ${w6Dispenser} ahead of ${w6Rxjs}`, figure: '0.80 × (100.0 M/s vs 125.0 M/s)', met: false },
      {
        target: 'W6 heap growth ≤ 2 × (capacity × 8 B + subscribers × 200 B)',
        figure: '312 KB = 1.50 × (1,000 × 8 B + 1,000 × 200 B = 208 KB)',
        met: true,
      },
      {
        target: "W6 every stalled subscriber's drop count exact",
        figure: '10 stalled, each 98,900 dropped and 1,000 held: exact in 5 of 5 runs',
        met: true,
      },
    ]);
  });

  it('fails the drop-count target when one run was off, and shows no W6 target without W6', () => {
    const off = broadcastRows(w6Sizes, w6Timings().map((t) => ({ ...t, extraRuns: stalledRuns(true) })), w6Samples());
    const exact = checkTargets(fakeRows(), [], [], off).find((t) => t.target.includes('drop count exact'));
    expect(exact?.met).toBe(false);
    expect(exact?.figure).toContain('exact in 4 of 5 runs');
    const rows = fakeRows().filter((row) => row.workload !== 'W6');
    expect(checkTargets(rows, [], []).some((t) => t.target.startsWith('W6'))).toBe(false);
  });

  it('shows the throughput rows, the heap table and the targets', () => {
    expect(markdown).toContain(`| W6 | **${w6Dispenser}** | 100.0 M/s |`);
    expect(markdown).toContain('### W6 broadcast fan-out: heap growth and stalled subscribers');
    expect(markdown).toContain(`| **${w6Dispenser}** | 312 KB | 1.50 | 300 324 | 98,900 | 1,000 | 5 of 5 runs |`);
    expect(markdown).toContain(`| ${w6Rxjs} | 1.70 MB | 8.17 | 1700 1700 | 98,899–98,900 | 1,000 | 4 of 5 runs |`);
    expect(markdown).toContain(`| W6 ${w6Dispenser} ahead of ${w6Rxjs} | 0.80 × (100.0 M/s vs 125.0 M/s) | **no** |`);
  });
});

describe('W7', () => {
  const results = fakeResults();
  const markdown = markdownReport(results);

  it('gathers latency and peak heap growth against capacity × the measured event size', () => {
    const [dispenser, piscina, mainThread] = results.cpu as [CpuRow, CpuRow, CpuRow];
    expect(dispenser).toEqual({
      name: w7Dispenser,
      role: 'dispenser',
      p50Ms: 110,
      p99Ms: 125,
      peakHeap: 480_000,
      heapRuns: [470_000, 480_000, 500_000],
      capacity: 10_000,
      eventBytes: 40,
      capacityBytes: 400_000,
      ratioToCapacity: 1.2,
    });
    expect(piscina.ratioToCapacity).toBeCloseTo(24);
    expect(mainThread.peakHeap).toBe(12_000);
  });

  it('checks dispenser against the main thread and piscina, and its peak heap', () => {
    const w7 = results.targets.filter((t) => t.target.startsWith('W7'));
    expect(w7).toEqual([
      { target: `W7 ${w7Dispenser} ≥ 1.6 × ${w7Main}`, figure: '2.00 × (100.0 k/s vs 50.0 k/s)', met: true },
      { target: `W7 ${w7Dispenser} ahead of ${w7Piscina}`, figure: '1.05 × (100.0 k/s vs 95.2 k/s)', met: true },
      {
        target: 'W7 peak heap growth of dispenser ≤ 2 × capacity × event size',
        figure: '480 KB = 1.20 × (10,000 × 40.0 B = 400 KB)',
        met: true,
      },
    ]);
  });

  it('fails the throughput targets of a slow run, and shows no W7 target without W7', () => {
    const slow = throughputRows([{ id: 'W7', events: 200_000, timings: w7Timings(2_600) }]);
    const w7 = checkTargets(slow, [], [], [], w7Rows()).filter((t) => t.target.startsWith('W7'));
    expect(w7.map((t) => [t.figure, t.met])).toEqual([
      ['1.54 × (76.9 k/s vs 50.0 k/s)', false],
      ['0.81 × (76.9 k/s vs 95.2 k/s)', false],
      ['480 KB = 1.20 × (10,000 × 40.0 B = 400 KB)', true],
    ]);
    const without = fakeRows().filter((row) => row.workload !== 'W7');
    expect(checkTargets(without, [], []).some((t) => t.target.startsWith('W7'))).toBe(false);
  });

  it('shows the cost per event, the W7 table and the targets, and keeps W7 out of the W5 latency table', () => {
    expect(markdown).toContain(`| W7 | **${w7Dispenser}** | 100.0 k/s |`);
    expect(markdown).toContain(`| W7 | _${w7Main}_ | 50.0 k/s |`);
    expect(markdown).toContain('### W7 CPU-bound: latency and peak heap');
    expect(markdown).toContain('The handler costs 20.0 µs per event on the main thread');
    expect(markdown).toContain('capacity × event size = 10,000 × 40.0 B = 400 KB');
    expect(markdown).toContain(`| **${w7Dispenser}** | 100.0 k/s | 2.00 | 110 ms | 125 ms | 480 KB | 1.20 | 470 480 500 |`);
    expect(markdown).toContain(`| ${w7Piscina} | 95.2 k/s | 1.90 | 1050 ms | 2080 ms | 9.60 MB | 24.00 | 9600 9500 9700 |`);
    expect(markdown).toContain(`| _${w7Main}_ | 50.0 k/s | 1.00 | 0.200 µs | 2.00 µs | 12.0 KB | 0.03 | 12 9 70 |`);
    expect(markdown).toContain(`| W7 peak heap growth of dispenser ≤ 2 × capacity × event size | 480 KB = 1.20 × (10,000 × 40.0 B = 400 KB) | yes |`);
    const w5Latency = markdown.slice(markdown.indexOf('### W5 hand-off latency'), markdown.indexOf('### Like for like'));
    expect(w5Latency).not.toContain('W7');
    expect(w5Latency).not.toContain(w7Piscina);
  });
});
