// Turns measurements into the results: a markdown report, a JSON document and the target checks.
import { median } from './harness';
import type { GrowthSample, Role, Timing } from './harness';

/** Machine and settings of a run. */
export interface RunInfo {
  readonly profile: string;
  readonly date: string;
  readonly node: string;
  readonly platform: string;
  readonly cpus: string;
  readonly rounds: { warmup: number; runs: number };
  readonly heavyRounds: { warmup: number; runs: number };
  /** W6's timed rounds and heap runs, when W6 ran. */
  readonly fanOutRounds?: { warmup: number; runs: number };
  readonly fanOutHeapRounds?: { warmup: number; runs: number };
  /** W7's timed rounds and heap runs, when W7 ran. */
  readonly cpuRounds?: { warmup: number; runs: number };
  readonly cpuHeapRounds?: { warmup: number; runs: number };
  /** W8's timed rounds, when W8 ran. */
  readonly redisRounds?: { warmup: number; runs: number };
}

/** One row of the throughput table. */
export interface ThroughputRow {
  readonly workload: string;
  readonly name: string;
  readonly role: Role;
  readonly events: number;
  readonly medianMs: number;
  readonly runsMs: number[];
  readonly eventsPerSecond: number;
  /** events/s divided by L's events/s; null when L did not run. */
  readonly ratioToLimit: number | null;
  /** events/s divided by the best peer's events/s in the same workload; null without peers. */
  readonly ratioToBestPeer: number | null;
  /** Name of the peer row this contender is held to like for like (W5); null when it names none. */
  readonly peer: string | null;
  /** events/s divided by {@link ThroughputRow.peer}'s events/s; null when it names none. */
  readonly ratioToPeer: number | null;
  readonly extras: Record<string, number>;
}

/** One W4 measurement. */
export interface ManyRow {
  readonly strategy: string;
  readonly subscribers: number;
  readonly events: number;
  readonly medianMs: number;
  readonly runsMs: number[];
}

/** One M1 measurement. */
export interface MemoryRow {
  readonly name: string;
  readonly role: Role;
  readonly bytesPerEvent: number;
  readonly runs: number[];
}

/** One W6 contender: heap growth of the fan-out, and the books of its stalled subscribers. */
export interface BroadcastRow {
  readonly name: string;
  readonly role: Role;
  readonly subscribers: number;
  readonly capacity: number;
  readonly stalled: number;
  /**
   * Median heap growth in bytes (after full GCs): from after the subscribers (their handlers and
   * tallies) were made to after a run, with the fan-out still alive.
   */
  readonly heapGrowth: number;
  readonly heapRuns: number[];
  /** One shared ring and a small record per subscriber: `capacity × 8 B + subscribers × c` ({@link fanOutHeapBudget}). */
  readonly sharedRing: number;
  /** `heapGrowth / sharedRing`. */
  readonly ratioToSharedRing: number;
  /** What each stalled subscriber must have lost: events − its one demand − capacity. */
  readonly expectedDropped: number;
  /** Lowest and highest drop count and lag of any stalled subscriber, over every run (timed and heap). */
  readonly droppedMin: number;
  readonly droppedMax: number;
  readonly lagMin: number;
  readonly lagMax: number;
  /** Runs in which every stalled subscriber's drop count was exact, its lag = capacity and nobody else lost anything. */
  readonly exactRuns: number;
  /** Runs whose stalled subscribers were checked (timed and heap). */
  readonly checkedRuns: number;
}

/**
 * W6's heap budget: at most `times` × one shared ring of `capacity` slots of `slotBytes` (a
 * pointer each) plus `perSubscriberBytes` for each subscriber's record (dispenser's reader: its
 * cursor, demand and counters, and its entries in the server's maps).
 */
export const fanOutHeapBudget = { slotBytes: 8, perSubscriberBytes: 200, times: 2 } as const;

/** One W7 contender: the latency of its sampled events, and its peak heap growth against the capacity. */
export interface CpuRow {
  readonly name: string;
  readonly role: Role;
  /**
   * Medians over the timed runs of each run's p50 and p99 latency, in milliseconds: from the
   * hand-over of an event's batch (`write` called, `run` called, or the inline call) to the
   * start of the handler call that held it.
   */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /**
   * Median peak heap growth in bytes: the highest reading (after full GCs) during an untimed
   * run, less the reading taken once its threads had started, before the producer began.
   */
  readonly peakHeap: number;
  readonly heapRuns: number[];
  readonly capacity: number;
  /** Heap one fresh event takes, with the pointer that holds it: the unit probe's growth over `capacity`. */
  readonly eventBytes: number;
  /** `capacity × eventBytes`: the events a full buffer holds. */
  readonly capacityBytes: number;
  /** `peakHeap / capacityBytes`. */
  readonly ratioToCapacity: number;
}

/**
 * W7's targets: dispenser at least `timesMainThread` × the main thread, and its peak heap growth
 * at most `heapTimes` × what `capacity` events take (a full buffer; the rest of the margin is
 * for its ring's power-of-two slots, the write waiting for room, the batches on the workers).
 */
export const cpuTargets = { timesMainThread: 1.6, heapTimes: 2 } as const;

/** W8's section: the server it ran on and its SIGKILL redelivery times, or why it was skipped. */
export interface RedisSection {
  /** What the server was (`redis-server 7.0.15 started by the bench …`); null when skipped. */
  readonly server: string | null;
  /** Why W8 did not run (no Redis, or a profile without W8); null when it ran. */
  readonly skipped: string | null;
  /**
   * Milliseconds of each SIGKILL run: from the killed child's `'exit'` event (in the parent) to
   * the surviving consumer holding every event the child had taken, with delivery count 2.
   */
  readonly redeliveryMs: number[];
  /**
   * The same runs, timed from the moment the parent told the child to kill itself: an upper
   * bound. The `'exit'` event can come a little after the survivor has the events (the kill
   * closes the child's sockets, which Redis sees, before the parent handles SIGCHLD), so a
   * figure of `redeliveryMs` can be slightly negative.
   */
  readonly redeliveryFromKillMs: number[];
  /** Events the child held when it was killed. */
  readonly redeliveredEvents: number;
}

/**
 * W8's targets: RedisBuffer at least `timesFloor` × the raw streams floor (same client) and
 * `timesBullMq` × BullMQ, and every SIGKILL redelivery within `redeliveryMs`.
 */
export const redisTargets = { timesFloor: 0.6, timesBullMq: 3, redeliveryMs: 1_000 } as const;

/** A target of the issue, checked against this run. */
export interface TargetCheck {
  readonly target: string;
  readonly figure: string;
  readonly met: boolean;
}

/** Everything a run produced; this is the JSON file. */
export interface Results {
  readonly info: RunInfo;
  readonly throughput: ThroughputRow[];
  readonly many: ManyRow[];
  readonly memory: MemoryRow[];
  /** W6's heap and stalled-subscriber rows (empty when W6 did not run). */
  readonly broadcast: BroadcastRow[];
  /** W7's latency and peak heap rows (empty when W7 did not run). */
  readonly cpu: CpuRow[];
  /** W8's server and SIGKILL figures, or why it was skipped (absent when W8 was not asked for). */
  readonly redis?: RedisSection;
  readonly targets: TargetCheck[];
}

/** Elixir reference figures of BENCH.md (top of each range), events per second. */
export const elixirReference = { W2: 4.6e6 } as const;

/**
 * W5's throughput targets: each of these dispenser rows (a name prefix) at least `times` as fast
 * as its like-for-like Effect row ({@link ThroughputRow.peer}, named by the workload).
 */
export const serverTargets: ReadonlyArray<{ readonly name: string; readonly times: number }> = [
  { name: 'dispenser BufferServer (even)', times: 1.2 },
  { name: 'dispenser BufferServer (greedy)', times: 1.5 },
  { name: 'dispenser BatchingBufferServer (even', times: 1.2 },
];

/** W5's latency target: this dispenser row's p99 hand-off latency at most its peer's. */
export const serverLatencyTarget = 'dispenser BufferServer (even)';

/**
 * Throughput rows of the timed workloads, with ratios to L (the `limit` row), to the best peer
 * and to the contender's own peer when it names one.
 *
 * @throws Error when a contender names a peer that is not a row of its workload
 */
export function throughputRows(workloads: ReadonlyArray<{ id: string; events: number; timings: Timing[] }>): ThroughputRow[] {
  let limit = Number.NaN;
  for (const workload of workloads) {
    for (const timing of workload.timings) {
      if (timing.role === 'limit') limit = (timing.events ?? workload.events) / (timing.median / 1000);
    }
  }
  const rows: ThroughputRow[] = [];
  for (const workload of workloads) {
    let bestPeer = 0;
    const rates = new Map<string, number>();
    for (const timing of workload.timings) {
      const rate = (timing.events ?? workload.events) / (timing.median / 1000);
      rates.set(timing.name, rate);
      if (timing.role === 'peer') bestPeer = Math.max(bestPeer, rate);
    }
    for (const timing of workload.timings) {
      const events = timing.events ?? workload.events;
      const eventsPerSecond = events / (timing.median / 1000);
      const peerRate = timing.peer === undefined ? undefined : rates.get(timing.peer);
      if (timing.peer !== undefined && peerRate === undefined) {
        throw new Error(`${timing.name}: its peer ${timing.peer} is not a contender of ${workload.id}`);
      }
      rows.push({
        workload: timing.role === 'limit' ? 'L' : workload.id,
        name: timing.name,
        role: timing.role,
        events,
        medianMs: timing.median,
        runsMs: timing.runs,
        eventsPerSecond,
        ratioToLimit: Number.isNaN(limit) ? null : eventsPerSecond / limit,
        ratioToBestPeer: bestPeer > 0 ? eventsPerSecond / bestPeer : null,
        peer: timing.peer ?? null,
        ratioToPeer: peerRate === undefined ? null : eventsPerSecond / peerRate,
        extras: timing.extras,
      });
    }
  }
  // L first, then the workloads in order.
  return [...rows.filter((row) => row.role === 'limit'), ...rows.filter((row) => row.role !== 'limit')];
}

/** The W6 sizes {@link broadcastRows} needs. */
export interface FanOutSizes {
  readonly capacity: number;
  readonly subscribers: number;
  readonly stalled: number;
  readonly expectedDropped: number;
}

/**
 * W6's rows: each contender's heap growth (from its heap samples) and its stalled subscribers'
 * books over every run, the timed ones (`extraRuns` of its timing) and the heap ones (`figures`).
 */
export function broadcastRows(sizes: FanOutSizes, timings: readonly Timing[], samples: readonly GrowthSample[]): BroadcastRow[] {
  const sharedRing = sizes.capacity * fanOutHeapBudget.slotBytes + sizes.subscribers * fanOutHeapBudget.perSubscriberBytes;
  return samples.map((sample) => {
    const timing = timings.find((t) => t.name === sample.name);
    const figure = (key: string): number[] => [...(timing?.extraRuns[key] ?? []), ...(sample.figures[key] ?? [])];
    const exact = figure('stalledExact');
    return {
      name: sample.name,
      role: sample.role,
      subscribers: sizes.subscribers,
      capacity: sizes.capacity,
      stalled: sizes.stalled,
      heapGrowth: sample.median,
      heapRuns: sample.runs,
      sharedRing,
      ratioToSharedRing: sample.median / sharedRing,
      expectedDropped: sizes.expectedDropped,
      droppedMin: Math.min(...figure('stalledDroppedMin')),
      droppedMax: Math.max(...figure('stalledDroppedMax')),
      lagMin: Math.min(...figure('stalledLagMin')),
      lagMax: Math.max(...figure('stalledLagMax')),
      exactRuns: exact.filter((value) => value === 1).length,
      checkedRuns: exact.length,
    };
  });
}

/**
 * W7's rows: each contender's latency percentiles (from its timing's extras) and peak heap growth
 * (from its heap samples), against `capacity` events of the size the `unit` sample measured.
 */
export function cpuRows(capacity: number, timings: readonly Timing[], samples: readonly GrowthSample[], unit: GrowthSample): CpuRow[] {
  const eventBytes = unit.median / capacity;
  const capacityBytes = capacity * eventBytes;
  return samples.map((sample) => {
    const timing = timings.find((t) => t.name === sample.name);
    return {
      name: sample.name,
      role: sample.role,
      p50Ms: timing?.extras['p50Ms'] ?? Number.NaN,
      p99Ms: timing?.extras['p99Ms'] ?? Number.NaN,
      peakHeap: sample.median,
      heapRuns: sample.runs,
      capacity,
      eventBytes,
      capacityBytes,
      ratioToCapacity: sample.median / capacityBytes,
    };
  });
}

function rowOf(rows: readonly ThroughputRow[], workload: string, name: string): ThroughputRow | undefined {
  return rows.find((row) => row.workload === workload && row.name.startsWith(name));
}

function rowNamed(rows: readonly ThroughputRow[], workload: string, name: string): ThroughputRow | undefined {
  return rows.find((row) => row.workload === workload && row.name === name);
}

function bestPeerOf(rows: readonly ThroughputRow[], workload: string): ThroughputRow | undefined {
  let best: ThroughputRow | undefined;
  for (const row of rows) {
    if (row.workload === workload && row.role === 'peer' && (best === undefined || row.eventsPerSecond > best.eventsPerSecond)) best = row;
  }
  return best;
}

/** Checks the targets of the issue against a run. */
export function checkTargets(
  throughput: readonly ThroughputRow[],
  many: readonly ManyRow[],
  memory: readonly MemoryRow[],
  broadcast: readonly BroadcastRow[] = [],
  cpu: readonly CpuRow[] = [],
  redis?: RedisSection,
): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const w1 = rowOf(throughput, 'W1', 'dispenser LimitedQueue');
  if (w1?.ratioToLimit != null) {
    checks.push({ target: 'W1 ≥ 0.6 × L', figure: `${w1.ratioToLimit.toFixed(2)} × L`, met: w1.ratioToLimit >= 0.6 });
  }

  const rejected = throughput.filter((row) => row.workload === 'W3 rejected' && row.role === 'dispenser' && row.extras['batches']);
  if (rejected.length >= 2) {
    const [small, large] = rejected.map((row) => (row.medianMs * 1e6) / (row.extras['batches'] as number)) as [number, number];
    checks.push({
      target: `W3 drop-newest O(1) per rejected batch (batches ${rejected[1]?.events && rejected[0]?.events ? rejected[1].events / rejected[0].events : '?'}× larger cost about the same)`,
      figure: `${small.toFixed(1)} ns vs ${large.toFixed(1)} ns per batch`,
      met: large <= small * 2,
    });
  }

  const w2 = rowOf(throughput, 'W2', 'dispenser EventBuffer (even)');
  if (w2) {
    const peer = bestPeerOf(throughput, 'W2');
    if (peer) {
      checks.push({
        target: `W2 ${w2.name} ahead of the best peer (${peer.name})`,
        figure: `${w2.ratioToBestPeer?.toFixed(2) ?? '—'} × best peer`,
        met: w2.eventsPerSecond > peer.eventsPerSecond,
      });
    }
    checks.push({
      target: `W2 ${w2.name} ≥ 10 × Elixir (${formatRate(elixirReference.W2)})`,
      figure: `${(w2.eventsPerSecond / elixirReference.W2).toFixed(1)} × Elixir`,
      met: w2.eventsPerSecond >= 10 * elixirReference.W2,
    });
  }

  for (const { name, times } of serverTargets) {
    const row = rowOf(throughput, 'W5', name);
    const peer = row?.peer == null ? undefined : rowNamed(throughput, 'W5', row.peer);
    if (!row || !peer) continue;
    const ratio = row.eventsPerSecond / peer.eventsPerSecond;
    checks.push({
      target: `W5 ${row.name} ≥ ${times} × ${peer.name}`,
      figure: `${ratio.toFixed(2)} × (${formatRate(row.eventsPerSecond)} vs ${formatRate(peer.eventsPerSecond)})`,
      met: ratio >= times,
    });
  }
  const fast = rowOf(throughput, 'W5', serverLatencyTarget);
  const fastPeer = fast?.peer == null ? undefined : rowNamed(throughput, 'W5', fast.peer);
  const p99 = fast?.extras['p99Ms'];
  const peerP99 = fastPeer?.extras['p99Ms'];
  if (fast && fastPeer && p99 !== undefined && peerP99 !== undefined) {
    checks.push({
      target: `W5 p99 hand-off latency of ${fast.name} ≤ that of ${fastPeer.name}`,
      figure: `${formatMs(p99)} vs ${formatMs(peerP99)}`,
      met: p99 <= peerP99,
    });
  }

  const fewEvents = Math.min(...many.map((row) => row.events));
  const few = many.filter((row) => row.strategy === 'even' && row.events === fewEvents);
  if (few.length >= 2) {
    const least = few.reduce((a, b) => (a.subscribers <= b.subscribers ? a : b));
    const most = few.reduce((a, b) => (a.subscribers >= b.subscribers ? a : b));
    const ratio = most.medianMs / least.medianMs;
    checks.push({
      target: `W4 even: ${formatCount(most.subscribers)} subscribers ≈ ${formatCount(least.subscribers)} subscribers with ${formatCount(fewEvents)} events (within 2×)`,
      figure: `${formatMs(most.medianMs)} vs ${formatMs(least.medianMs)} (${ratio.toFixed(2)}×)`,
      met: ratio <= 2,
    });
  }

  const m1 = memory.find((row) => row.role === 'dispenser');
  if (m1) checks.push({ target: 'M1 ≤ 12 bytes per buffered event', figure: `${m1.bytesPerEvent.toFixed(2)} B`, met: m1.bytesPerEvent <= 12 });

  checks.push(...fanOutTargets(throughput, broadcast));
  checks.push(...cpuTargetChecks(throughput, cpu));
  checks.push(...redisTargetChecks(throughput, redis));
  return checks;
}

/** W8's targets: RedisBuffer against the raw floor and against BullMQ, and the SIGKILL redelivery time. */
function redisTargetChecks(throughput: readonly ThroughputRow[], redis: RedisSection | undefined): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const w8 = throughput.find((row) => row.workload === 'W8' && row.role === 'dispenser');
  const against = (other: ThroughputRow | undefined, times: number): void => {
    if (!w8 || !other) return;
    const ratio = w8.eventsPerSecond / other.eventsPerSecond;
    checks.push({
      target: `W8 ${w8.name} ≥ ${times} × ${other.name}`,
      figure: `${ratio.toFixed(2)} × (${formatRate(w8.eventsPerSecond)} vs ${formatRate(other.eventsPerSecond)})`,
      met: ratio >= times,
    });
  };
  against(
    throughput.find((row) => row.workload === 'W8' && row.role === 'reference'),
    redisTargets.timesFloor,
  );
  against(bestPeerOf(throughput, 'W8'), redisTargets.timesBullMq);
  if (redis !== undefined && redis.redeliveryMs.length > 0) {
    const fromExit = spread(redis.redeliveryMs);
    const fromKill = spread(redis.redeliveryFromKillMs);
    checks.push({
      target: `W8 redelivery after a consumer's SIGKILL ≤ ${formatMs(redisTargets.redeliveryMs)} (default settings, every run)`,
      figure:
        `median ${fromExit.medianMs.toFixed(0)} ms, max ${fromExit.maxMs.toFixed(0)} ms after the exit ` +
        `(max ${fromKill.maxMs.toFixed(0)} ms after the kill order) over ${redis.redeliveryMs.length} kills`,
      met: Math.max(fromExit.maxMs, fromKill.maxMs) <= redisTargets.redeliveryMs,
    });
  }
  return checks;
}

/** Median and largest of a non-empty list. */
function spread(values: readonly number[]): { medianMs: number; maxMs: number } {
  return { medianMs: median(values), maxMs: Math.max(...values) };
}

/** W7's targets: dispenser ahead of the main thread by the factor, ahead of each peer, peak heap within budget. */
function cpuTargetChecks(throughput: readonly ThroughputRow[], cpu: readonly CpuRow[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const w7 = throughput.find((row) => row.workload === 'W7' && row.role === 'dispenser');
  const mainThread = throughput.find((row) => row.workload === 'W7' && row.role === 'reference');
  if (w7 && mainThread) {
    const ratio = w7.eventsPerSecond / mainThread.eventsPerSecond;
    checks.push({
      target: `W7 ${w7.name} ≥ ${cpuTargets.timesMainThread} × ${mainThread.name}`,
      figure: `${ratio.toFixed(2)} × (${formatRate(w7.eventsPerSecond)} vs ${formatRate(mainThread.eventsPerSecond)})`,
      met: ratio >= cpuTargets.timesMainThread,
    });
  }
  if (w7) {
    for (const peer of throughput.filter((row) => row.workload === 'W7' && row.role === 'peer')) {
      const ratio = w7.eventsPerSecond / peer.eventsPerSecond;
      checks.push({
        target: `W7 ${w7.name} ahead of ${peer.name}`,
        figure: `${ratio.toFixed(2)} × (${formatRate(w7.eventsPerSecond)} vs ${formatRate(peer.eventsPerSecond)})`,
        met: ratio > 1,
      });
    }
  }
  const heap = cpu.find((row) => row.role === 'dispenser');
  if (heap) {
    checks.push({
      target: `W7 peak heap growth of dispenser ≤ ${cpuTargets.heapTimes} × capacity × event size`,
      figure:
        `${formatBytes(heap.peakHeap)} = ${heap.ratioToCapacity.toFixed(2)} × ` +
        `(${formatCount(heap.capacity)} × ${heap.eventBytes.toFixed(1)} B = ${formatBytes(heap.capacityBytes)})`,
      met: heap.ratioToCapacity <= cpuTargets.heapTimes,
    });
  }
  return checks;
}

/** W6's targets: ahead of each peer, heap within budget, every stalled subscriber's drop count exact. */
function fanOutTargets(throughput: readonly ThroughputRow[], broadcast: readonly BroadcastRow[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const w6 = throughput.find((row) => row.workload === 'W6' && row.role === 'dispenser');
  if (w6) {
    for (const peer of throughput.filter((row) => row.workload === 'W6' && row.role === 'peer')) {
      const ratio = w6.eventsPerSecond / peer.eventsPerSecond;
      checks.push({
        target: `W6 ${w6.name} ahead of ${peer.name}`,
        figure: `${ratio.toFixed(2)} × (${formatRate(w6.eventsPerSecond)} vs ${formatRate(peer.eventsPerSecond)})`,
        met: ratio > 1,
      });
    }
  }
  const heap = broadcast.find((row) => row.role === 'dispenser');
  if (heap) {
    const { slotBytes, perSubscriberBytes, times } = fanOutHeapBudget;
    checks.push({
      target: `W6 heap growth ≤ ${times} × (capacity × ${slotBytes} B + subscribers × ${perSubscriberBytes} B)`,
      figure:
        `${formatBytes(heap.heapGrowth)} = ${heap.ratioToSharedRing.toFixed(2)} × ` +
        `(${formatCount(heap.capacity)} × ${slotBytes} B + ${formatCount(heap.subscribers)} × ${perSubscriberBytes} B = ${formatBytes(heap.sharedRing)})`,
      met: heap.ratioToSharedRing <= times,
    });
    checks.push({
      target: "W6 every stalled subscriber's drop count exact",
      figure:
        `${formatCount(heap.stalled)} stalled, each ${formatCount(heap.expectedDropped)} dropped and ${formatCount(heap.capacity)} held: ` +
        `exact in ${heap.exactRuns} of ${heap.checkedRuns} runs`,
      met: heap.checkedRuns > 0 && heap.exactRuns === heap.checkedRuns,
    });
  }
  return checks;
}

/** `12.3 M/s`, `456 k/s`. */
export function formatRate(eventsPerSecond: number): string {
  if (eventsPerSecond >= 1e9) return `${(eventsPerSecond / 1e9).toFixed(2)} G/s`;
  if (eventsPerSecond >= 1e6) return `${(eventsPerSecond / 1e6).toFixed(1)} M/s`;
  if (eventsPerSecond >= 1e3) return `${(eventsPerSecond / 1e3).toFixed(1)} k/s`;
  return `${eventsPerSecond.toFixed(0)} /s`;
}

/** `1,000`. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** `312 KB`, `4.81 MB` (1 KB = 1,000 B). */
export function formatBytes(bytes: number): string {
  const size = Math.abs(bytes);
  if (size >= 1e6) return `${(bytes / 1e6).toPrecision(3)} MB`;
  if (size >= 1e3) return `${(bytes / 1e3).toPrecision(3)} KB`;
  return `${bytes.toFixed(0)} B`;
}

/** `98,900`, or `98,800–98,900` when the lowest and highest differ. */
function formatSpan(low: number, high: number): string {
  return low === high ? formatCount(low) : `${formatCount(low)}–${formatCount(high)}`;
}

/** Milliseconds with three significant digits. */
export function formatMs(ms: number): string {
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 1) return `${ms.toPrecision(3)} ms`;
  return `${(ms * 1000).toPrecision(3)} µs`;
}

/** A contender's name as the tables show it: dispenser in bold, references in italics. */
function contenderCell(row: { readonly name: string; readonly role: Role }): string {
  return row.role === 'dispenser' ? `**${row.name}**` : row.role === 'reference' ? `_${row.name}_` : row.name;
}

function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

/** The markdown report of a run (also pasted into the bench README). */
export function markdownReport(results: Results): string {
  const { info } = results;
  const parts: string[] = [];
  parts.push(
    `Profile \`${info.profile}\`, ${info.date}, Node ${info.node}, ${info.platform}, ${info.cpus}. ` +
      `Median of ${info.rounds.runs} timed runs after ${info.rounds.warmup} warm-up rounds ` +
      `(W4 and M1: ${info.heavyRounds.runs} after ${info.heavyRounds.warmup}` +
      (info.fanOutRounds ? `; W6: ${info.fanOutRounds.runs} after ${info.fanOutRounds.warmup}` : '') +
      (info.fanOutHeapRounds ? `, then ${info.fanOutHeapRounds.runs} heap runs` : '') +
      (info.cpuRounds ? `; W7: ${info.cpuRounds.runs} after ${info.cpuRounds.warmup}` : '') +
      (info.cpuHeapRounds ? `, then ${info.cpuHeapRounds.runs} heap runs` : '') +
      (info.redisRounds ? `; W8: ${info.redisRounds.runs} after ${info.redisRounds.warmup}` : '') +
      '); contenders interleaved, order rotated each round.',
  );
  parts.push('### Throughput');
  const perBatch = (row: ThroughputRow): boolean => row.workload === 'W3 rejected';
  parts.push(
    table(
      ['workload', 'contender', 'events/s', '× L', '× best peer', 'median', 'runs (ms)'],
      results.throughput.filter((row) => !perBatch(row)).map((row) => [
        row.workload,
        contenderCell(row),
        formatRate(row.eventsPerSecond),
        row.ratioToLimit === null ? '—' : row.ratioToLimit.toFixed(2),
        row.ratioToBestPeer === null ? '—' : row.ratioToBestPeer.toFixed(2),
        formatMs(row.medianMs),
        row.runsMs.map((ms) => ms.toFixed(1)).join(' '),
      ]),
    ),
  );
  const rejected = results.throughput.filter(perBatch);
  if (rejected.length > 0) {
    parts.push('### W3 drop-newest: time per rejected batch (buffer already full)');
    parts.push(
      table(
        ['contender', 'rejected batches', 'per batch', 'median', 'runs (ms)'],
        rejected.map((row) => {
          const batches = row.extras['batches'] ?? Number.NaN;
          return [
            row.role === 'dispenser' ? `**${row.name}**` : row.name,
            formatCount(batches),
            `${((row.medianMs * 1e6) / batches).toFixed(1)} ns`,
            formatMs(row.medianMs),
            row.runsMs.map((ms) => ms.toFixed(2)).join(' '),
          ];
        }),
      ),
    );
  }
  const latency = results.throughput.filter((row) => row.workload === 'W5' && row.extras['p50Ms'] !== undefined);
  if (latency.length > 0) {
    parts.push('### W5 hand-off latency (append to handler call)');
    parts.push(
      table(
        ['contender', 'p50', 'p99'],
        latency.map((row) => [row.name, formatMs(row.extras['p50Ms'] as number), formatMs(row.extras['p99Ms'] as number)]),
      ),
    );
  }
  const paired = results.throughput.filter((row) => row.ratioToPeer != null);
  if (paired.length > 0) {
    parts.push('### Like for like: each contender against the peer it is held to');
    const p99Of = (row: ThroughputRow | undefined): string => {
      const p99 = row?.extras['p99Ms'];
      return p99 === undefined ? '—' : formatMs(p99);
    };
    parts.push(
      table(
        ['workload', 'contender', 'events/s', 'its peer', 'peer events/s', '× its peer', 'p99', 'peer p99'],
        paired.map((row) => {
          const peer = row.peer == null ? undefined : rowNamed(results.throughput, row.workload, row.peer);
          return [
            row.workload,
            contenderCell(row),
            formatRate(row.eventsPerSecond),
            row.peer ?? '—',
            peer ? formatRate(peer.eventsPerSecond) : '—',
            (row.ratioToPeer as number).toFixed(2),
            p99Of(row),
            p99Of(peer),
          ];
        }),
      ),
    );
  }
  if (results.many.length > 0) {
    parts.push('### W4 many subscribers: one `assignEvents()`');
    const subscriberCounts = [...new Set(results.many.map((row) => row.subscribers))].sort((a, b) => a - b);
    const series = [...new Set(results.many.map((row) => `${row.strategy}|${row.events}`))];
    parts.push(
      table(
        ['strategy', 'events buffered', ...subscriberCounts.map((s) => `S = ${formatCount(s)}`)],
        series.map((key) => {
          const [strategy, events] = key.split('|') as [string, string];
          return [
            strategy,
            formatCount(Number(events)),
            ...subscriberCounts.map((s) => {
              const row = results.many.find((r) => r.strategy === strategy && r.events === Number(events) && r.subscribers === s);
              return row ? formatMs(row.medianMs) : '—';
            }),
          ];
        }),
      ),
    );
  }
  if (results.memory.length > 0) {
    parts.push('### M1 memory: heap growth per buffered small-integer event');
    parts.push(
      table(
        ['contender', 'bytes per event', 'runs'],
        results.memory.map((row) => [
          row.role === 'dispenser' ? `**${row.name}**` : row.name,
          row.bytesPerEvent.toFixed(2),
          row.runs.map((b) => b.toFixed(2)).join(' '),
        ]),
      ),
    );
  }
  if (results.broadcast.length > 0) {
    const first = results.broadcast[0] as BroadcastRow;
    const { slotBytes, perSubscriberBytes } = fanOutHeapBudget;
    parts.push('### W6 broadcast fan-out: heap growth and stalled subscribers');
    parts.push(
      `W6's events/s above are deliveries summed over subscribers. Heap growth: after full GCs, from after the ` +
        `${formatCount(first.subscribers)} subscribers (handlers and tallies) were made to after a run, fan-out still alive; ` +
        `one shared ring = ${formatCount(first.capacity)} × ${slotBytes} B + ${formatCount(first.subscribers)} × ${perSubscriberBytes} B ` +
        `= ${formatBytes(first.sharedRing)}. Each of the ${formatCount(first.stalled)} stalled subscribers must have dropped ` +
        `${formatCount(first.expectedDropped)} and hold ${formatCount(first.capacity)}; \`exact\` counts the runs (timed and heap) where all of them did ` +
        'and nobody else dropped anything.',
    );
    parts.push(
      table(
        ['contender', 'heap growth', '× one shared ring', 'runs (KB)', 'dropped per stalled subscriber', 'held (lag)', 'exact'],
        results.broadcast.map((row) => [
          contenderCell(row),
          formatBytes(row.heapGrowth),
          row.ratioToSharedRing.toFixed(2),
          row.heapRuns.map((bytes) => (bytes / 1e3).toFixed(0)).join(' '),
          formatSpan(row.droppedMin, row.droppedMax),
          formatSpan(row.lagMin, row.lagMax),
          `${row.exactRuns} of ${row.checkedRuns} runs`,
        ]),
      ),
    );
  }
  if (results.cpu.length > 0) parts.push(...cpuSection(results));
  if (results.redis !== undefined) parts.push(...redisSection(results, results.redis));
  if (results.targets.length > 0) {
    parts.push('### Targets');
    parts.push(table(['target', 'this run', 'met'], results.targets.map((t) => [t.target, t.figure, t.met ? 'yes' : '**no**'])));
  }
  return `${parts.join('\n\n')}\n`;
}

/** W7's section: the cost of an event, then each contender's rate, latency and peak heap growth. */
function cpuSection(results: Results): string[] {
  const first = results.cpu[0] as CpuRow;
  const rateOf = (name: string): number | undefined => rowNamed(results.throughput, 'W7', name)?.eventsPerSecond;
  const mainThread = results.throughput.find((row) => row.workload === 'W7' && row.role === 'reference');
  const perEvent = mainThread ? ` The handler costs ${(1e6 / mainThread.eventsPerSecond).toPrecision(3)} µs per event on the main thread (1 / its events/s).` : '';
  return [
    '### W7 CPU-bound: latency and peak heap',
    `W7's events/s are in the throughput table above.${perEvent} Latency: from the hand-over of a sampled event's batch ` +
      '(`write` called, `run` called, or the inline call) to the start of the handler call that held it, on one clock across threads. ' +
      'Peak heap growth: the highest reading (after full GCs) during an untimed run, less the reading once its threads had started; ' +
      `capacity × event size = ${formatCount(first.capacity)} × ${first.eventBytes.toFixed(1)} B = ${formatBytes(first.capacityBytes)} ` +
      `(the heap ${formatCount(first.capacity)} fresh events in an array take).`,
    table(
      ['contender', 'events/s', '× main thread', 'p50', 'p99', 'peak heap growth', '× capacity × event', 'runs (KB)'],
      results.cpu.map((row) => {
        const rate = rateOf(row.name);
        return [
          contenderCell(row),
          rate === undefined ? '—' : formatRate(rate),
          rate === undefined || mainThread === undefined ? '—' : (rate / mainThread.eventsPerSecond).toFixed(2),
          formatMs(row.p50Ms),
          formatMs(row.p99Ms),
          formatBytes(row.peakHeap),
          row.ratioToCapacity.toFixed(2),
          row.heapRuns.map((bytes) => (bytes / 1e3).toFixed(0)).join(' '),
        ];
      }),
    ),
  ];
}

/** W8's section: each contender against the raw floor and BullMQ, then the SIGKILL redelivery times; or why W8 was skipped. */
function redisSection(results: Results, redis: RedisSection): string[] {
  const title = '### W8 across processes on Redis: appended to acked, and SIGKILL redelivery';
  if (redis.skipped !== null) return [title, `W8 was skipped: ${redis.skipped}.`];
  const rows = results.throughput.filter((row) => row.workload === 'W8');
  const floor = rows.find((row) => row.role === 'reference');
  const bullMq = bestPeerOf(results.throughput, 'W8');
  const times = (row: ThroughputRow, other: ThroughputRow | undefined): string => (other ? (row.eventsPerSecond / other.eventsPerSecond).toFixed(2) : '—');
  const parts = [
    title,
    `On ${redis.server ?? 'Redis'}. events/s: events appended (in batches of 100, 4 appends in flight) over the time from the first ` +
      'append to the last event acked, consumers running in the same process on connections of their own.',
    table(
      ['contender', 'events/s', '× raw floor', '× BullMQ', 'median', 'runs (ms)'],
      rows.map((row) => [
        contenderCell(row),
        formatRate(row.eventsPerSecond),
        times(row, floor),
        times(row, bullMq),
        formatMs(row.medianMs),
        row.runsMs.map((ms) => ms.toFixed(0)).join(' '),
      ]),
    ),
  ];
  if (redis.redeliveryMs.length > 0) {
    parts.push(
      `SIGKILL redelivery (default settings): a child process takes a batch of ${formatCount(redis.redeliveredEvents)} and is SIGKILLed unacked; ` +
        'the time until a consumer of the parent, subscribed before the kill, holds all of them with delivery count 2. ' +
        "Timed from the child's exit (the parent's `'exit'` event, which can come after the survivor already has them: figures near 0, " +
        'or slightly negative) and from the kill order (the parent telling the child to kill itself: an upper bound).',
      table(['from', 'median', 'max', 'runs (ms)'], [redeliveryRow("the child's exit", redis.redeliveryMs), redeliveryRow('the kill order', redis.redeliveryFromKillMs)]),
    );
  }
  return parts;
}

/** A row of the SIGKILL table: median, max and every run, in whole milliseconds (they can be slightly negative). */
function redeliveryRow(from: string, runs: readonly number[]): string[] {
  const { medianMs, maxMs } = spread(runs);
  return [from, `${medianMs.toFixed(0)} ms`, `${maxMs.toFixed(0)} ms`, runs.map((ms) => ms.toFixed(0)).join(' ')];
}

const startMarker = '<!-- results:start -->';
const endMarker = '<!-- results:end -->';

/**
 * `readme` with the text between its results markers replaced by `report`.
 *
 * @throws Error when the markers are missing or out of order
 */
export function replaceResults(readme: string, report: string): string {
  const start = readme.indexOf(startMarker);
  const end = readme.indexOf(endMarker);
  if (start < 0 || end < start) throw new Error(`the README has no ${startMarker} … ${endMarker} block`);
  return `${readme.slice(0, start + startMarker.length)}\n${report.trim()}\n${readme.slice(end)}`;
}
