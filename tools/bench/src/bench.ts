// Runs a profile of the suite and writes the results (markdown, JSON, W4 chart) to a directory.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { logLogChart } from './chart';
import type { Series } from './chart';
import { measureGrowth, measureHeap, measurePeakGrowth, timeInterleaved } from './harness';
import { broadcastRows, checkTargets, cpuRows, formatCount, markdownReport, throughputRows } from './report';
import type { BroadcastRow, CpuRow, ManyRow, MemoryRow, RedisSection, Results, RunInfo } from './report';
import { runRedisBench } from './redis-bench';
import { suite } from './suite';
import type { Profile } from './workloads/profile';

/** Options of {@link runBench}. */
export interface BenchOptions {
  readonly profile: Profile;
  /** Directory the results are written to (created if missing). */
  readonly outDir: string;
  /**
   * Workload ids to run (`L`, `W1`…`W8`, `M1`); all when absent. `L` and `W1` always run together.
   * W8 runs only when the profile has it and Redis can be had (else it is skipped, with a log line).
   */
  readonly only?: readonly string[];
  /** Progress lines. */
  readonly log?: (line: string) => void;
}

/** Names of the files {@link runBench} writes. */
export const resultFiles = { markdown: 'results.md', json: 'results.json', chart: 'w4.svg' } as const;

function wanted(only: readonly string[] | undefined, id: string): boolean {
  if (only === undefined || only.length === 0) return true;
  const base = id.split(' ')[0] as string;
  return only.includes(base) || (base === 'W1' && only.includes('L'));
}

/** The W4 chart: one line per strategy and buffered event count. */
export function manyChart(rows: readonly ManyRow[]): string {
  const series: Series[] = [];
  for (const key of new Set(rows.map((row) => `${row.strategy}|${row.events}`))) {
    const [strategy, events] = key.split('|') as [string, string];
    series.push({
      label: `${strategy}, ${formatCount(Number(events))} events`,
      points: rows.filter((row) => row.strategy === strategy && row.events === Number(events)).map((row) => [row.subscribers, row.medianMs] as const),
    });
  }
  return logLogChart(series, {
    title: 'W4: one assignEvents() against subscriber count',
    xLabel: 'subscribers with demand (log)',
    yLabel: 'ms per assignEvents() (log)',
  });
}

/** Runs the suite at the sizes of `options.profile` and writes the results; returns them. */
export async function runBench(options: BenchOptions): Promise<Results> {
  const { profile, outDir, only } = options;
  const log = options.log ?? ((_line: string) => undefined);
  const { timed, many, memory } = suite(profile);

  const measured: Array<{ id: string; events: number; timings: Awaited<ReturnType<typeof timeInterleaved>> }> = [];
  const broadcast: BroadcastRow[] = [];
  let fanOutRounds: Pick<RunInfo, 'fanOutRounds' | 'fanOutHeapRounds'> = {};
  const cpu: CpuRow[] = [];
  let cpuRounds: Pick<RunInfo, 'cpuRounds' | 'cpuHeapRounds'> = {};
  for (const workload of timed) {
    if (!wanted(only, workload.id)) continue;
    log(`${workload.id}: ${workload.title}, ${workload.contenders.length} contenders…`);
    const timings = await timeInterleaved(workload.contenders, workload.rounds ?? profile.rounds);
    measured.push({ id: workload.id, events: workload.events, timings });
    const heap = workload.heap;
    if (heap !== undefined) {
      log(`${workload.id}: heap growth, ${heap.probes.length} contenders…`);
      const samples = await measureGrowth(heap.probes, heap.rounds);
      broadcast.push(...broadcastRows(heap, timings, samples));
      fanOutRounds = { fanOutRounds: workload.rounds ?? profile.rounds, fanOutHeapRounds: heap.rounds };
    }
    const peak = workload.peakHeap;
    if (peak !== undefined) {
      log(`${workload.id}: peak heap, ${peak.probes.length} contenders…`);
      const samples = await measurePeakGrowth(peak.probes, peak.rounds);
      const [unit] = await measureGrowth([peak.unit], peak.rounds);
      if (unit !== undefined) cpu.push(...cpuRows(peak.capacity, timings, samples, unit));
      cpuRounds = { cpuRounds: workload.rounds ?? profile.rounds, cpuHeapRounds: peak.rounds };
    }
  }

  let redis: RedisSection | undefined;
  let redisRounds: Pick<RunInfo, 'redisRounds'> = {};
  if (wanted(only, 'W8')) {
    const run = await runRedisBench(profile, log);
    redis = run.section;
    if (run.measured !== undefined) {
      measured.push(run.measured);
      if (profile.redis !== undefined) redisRounds = { redisRounds: profile.redis.rounds };
    }
  }

  const manyRows: ManyRow[] = [];
  if (wanted(only, 'W4')) {
    log(`W4: many subscribers, ${many.length} cases…`);
    // One case after the other (W4 has no peers to interleave with): each case is measured
    // warm, after its own warm-up runs. Interleaving the twelve cases made single calls swing
    // between 0.7 and 16 ms as the strategies' code went cold between them.
    for (const item of many) {
      const [timing] = await timeInterleaved([item.contender], profile.heavyRounds);
      if (timing === undefined) continue;
      manyRows.push({ strategy: item.strategy, subscribers: item.subscribers, events: item.events, medianMs: timing.median, runsMs: timing.runs });
    }
  }

  const memoryRows: MemoryRow[] = [];
  if (wanted(only, 'M1')) {
    log(`M1: memory, ${memory.length} contenders…`);
    for (const sample of measureHeap(memory, profile.heavyRounds)) {
      memoryRows.push({ name: sample.name, role: sample.role, bytesPerEvent: sample.median, runs: sample.runs });
    }
  }

  const throughput = throughputRows(measured);
  const cpuList = cpus();
  const results: Results = {
    info: {
      profile: profile.name,
      date: new Date().toISOString().slice(0, 10),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpus: `${availableParallelism()} × ${cpuList[0]?.model.trim() ?? 'unknown CPU'}`,
      rounds: profile.rounds,
      heavyRounds: profile.heavyRounds,
      ...fanOutRounds,
      ...cpuRounds,
      ...redisRounds,
    },
    throughput,
    many: manyRows,
    memory: memoryRows,
    broadcast,
    cpu,
    ...(redis === undefined ? {} : { redis }),
    targets: checkTargets(throughput, manyRows, memoryRows, broadcast, cpu, redis),
  };

  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, resultFiles.markdown), markdownReport(results));
  writeFileSync(join(outDir, resultFiles.json), `${JSON.stringify(results, null, 2)}\n`);
  if (manyRows.length > 0) writeFileSync(join(outDir, resultFiles.chart), manyChart(manyRows));
  return results;
}
