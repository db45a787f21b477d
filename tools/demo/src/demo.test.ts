import { ManualClock } from '@dispenser/testing-utils';
import { describe, expect, it } from 'vitest';
import type { Snapshot, Summary } from './demo';
import { checkBooks, runDemo, workerSpecs } from './demo';
import type { DemoOptions, StrategyName } from './options';
import { defaults, strategyNames } from './options';

async function simulate(options: Partial<DemoOptions>): Promise<{ summary: Summary; snapshots: Snapshot[] }> {
  const clock = new ManualClock();
  const snapshots: Snapshot[] = [];
  const run = runDemo({ ...defaults, batch: false, help: false, ...options }, { every: 1_000, clock, onSnapshot: (s) => snapshots.push(s) });
  const duration = (options.duration ?? defaults.duration) * 1_000;
  await clock.advanceAsync(duration + 100);
  return { summary: await run, snapshots };
}

describe('runDemo', () => {
  it.each(strategyNames.flatMap((strategy) => [[strategy, false] as const, [strategy, true] as const]))(
    'balances its books with --strategy %s (batch: %s)',
    async (strategy: StrategyName, batch: boolean) => {
      const { summary } = await simulate({ strategy, batch, duration: 5, capacity: 2_000, drop: 'oldest' });
      expect(summary.balanced).toBe(true);
      expect(summary.books.length).toBe(strategy === 'broadcast' ? workerSpecs.length : 1);
      expect(summary.last.appended).toBeGreaterThan(10_000);
      expect(summary.metrics.appended).toBe(summary.last.appended);
      expect(summary.metrics.dropped).toBe(summary.last.dropped);
    },
  );

  it('overloads during bursts, drops what does not fit, and reports once a second', async () => {
    const { summary, snapshots } = await simulate({ duration: 10, capacity: 1_000 });
    expect(snapshots.map((s) => Math.round(s.elapsed / 1_000))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(snapshots.some((s) => s.mode === 'overloaded' && s.buffered === 1_000)).toBe(true);
    expect(summary.last.dropped).toBeGreaterThan(0);
    for (const s of snapshots) expect(s.buffered).toBeLessThanOrEqual(1_000);
  });

  it('serves faster subscribers more with a split strategy', async () => {
    const { summary } = await simulate({ strategy: 'greedy', duration: 10 });
    const delivered = summary.last.workers.map((w) => w.delivered);
    expect(delivered).toEqual([...delivered].sort((a, b) => b - a));
    const [fast, , , sluggish] = delivered as [number, number, number, number];
    expect(fast).toBeGreaterThan(sluggish * 4);
  });

  it('gives every subscriber the same events with broadcast', async () => {
    const { summary } = await simulate({ strategy: 'broadcast', duration: 3 });
    const delivered = new Set(summary.last.workers.map((w) => w.delivered));
    expect(delivered.size).toBe(1);
  });

  it('replays the same run for the same seed', async () => {
    const first = await simulate({ seed: 99, duration: 3, strategy: 'even' });
    const again = await simulate({ seed: 99, duration: 3, strategy: 'even' });
    const other = await simulate({ seed: 100, duration: 3, strategy: 'even' });
    expect(again.summary).toEqual(first.summary);
    expect(other.summary.last.appended).not.toBe(first.summary.last.appended);
  });

  it('stops early when its signal aborts', async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const run = runDemo(
      { ...defaults, batch: false, help: false },
      { every: 1_000, clock, signal: controller.signal, onSnapshot: () => undefined },
    );
    await clock.advanceAsync(1_500);
    controller.abort();
    await clock.advanceAsync(100);
    const summary = await run;
    expect(summary.last.elapsed).toBeLessThan(2_000);
    expect(summary.balanced).toBe(true);
  });
});

describe('checkBooks', () => {
  const workers = [
    { name: 'a', speed: 1, delivered: 6, processed: 6, rate: 0 },
    { name: 'b', speed: 1, delivered: 4, processed: 4, rate: 0 },
  ];

  it('sums the subscribers when each event goes to one of them', () => {
    expect(checkBooks({ strategy: 'even' }, { appended: 15, dropped: 3, buffered: 2, workers })).toEqual([
      { worker: undefined, appended: 15, delivered: 10, dropped: 3, buffered: 2, balanced: true },
    ]);
    expect(checkBooks({ strategy: 'partition' }, { appended: 16, dropped: 3, buffered: 2, workers })[0]?.balanced).toBe(false);
  });

  it('checks each subscriber on its own for broadcast', () => {
    const lines = checkBooks({ strategy: 'broadcast' }, { appended: 10, dropped: 2, buffered: 2, workers });
    expect(lines.map((line) => [line.worker, line.balanced])).toEqual([
      ['a', true],
      ['b', false],
    ]);
  });
});
