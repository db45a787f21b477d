import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultFiles, runBench } from './bench';
import type { Results } from './report';
import { replaceResults } from './report';
import { suite } from './suite';
import { tinyProfile } from './workloads/profile';

describe('runBench', () => {
  let outDir: string;
  let results: Results;
  let fromDisk: Results;

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'dispenser-bench-'));
    results = await runBench({ profile: tinyProfile, outDir });
    fromDisk = JSON.parse(readFileSync(join(outDir, resultFiles.json), 'utf8')) as Results;
  }, 60_000);

  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('writes the markdown table, the JSON file and the W4 chart', () => {
    expect(fromDisk).toEqual(JSON.parse(JSON.stringify(results)));
    const markdown = readFileSync(join(outDir, resultFiles.markdown), 'utf8');
    expect(markdown).toContain('| L | raw ring (L) |');
    expect(markdown).toContain('### Targets');
    const svg = readFileSync(join(outDir, resultFiles.chart), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('<polyline');
  });

  it('reports every workload with finite rates and ratios to L', () => {
    const workloads = new Set(fromDisk.throughput.map((row) => row.workload));
    expect([...workloads]).toEqual(['L', 'W1', 'W2', 'W3 drop-newest', 'W3 rejected', 'W3 drop-oldest', 'W5', 'W6', 'W7']);
    const ownRounds: Record<string, number> = { W6: tinyProfile.broadcast.rounds.runs, W7: tinyProfile.cpu.rounds.runs };
    for (const row of fromDisk.throughput) {
      expect(row.eventsPerSecond, row.name).toBeGreaterThan(0);
      expect(Number.isFinite(row.eventsPerSecond), row.name).toBe(true);
      expect(row.runsMs, row.name).toHaveLength(ownRounds[row.workload] ?? tinyProfile.rounds.runs);
      expect(row.ratioToLimit, row.name).toBeGreaterThan(0);
    }
    expect(fromDisk.throughput.find((row) => row.workload === 'L')?.ratioToLimit).toBe(1);
  });

  it('reports hand-off latency percentiles for W5', () => {
    const w5 = fromDisk.throughput.filter((row) => row.workload === 'W5');
    expect(w5.length).toBeGreaterThanOrEqual(3);
    for (const row of w5) {
      const { p50Ms, p99Ms } = row.extras as { p50Ms: number; p99Ms: number };
      expect(p50Ms, row.name).toBeGreaterThanOrEqual(0);
      expect(p99Ms, row.name).toBeGreaterThanOrEqual(p50Ms);
    }
  });

  it('runs two Effect peers in W5 and holds each dispenser server to its own', () => {
    const w5 = fromDisk.throughput.filter((row) => row.workload === 'W5');
    const effect100 = 'effect 4.1.0 Queue.sliding + takeBetween(1, 100) fibers';
    const effect10 = 'effect 4.1.0 Queue.sliding + takeBetween(1, 10) fibers';
    expect(w5.filter((row) => row.role === 'peer').map((row) => row.name)).toEqual([effect100, effect10]);
    const peerOf = (name: string): string | null | undefined => w5.find((row) => row.name.startsWith(name))?.peer;
    expect(peerOf('dispenser BufferServer (even)')).toBe(effect10);
    expect(peerOf('dispenser BufferServer (greedy)')).toBe(effect100);
    expect(peerOf('dispenser BatchingBufferServer (even, 100, 5 ms)')).toBe(effect100);
    for (const row of w5) {
      if (row.role === 'dispenser') expect(row.ratioToPeer, row.name).toBeGreaterThan(0);
      else expect(row.ratioToPeer, row.name).toBeNull();
    }
  });

  it('checks the four W5 targets and no other W5 target', () => {
    const w5 = fromDisk.targets.filter((t) => t.target.startsWith('W5')).map((t) => t.target);
    expect(w5).toEqual([
      'W5 dispenser BufferServer (even) ≥ 1.2 × effect 4.1.0 Queue.sliding + takeBetween(1, 10) fibers',
      'W5 dispenser BufferServer (greedy) ≥ 1.5 × effect 4.1.0 Queue.sliding + takeBetween(1, 100) fibers',
      'W5 dispenser BatchingBufferServer (even, 100, 5 ms) ≥ 1.2 × effect 4.1.0 Queue.sliding + takeBetween(1, 100) fibers',
      'W5 p99 hand-off latency of dispenser BufferServer (even) ≤ that of effect 4.1.0 Queue.sliding + takeBetween(1, 10) fibers',
    ]);
    expect(fromDisk.targets.filter((t) => t.target.startsWith('W2'))).toHaveLength(2);
  });

  it('runs W6 with dispenser against Effect and RxJS, and measures their heap growth', () => {
    const w6 = fromDisk.throughput.filter((row) => row.workload === 'W6');
    expect(w6.map((row) => row.role)).toEqual(['dispenser', 'peer', 'peer']);
    expect(w6.map((row) => row.name)).toEqual([
      "dispenser BroadcastServer ('drop-oldest')",
      'effect 4.1.0 PubSub.sliding, a takeBetween(1, 100) fiber per subscriber',
      'rxjs 7.8.2 Subject, a hand-written drop-oldest buffer per subscriber',
    ]);
    const { subscribers, stalled, events, demand, capacity, rounds, heapRounds } = tinyProfile.broadcast;
    for (const row of w6) {
      expect(row.events, row.name).toBe((subscribers - stalled) * events + stalled * demand);
      expect(row.runsMs, row.name).toHaveLength(rounds.runs);
    }
    expect(fromDisk.broadcast.map((row) => row.name)).toEqual(w6.map((row) => row.name));
    for (const row of fromDisk.broadcast) {
      expect(row.heapRuns, row.name).toHaveLength(heapRounds.runs);
      expect(Number.isFinite(row.heapGrowth), row.name).toBe(true);
      expect(row.sharedRing, row.name).toBe(capacity * 8 + subscribers * 200);
      // Every run's stalled books are exact: each stalled subscriber dropped events − demand − capacity and holds capacity.
      expect([row.droppedMin, row.droppedMax, row.lagMin, row.lagMax], row.name).toEqual([
        events - demand - capacity,
        events - demand - capacity,
        capacity,
        capacity,
      ]);
      expect(row.checkedRuns, row.name).toBe(rounds.runs + heapRounds.runs);
      expect(row.exactRuns, row.name).toBe(row.checkedRuns);
    }
    expect(fromDisk.info.fanOutRounds).toEqual(rounds);
    expect(fromDisk.info.fanOutHeapRounds).toEqual(heapRounds);
  });

  it('checks the four W6 targets, and reports the W6 table', () => {
    const w6 = fromDisk.targets.filter((t) => t.target.startsWith('W6')).map((t) => t.target);
    expect(w6).toEqual([
      "W6 dispenser BroadcastServer ('drop-oldest') ahead of effect 4.1.0 PubSub.sliding, a takeBetween(1, 100) fiber per subscriber",
      "W6 dispenser BroadcastServer ('drop-oldest') ahead of rxjs 7.8.2 Subject, a hand-written drop-oldest buffer per subscriber",
      'W6 heap growth ≤ 2 × (capacity × 8 B + subscribers × 200 B)',
      "W6 every stalled subscriber's drop count exact",
    ]);
    expect(fromDisk.targets.find((t) => t.target.includes('drop count exact'))?.met).toBe(true);
    const markdown = readFileSync(join(outDir, resultFiles.markdown), 'utf8');
    expect(markdown).toContain('### W6 broadcast fan-out: heap growth and stalled subscribers');
    expect(markdown).toContain("| W6 | **dispenser BroadcastServer ('drop-oldest')** |");
  });

  it('runs W7 with dispenser against piscina and the main thread, with latency and peak heap for each', () => {
    const w7 = fromDisk.throughput.filter((row) => row.workload === 'W7');
    expect(w7.map((row) => row.role)).toEqual(['dispenser', 'peer', 'reference']);
    expect(w7[0]?.name).toBe('dispenser BufferServer + WorkerPool (2 workers, maxDemand 200)');
    expect(w7[1]?.name).toMatch(/^piscina 5\.\d+\.\d+ run\(\) per batch of 100 \(2 threads\)$/);
    expect(w7[2]?.name).toBe('main thread: the handler inline, batches of 100');
    const { events, capacity, rounds, heapRounds } = tinyProfile.cpu;
    for (const row of w7) expect(row.events, row.name).toBe(events);
    expect(fromDisk.cpu.map((row) => row.name)).toEqual(w7.map((row) => row.name));
    for (const row of fromDisk.cpu) {
      expect(row.p50Ms, row.name).toBeGreaterThanOrEqual(0);
      expect(row.p99Ms, row.name).toBeGreaterThanOrEqual(row.p50Ms);
      expect(row.heapRuns, row.name).toHaveLength(heapRounds.runs);
      expect(Number.isFinite(row.peakHeap), row.name).toBe(true);
      expect(row.capacity, row.name).toBe(capacity);
      // A fresh `{ i }` and the pointer holding it: 20–60 B with or without pointer compression.
      expect(row.eventBytes, row.name).toBeGreaterThan(20);
      expect(row.eventBytes, row.name).toBeLessThan(60);
    }
    expect(fromDisk.info.cpuRounds).toEqual(rounds);
    expect(fromDisk.info.cpuHeapRounds).toEqual(heapRounds);
  });

  it('checks the three W7 targets, and reports the W7 table', () => {
    const w7 = fromDisk.targets.filter((t) => t.target.startsWith('W7')).map((t) => t.target.replace(/piscina 5\.\d+\.\d+/, 'piscina 5'));
    expect(w7).toEqual([
      'W7 dispenser BufferServer + WorkerPool (2 workers, maxDemand 200) ≥ 1.6 × main thread: the handler inline, batches of 100',
      'W7 dispenser BufferServer + WorkerPool (2 workers, maxDemand 200) ahead of piscina 5 run() per batch of 100 (2 threads)',
      'W7 peak heap growth of dispenser ≤ 2 × capacity × event size',
    ]);
    const markdown = readFileSync(join(outDir, resultFiles.markdown), 'utf8');
    expect(markdown).toContain('### W7 CPU-bound: latency and peak heap');
    expect(markdown).toContain('| W7 | **dispenser BufferServer + WorkerPool (2 workers, maxDemand 200)** |');
  });

  it('times W4 for each strategy, event count and subscriber count', () => {
    const { subscribers, events } = tinyProfile.many;
    expect(fromDisk.many).toHaveLength(2 * subscribers.length * events.length);
    for (const row of fromDisk.many) expect(row.medianMs).toBeGreaterThan(0);
  });

  it('measures M1 for dispenser and the peers', () => {
    expect(fromDisk.memory.map((row) => row.role)).toContain('dispenser');
    for (const row of fromDisk.memory) expect(Number.isFinite(row.bytesPerEvent)).toBe(true);
  });
});

/** Threads of this process (Linux), or undefined where `/proc` does not list them. */
function threadCount(): number | undefined {
  return existsSync('/proc/self/task') ? readdirSync('/proc/self/task').length : undefined;
}

describe('suite', () => {
  it('has books that fail before a run and balance after it, and leaves no thread running', async () => {
    const { timed, many } = suite(tinyProfile);
    const contenders = [...timed.flatMap((workload) => workload.contenders), ...many.map((item) => item.contender)];
    expect(contenders.length).toBeGreaterThan(20);
    const threads = threadCount();
    for (const contender of contenders) {
      const idle = await contender.prepare();
      expect(() => idle.check(), contender.name).toThrow();
      await idle.release?.();
      const trial = await contender.prepare();
      await trial.run();
      expect(() => trial.check(), contender.name).not.toThrow();
      await trial.release?.();
      expect(threadCount(), `threads after ${contender.name}`).toBe(threads);
    }
  }, 30_000);
});

describe('replaceResults', () => {
  it('replaces what is between the results markers and keeps the rest', () => {
    const readme = 'intro\n<!-- results:start -->\nold table\n<!-- results:end -->\noutro\n';
    expect(replaceResults(readme, '| new |\n')).toBe('intro\n<!-- results:start -->\n| new |\n<!-- results:end -->\noutro\n');
  });

  it('refuses a README without the markers', () => {
    expect(() => replaceResults('no markers', 'x')).toThrow('<!-- results:start -->');
  });

  it('finds the markers in the bench README', () => {
    const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
    expect(replaceResults(readme, 'x')).toContain('<!-- results:start -->\nx\n<!-- results:end -->');
  });
});

describe('main', () => {
  it('prints the usage and exits with 2 on an unknown flag', () => {
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const child = spawnSync(process.execPath, ['--conditions=@dispenser/source', '--import', 'tsx', main, '--bogus'], { encoding: 'utf8' });
    expect(child.status).toBe(2);
    expect(child.stderr).toContain("Unknown option '--bogus'");
    expect(child.stderr).toContain('Usage: npm run bench');
    expect(existsSync(main)).toBe(true);
  });
});
