import { describe, expect, it } from 'vitest';
import type { Contender, GrowthProbe, MemoryContender } from './harness';
import { measureGrowth, measureHeap, measurePeakGrowth, median, quantile, rotation, timeInterleaved } from './harness';

function recorder(name: string, log: string[], options: { failOn?: number; extra?: () => number } = {}): Contender {
  let runs = 0;
  return {
    name,
    role: 'peer',
    prepare() {
      const run = ++runs;
      return {
        run: () => log.push(name),
        check() {
          if (run === options.failOn) throw new Error('3 appended, 2 accounted for');
        },
        ...(options.extra ? { extras: () => ({ figure: (options.extra as () => number)() }) } : {}),
      };
    },
  };
}

describe('median', () => {
  it.each([
    [[3], 3],
    [[5, 1, 3], 3],
    [[4, 1, 3, 2], 2.5],
  ])('takes the middle of %j', (values, expected) => {
    expect(median(values)).toBe(expected);
  });

  it('rejects an empty list', () => {
    expect(() => median([])).toThrow(RangeError);
  });
});

describe('quantile', () => {
  it('picks the nearest rank of sorted values', () => {
    const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(sorted, 0.5)).toBe(50);
    expect(quantile(sorted, 0.99)).toBe(99);
    expect(quantile(sorted, 1)).toBe(100);
  });
});

describe('rotation', () => {
  it('starts one later each round', () => {
    expect(rotation(['a', 'b', 'c'], 0)).toEqual(['a', 'b', 'c']);
    expect(rotation(['a', 'b', 'c'], 1)).toEqual(['b', 'c', 'a']);
    expect(rotation(['a', 'b', 'c'], 5)).toEqual(['c', 'a', 'b']);
  });
});

describe('timeInterleaved', () => {
  it('interleaves contenders in rotated order and keeps only the timed runs', async () => {
    const log: string[] = [];
    const timings = await timeInterleaved([recorder('a', log), recorder('b', log), recorder('c', log)], { warmup: 1, runs: 2 });
    expect(log.join('')).toBe('abcbcacab');
    expect(timings.map((t) => [t.name, t.runs.length])).toEqual([
      ['a', 2],
      ['b', 2],
      ['c', 2],
    ]);
    for (const timing of timings) expect(timing.median).toBeGreaterThanOrEqual(0);
  });

  it('awaits asynchronous runs inside the clock', async () => {
    const contender: Contender = {
      name: 'async',
      role: 'dispenser',
      prepare: () => ({ run: () => new Promise<void>((resolve) => setImmediate(resolve)), check: () => undefined }),
    };
    const [timing] = await timeInterleaved([contender], { warmup: 0, runs: 5 });
    expect(timing?.runs).toHaveLength(5);
  });

  it('reports the median of each extra figure', async () => {
    const figures = [9, 1, 5, 3];
    const [timing] = await timeInterleaved([recorder('x', [], { extra: () => figures.shift() ?? Number.NaN })], { warmup: 1, runs: 3 });
    // Warm-up runs are not asked for figures: the timed runs report 9, 1 and 5.
    expect(timing?.extras).toEqual({ figure: 5 });
    expect(timing?.extraRuns).toEqual({ figure: [9, 1, 5] });
  });

  it('fails with the contender name when its books do not balance', async () => {
    await expect(timeInterleaved([recorder('leaky', [], { failOn: 2 })], { warmup: 1, runs: 2 })).rejects.toThrow(
      'leaky: books do not balance: 3 appended, 2 accounted for',
    );
  });

  it('awaits each release after the check, outside the clock, also when the books do not balance', async () => {
    const log: string[] = [];
    let runs = 0;
    const contender: Contender = {
      name: 'threads',
      role: 'dispenser',
      prepare() {
        const run = ++runs;
        return {
          run: () => log.push(`run ${run}`),
          check() {
            log.push(`check ${run}`);
            if (run === 3) throw new Error('1 event handled twice');
          },
          release: () =>
            new Promise<void>((resolve) =>
              setTimeout(() => {
                log.push(`released ${run}`);
                resolve();
              }, 5),
            ),
        };
      },
    };
    await expect(timeInterleaved([contender], { warmup: 1, runs: 2 })).rejects.toThrow('threads: books do not balance: 1 event handled twice');
    expect(log).toEqual(['run 1', 'check 1', 'released 1', 'run 2', 'check 2', 'released 2', 'run 3', 'check 3', 'released 3']);
  });
});

describe('measureHeap', () => {
  it('measures the heap growth per held value', () => {
    const count = 200_000;
    const contender: MemoryContender = {
      name: 'array of small integers',
      role: 'limit',
      count,
      build() {
        const values = new Array<number>(count);
        for (let i = 0; i < count; i++) values[i] = i;
        return values;
      },
      check(built) {
        if ((built as number[]).length !== count) throw new Error('short');
      },
    };
    const [sample] = measureHeap([contender], { warmup: 0, runs: 3 });
    // One tagged pointer per slot: 8 bytes, or 4 with pointer compression.
    expect(sample?.median).toBeGreaterThan(3);
    expect(sample?.median).toBeLessThan(12);
  });
});

describe('measureGrowth', () => {
  it('counts only what is built between the two marks, and keeps each run\'s figures', async () => {
    const count = 200_000;
    let run = 0;
    const probe: GrowthProbe = {
      name: 'array built after the first mark',
      role: 'dispenser',
      async run(mark) {
        // Made before the first mark: not counted.
        const before = new Array<number>(count).fill(1);
        mark();
        const values = new Array<number>(count);
        for (let i = 0; i < count; i++) values[i] = i;
        await Promise.resolve();
        mark();
        return { length: values.length + before.length - count, run: ++run };
      },
    };
    const [sample] = await measureGrowth([probe], { warmup: 1, runs: 3 });
    expect(sample?.runs).toHaveLength(3);
    // One tagged pointer per slot: 8 bytes, or 4 with pointer compression.
    expect((sample?.median ?? 0) / count).toBeGreaterThan(3);
    expect((sample?.median ?? 0) / count).toBeLessThan(12);
    expect(sample?.figures).toEqual({ length: [count, count, count], run: [2, 3, 4] });
  });

  it('refuses a probe that does not mark the heap twice', async () => {
    const probe: GrowthProbe = { name: 'lazy', role: 'peer', run: async (mark) => (mark(), {}) };
    await expect(measureGrowth([probe], { warmup: 0, runs: 1 })).rejects.toThrow('lazy: marked the heap 1 times, expected 2');
  });
});

describe('measurePeakGrowth', () => {
  it('takes the highest reading after the first, less the first', async () => {
    const count = 200_000;
    const probe: GrowthProbe = {
      name: 'a queue that fills, then empties',
      role: 'peer',
      async run(mark) {
        mark();
        const held = new Array<number>(count);
        for (let i = 0; i < count; i++) held[i] = i;
        mark();
        // Read after the mark, so the queue is alive at it; emptied before the last one.
        const length = held.length;
        held.length = 0;
        await Promise.resolve();
        mark();
        return { length, left: held.length };
      },
    };
    const [sample] = await measurePeakGrowth([probe], { warmup: 1, runs: 3 });
    expect(sample?.runs).toHaveLength(3);
    // The peak is the full queue (a tagged pointer per slot), not the last reading (empty again).
    expect((sample?.median ?? 0) / count).toBeGreaterThan(3);
    expect((sample?.median ?? 0) / count).toBeLessThan(12);
    expect(sample?.figures).toEqual({ length: [count, count, count], left: [0, 0, 0] });
  });

  it('refuses a probe that marks the heap fewer than twice', async () => {
    const probe: GrowthProbe = { name: 'once', role: 'peer', run: async (mark) => (mark(), {}) };
    await expect(measurePeakGrowth([probe], { warmup: 0, runs: 1 })).rejects.toThrow('once: marked the heap 1 times, expected at least 2');
  });
});
