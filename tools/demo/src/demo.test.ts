import { ManualClock } from '@dispenser/testing-utils';
import { describe, expect, it } from 'vitest';
import type { Snapshot, Summary } from './demo';
import { checkBooks, checkPool, runDemo, workerSpecs } from './demo';
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

describe('runDemo with --workers', () => {
  it('serves the events with worker threads, replaces a thread a poison event took down, and closes the pool cleanly', async () => {
    const controller = new AbortController();
    const snapshots: Snapshot[] = [];
    // Real threads on the real clock: the run stops itself once a replacement thread has finished
    // events (or after 20 s, which the assertions below would catch).
    const summary = await runDemo(
      { ...defaults, batch: false, help: false, workers: 2, duration: 20, capacity: 2_000 },
      {
        every: 50,
        signal: controller.signal,
        poisonEvery: 400,
        onSnapshot: (s) => {
          snapshots.push(s);
          if (s.workers.some((w) => !['worker-1', 'worker-2'].includes(w.name) && w.processed > 0)) controller.abort();
        },
      },
    );
    const { last, metrics } = summary;
    const pool = last.pool as NonNullable<Snapshot['pool']>;

    expect(summary.balanced).toBe(true);
    expect(summary.poolBalanced).toBe(true);
    // The books: every appended event was delivered, dropped or is still buffered; none failed.
    const delivered = last.workers.reduce((sum, w) => sum + w.delivered, 0);
    expect(last.appended).toBe(delivered + last.dropped + last.buffered);
    expect(metrics).toEqual({ appended: last.appended, dropped: last.dropped, delivered, failed: 0 });

    // The pool closed: no thread up or busy, and its counts are the workers' own.
    expect(pool.stats.workers).toBe(0);
    expect(pool.stats.busy).toBe(0);
    expect(pool.stats.restarts).toBeGreaterThanOrEqual(1);
    expect(pool.metrics.sent).toBe(pool.metrics.processed + pool.metrics.failed);
    expect(pool.metrics.processed).toBe(delivered);
    expect(pool.metrics.uncloneable).toBe(0);
    expect(pool.gaveUp).toBe(false);
    expect(pool.poisoned).toBeGreaterThanOrEqual(1);

    // Each thread that went down threw on a poison event; what it held went back to the buffer.
    const names = last.workers.map((w) => w.name);
    expect(names.slice(0, 2)).toEqual(['worker-1', 'worker-2']);
    for (const name of names) expect(name).toMatch(/^worker-\d+$/);
    const threw = last.workers.filter((w) => w.state === 'threw');
    expect(threw.length).toBe(pool.downs);
    expect(pool.downs).toBeGreaterThanOrEqual(pool.stats.restarts);
    expect(last.workers.filter((w) => w.state !== 'threw').every((w) => w.state === 'closed')).toBe(true);
    expect(threw.every((w) => (w.failed ?? 0) > 0)).toBe(true);
    expect(threw.reduce((sum, w) => sum + (w.failed ?? 0), 0)).toBe(pool.metrics.failed);
    expect(pool.lastError).toMatch(/^worker \d+ went down: its handler failed: event \d+ is poison \(it fails once\)$/);
    for (const w of last.workers) expect(w.delivered).toBe(w.processed);

    // While it ran, snapshots showed the threads up and the pool's figures.
    expect(snapshots.some((s) => s.pool?.stats.workers === 2 && s.workers.filter((w) => w.state === 'up').length === 2)).toBe(true);
  }, 40_000);
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

describe('checkPool', () => {
  const pool = {
    size: 2,
    stats: { workers: 0, busy: 0, restarts: 1 },
    metrics: { sent: 110, processed: 100, failed: 10, uncloneable: 0 },
    poisonEvery: 2_000,
    poisoned: 1,
    downs: 1,
    lastError: undefined,
    gaveUp: false,
  };
  const threads = [
    { name: 'worker-1', speed: 1, delivered: 60, processed: 60, rate: 0, failed: 0, state: 'closed' },
    { name: 'worker-2', speed: 1, delivered: 40, processed: 40, rate: 0, failed: 10, state: 'threw' },
  ];

  it('accepts a closed pool whose counts are the sums of its workers\'', () => {
    expect(checkPool(pool, threads)).toBe(true);
  });

  it('refuses a thread still up, a count that does not add up, or a worker still holding events', () => {
    expect(checkPool({ ...pool, stats: { workers: 1, busy: 0, restarts: 1 } }, threads)).toBe(false);
    expect(checkPool({ ...pool, metrics: { ...pool.metrics, sent: 111 } }, threads)).toBe(false);
    expect(checkPool(pool, [{ ...threads[0]!, failed: 1 }, threads[1]!])).toBe(false);
    expect(checkPool(pool, [{ ...threads[0]!, delivered: 61 }, threads[1]!])).toBe(false);
  });
});
