// W8's pure parts: its events, books and producer, its targets and section of the report, and its skip (no Redis needed).
import { describe, expect, it } from 'vitest';
import type { Role, Timing } from './harness';
import { runRedisBench } from './redis-bench';
import type { RedisSection, Results } from './report';
import { checkTargets, markdownReport, throughputRows } from './report';
import { tinyProfile } from './workloads/profile';
import { Tally, produce, redeliverySummary, redisBatches, redisEvent } from './workloads/redis-events';

describe('W8 events', () => {
  it('JSON-encode to about 100 bytes, and are cut into batches in order', () => {
    for (const i of [0, 7, 99_999, 199_999, 999_999]) {
      const length = JSON.stringify(redisEvent(i)).length;
      expect(length, `event ${i}`).toBeGreaterThanOrEqual(95);
      expect(length, `event ${i}`).toBeLessThanOrEqual(100);
    }
    const batches = redisBatches(1_050, 100);
    expect(batches.map((batch) => batch.length)).toEqual([...Array.from({ length: 10 }, () => 100), 50]);
    expect(batches.flat().map((event) => event.i)).toEqual(Array.from({ length: 1_050 }, (_, i) => i));
    expect(redisBatches(1_050, 100)).toBe(batches);
  });
});

describe('Tally', () => {
  it('passes when every event came exactly once, and says what is off otherwise', () => {
    const tally = new Tally(3);
    for (const i of [2, 0, 1]) tally.record(i);
    expect(() => tally.check()).not.toThrow();
    const again = new Tally(3);
    for (const i of [0, 1, 1]) again.record(i);
    expect(() => again.check()).toThrow('1 never, 1 more than once, 3 received of 3 (the first: event 1, 2 times)');
    const stray = new Tally(2);
    for (const i of [0, 1, 5]) stray.record(i);
    expect(() => stray.check()).toThrow('3 received of 2');
  });
});

describe('produce', () => {
  it('appends every batch once, with at most `lanes` appends in flight', async () => {
    const batches = redisBatches(1_000, 100);
    const seen: number[] = [];
    let inFlight = 0;
    let most = 0;
    await produce(batches, 4, async (batch) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      seen.push(batch[0]?.i ?? -1);
      inFlight -= 1;
    });
    expect(most).toBe(4);
    expect([...seen].sort((a, b) => a - b)).toEqual(batches.map((batch) => batch[0]?.i));
  });
});

describe('redeliverySummary', () => {
  it('gives the median and the largest run', () => {
    expect(redeliverySummary([240, -1, 158, 300, 90])).toEqual({ medianMs: 158, maxMs: 300 });
    expect(redeliverySummary([100, 200])).toEqual({ medianMs: 150, maxMs: 200 });
  });
});

const w8Dispenser = 'dispenser RedisBuffer (4 subscriptions, maxDemand 100)';
const w8Floor = 'raw floor: node-redis pipelined XADD, XREADGROUP COUNT 100 + XACK (4 consumers)';
const w8Bull = 'bullmq 6.7.0 addBulk + Worker (concurrency 100, no-op processor)';

function timing(name: string, role: Role, ms: number): Timing {
  return { name, role, events: undefined, peer: undefined, runs: [ms, ms, ms], median: ms, extras: {}, extraRuns: {} };
}

/** 200,000 events: dispenser 3 s (66.7 k/s), the floor 2 s (100 k/s), BullMQ 20 s (10 k/s). */
function w8Rows(dispenserMs = 3_000) {
  return throughputRows([
    { id: 'W8', events: 200_000, timings: [timing(w8Dispenser, 'dispenser', dispenserMs), timing(w8Floor, 'reference', 2_000), timing(w8Bull, 'peer', 20_000)] },
  ]);
}

const section: RedisSection = {
  server: 'redis-server 7.0.15 started by the bench',
  skipped: null,
  redeliveryMs: [158, -1, 240, 201, 230],
  redeliveryFromKillMs: [173, 17, 257, 219, 246],
  redeliveredEvents: 100,
};

describe('W8 targets and report', () => {
  it('checks RedisBuffer against the floor and BullMQ, and the SIGKILL redelivery time', () => {
    const w8 = checkTargets(w8Rows(), [], [], [], [], section).filter((t) => t.target.startsWith('W8'));
    expect(w8).toEqual([
      { target: `W8 ${w8Dispenser} ≥ 0.6 × ${w8Floor}`, figure: '0.67 × (66.7 k/s vs 100.0 k/s)', met: true },
      { target: `W8 ${w8Dispenser} ≥ 3 × ${w8Bull}`, figure: '6.67 × (66.7 k/s vs 10.0 k/s)', met: true },
      {
        target: "W8 redelivery after a consumer's SIGKILL ≤ 1000 ms (default settings, every run)",
        figure: 'median 201 ms, max 240 ms after the exit (max 257 ms after the kill order) over 5 kills',
        met: true,
      },
    ]);
    const slow = checkTargets(w8Rows(5_000), [], [], [], [], { ...section, redeliveryFromKillMs: [173, 17, 1_257, 219, 246] });
    expect(slow.filter((t) => t.target.startsWith('W8')).map((t) => t.met)).toEqual([false, true, false]);
    expect(checkTargets(w8Rows(), [], []).filter((t) => t.target.startsWith('W8'))).toHaveLength(2);
  });

  it('shows the W8 table and the SIGKILL runs, or why W8 was skipped', () => {
    const throughput = w8Rows();
    const results: Results = {
      info: { profile: 'fake', date: '2026-01-01', node: 'v20', platform: 'linux x64', cpus: '2 × test', rounds: { warmup: 0, runs: 3 }, heavyRounds: { warmup: 0, runs: 3 } },
      throughput,
      many: [],
      memory: [],
      broadcast: [],
      cpu: [],
      redis: section,
      targets: checkTargets(throughput, [], [], [], [], section),
    };
    const markdown = markdownReport(results);
    expect(markdown).toContain('### W8 across processes on Redis');
    expect(markdown).toContain(`| **${w8Dispenser}** | 66.7 k/s | 0.67 | 6.67 | 3000 ms | 3000 3000 3000 |`);
    expect(markdown).toContain(`| _${w8Floor}_ | 100.0 k/s | 1.00 | 10.00 |`);
    expect(markdown).toContain("| the child's exit | 201 ms | 240 ms | 158 -1 240 201 230 |");
    expect(markdown).toContain('| the kill order | 219 ms | 257 ms | 173 17 257 219 246 |');
    const skipped = markdownReport({ ...results, throughput: [], redis: { ...section, server: null, skipped: 'no redis-server on the PATH' }, targets: [] });
    expect(skipped).toContain('W8 was skipped: no redis-server on the PATH.');
  });

  it('is skipped, without looking for Redis, on a profile without W8', async () => {
    const lines: string[] = [];
    const run = await runRedisBench(tinyProfile, (line) => lines.push(line));
    expect(run.measured).toBeUndefined();
    expect(run.section.skipped).toContain('not part of the tiny profile');
    expect(lines).toEqual([`W8: skipped: ${run.section.skipped}`]);
  });
});
