import { describe, expect, it } from 'vitest';
import { ManualClock } from './manual-clock';
import { createSeededRandom } from './seeded-random';

const noop = (): void => undefined;

describe('ManualClock', () => {
  it('starts at 0 or at the given start time', () => {
    expect(new ManualClock().now()).toBe(0);
    expect(new ManualClock(1_000).now()).toBe(1_000);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('rejects the start time %s with a RangeError naming start', (start) => {
    expect(() => new ManualClock(start)).toThrow(RangeError);
    expect(() => new ManualClock(start)).toThrow(/start/);
  });

  it('does not run timers until time advances', () => {
    const clock = new ManualClock();
    const ran: string[] = [];
    clock.setTimeout(() => ran.push('a'), 10);
    expect(ran).toEqual([]);
    expect(clock.pending).toBe(1);
    clock.advance(9);
    expect(ran).toEqual([]);
    clock.advance(1);
    expect(ran).toEqual(['a']);
    expect(clock.pending).toBe(0);
  });

  it('moves now() by the advanced amount', () => {
    const clock = new ManualClock(5);
    clock.advance(10);
    clock.advance(0.5);
    expect(clock.now()).toBe(15.5);
  });

  it('runs due timers in time order, whatever order they were set in', () => {
    const clock = new ManualClock();
    const ran: number[] = [];
    for (const due of [30, 10, 50, 20, 40]) clock.setTimeout(() => ran.push(due), due);
    clock.advance(100);
    expect(ran).toEqual([10, 20, 30, 40, 50]);
  });

  it('runs timers due at the same time in the order they were set', () => {
    const clock = new ManualClock();
    const ran: string[] = [];
    clock.setTimeout(() => ran.push('first'), 10);
    clock.setTimeout(() => ran.push('zero'), 0);
    clock.setTimeout(() => ran.push('second'), 10);
    clock.advance(5);
    clock.setTimeout(() => ran.push('third'), 5);
    clock.advance(5);
    expect(ran).toEqual(['zero', 'first', 'second', 'third']);
  });

  it('reports the due time of the running timer from now()', () => {
    const clock = new ManualClock(100);
    const seen: number[] = [];
    clock.setTimeout(() => seen.push(clock.now()), 7);
    clock.setTimeout(() => seen.push(clock.now()), 3);
    clock.advance(50);
    expect(seen).toEqual([103, 107]);
    expect(clock.now()).toBe(150);
  });

  it('runs timers set by a timer when they fall due within the window, and keeps later ones pending', () => {
    const clock = new ManualClock();
    const ran: Array<[string, number]> = [];
    clock.setTimeout(() => {
      ran.push(['outer', clock.now()]);
      clock.setTimeout(() => ran.push(['inner', clock.now()]), 5);
      clock.setTimeout(() => ran.push(['late', clock.now()]), 50);
      clock.setTimeout(() => ran.push(['immediate', clock.now()]), 0);
    }, 10);
    clock.setTimeout(() => ran.push(['other', clock.now()]), 12);
    clock.advance(20);
    expect(ran).toEqual([
      ['outer', 10],
      ['immediate', 10],
      ['other', 12],
      ['inner', 15],
    ]);
    expect(clock.pending).toBe(1);
    clock.advance(40);
    expect(ran.at(-1)).toEqual(['late', 60]);
  });

  it('runs a timer chain that reschedules itself once per period', () => {
    const clock = new ManualClock();
    const ticks: number[] = [];
    const tick = (): void => {
      ticks.push(clock.now());
      clock.setTimeout(tick, 10);
    };
    clock.setTimeout(tick, 10);
    clock.advance(35);
    expect(ticks).toEqual([10, 20, 30]);
  });

  it('runs zero-delay timers on advance(0)', () => {
    const clock = new ManualClock();
    let ran = false;
    clock.setTimeout(() => (ran = true), 0);
    clock.advance(0);
    expect(ran).toBe(true);
  });

  it.each([-5, Number.NaN])('treats the delay %s as 0', (ms) => {
    const clock = new ManualClock();
    let ran = false;
    clock.setTimeout(() => (ran = true), ms);
    clock.advance(0);
    expect(ran).toBe(true);
  });

  it('never runs a timer with an infinite delay', () => {
    const clock = new ManualClock();
    let ran = false;
    clock.setTimeout(() => (ran = true), Number.POSITIVE_INFINITY);
    clock.advance(Number.MAX_SAFE_INTEGER);
    expect(clock.runAll()).toBe(0);
    expect(ran).toBe(false);
    expect(clock.pending).toBe(1);
  });

  it('rejects a callback that is not a function with a TypeError naming fn', () => {
    const clock = new ManualClock();
    expect(() => clock.setTimeout('nope' as unknown as () => void, 1)).toThrow(TypeError);
    expect(() => clock.setTimeout('nope' as unknown as () => void, 1)).toThrow(/fn/);
    expect(clock.pending).toBe(0);
  });

  it('returns distinct handles', () => {
    const clock = new ManualClock();
    const handles = new Set([clock.setTimeout(noop, 1), clock.setTimeout(noop, 1), clock.setTimeout(noop, 2)]);
    expect(handles.size).toBe(3);
  });

  it('cancels a timer with clearTimeout', () => {
    const clock = new ManualClock();
    const ran: string[] = [];
    const handle = clock.setTimeout(() => ran.push('cleared'), 10);
    clock.setTimeout(() => ran.push('kept'), 10);
    clock.clearTimeout(handle);
    expect(clock.pending).toBe(1);
    clock.advance(10);
    expect(ran).toEqual(['kept']);
  });

  it('lets a timer cancel a later timer that is due in the same window', () => {
    const clock = new ManualClock();
    const ran: string[] = [];
    clock.setTimeout(() => {
      ran.push('first');
      clock.clearTimeout(later);
    }, 5);
    const later = clock.setTimeout(() => ran.push('later'), 8);
    clock.advance(10);
    expect(ran).toEqual(['first']);
  });

  it('ignores unknown, already run and already cleared handles', () => {
    const clock = new ManualClock();
    const handle = clock.setTimeout(noop, 1);
    clock.advance(1);
    expect(() => {
      clock.clearTimeout(handle);
      clock.clearTimeout(handle);
      clock.clearTimeout(undefined);
      clock.clearTimeout({});
      clock.clearTimeout(12_345);
    }).not.toThrow();
    const kept = clock.setTimeout(noop, 1);
    clock.clearTimeout(handle);
    expect(clock.pending).toBe(1);
    clock.clearTimeout(kept);
    expect(clock.pending).toBe(0);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('rejects advance(%s) with a RangeError naming ms and keeps its time', (ms) => {
    const clock = new ManualClock(3);
    let ran = false;
    clock.setTimeout(() => (ran = true), 0);
    expect(() => clock.advance(ms)).toThrow(RangeError);
    expect(() => clock.advance(ms)).toThrow(/\bms\b/);
    expect(clock.now()).toBe(3);
    expect(ran).toBe(false);
  });

  it('rejects a non-number advance with a TypeError naming ms', () => {
    expect(() => new ManualClock().advance('5' as unknown as number)).toThrow(TypeError);
    expect(() => new ManualClock().advance('5' as unknown as number)).toThrow(/\bms\b/);
  });

  it('stops at a throwing timer, leaving now() at its due time and later timers pending', () => {
    const clock = new ManualClock();
    const ran: string[] = [];
    clock.setTimeout(() => {
      throw new Error('boom');
    }, 5);
    clock.setTimeout(() => ran.push('after'), 8);
    expect(() => clock.advance(10)).toThrow('boom');
    expect(clock.now()).toBe(5);
    expect(clock.pending).toBe(1);
    clock.advance(5);
    expect(ran).toEqual(['after']);
    expect(clock.now()).toBe(10);
  });

  it('never moves time backwards when a timer advances the clock itself', () => {
    const clock = new ManualClock();
    const seen: number[] = [];
    clock.setTimeout(() => clock.advance(100), 1);
    clock.setTimeout(() => seen.push(clock.now()), 50);
    clock.advance(10);
    expect(seen).toEqual([50]);
    expect(clock.now()).toBe(101);
  });

  describe('clearTimeout', () => {
    it('releases cleared timers: a million set/clear pairs retain under 4 MB', () => {
      const gc = (globalThis as { gc?: () => void }).gc;
      if (gc === undefined) throw new Error('run with --expose-gc (the vitest preset sets it)');
      const clock = new ManualClock();
      const churn = (count: number): void => {
        for (let i = 0; i < count; i++) clock.clearTimeout(clock.setTimeout(noop, 10 + (i % 100)));
      };
      churn(10_000);
      gc();
      const before = process.memoryUsage().heapUsed;
      churn(1_000_000);
      gc();
      const grown = process.memoryUsage().heapUsed - before;
      expect(clock.pending).toBe(0);
      expect(grown).toBeLessThan(4 * 1024 * 1024);
    });

    it('keeps due-time order, ties in the order set, when timers are cleared from anywhere', () => {
      const random = createSeededRandom(11);
      const clock = new ManualClock();
      const ran: number[] = [];
      const timers: Array<{ seq: number; due: number; handle: number }> = [];
      for (let seq = 0; seq < 2_000; seq++) {
        const due = Math.floor(random() * 300);
        timers.push({ seq, due, handle: clock.setTimeout(() => ran.push(seq), due) });
      }
      const kept = timers.filter((timer) => {
        if (random() < 0.5) return true;
        clock.clearTimeout(timer.handle);
        return false;
      });
      expect(clock.pending).toBe(kept.length);
      clock.advance(150);
      clock.advance(150);
      expect(ran).toEqual(kept.sort((a, b) => a.due - b.due || a.seq - b.seq).map((timer) => timer.seq));
      expect(clock.pending).toBe(0);
    });
  });

  describe('huge delays', () => {
    it('runs a timer due after more than 2^31-1 ms only once that much time has passed', () => {
      const clock = new ManualClock();
      const ran: number[] = [];
      clock.setTimeout(() => ran.push(clock.now()), 2 ** 31);
      clock.setTimeout(() => ran.push(clock.now()), Number.MAX_SAFE_INTEGER);
      clock.advance(1);
      clock.advance(2 ** 31 - 2);
      expect(ran).toEqual([]);
      clock.advance(1);
      expect(ran).toEqual([2 ** 31]);
      expect(clock.runAll()).toBe(1);
      expect(ran).toEqual([2 ** 31, Number.MAX_SAFE_INTEGER]);
    });

    it('still runs a finite delay whose due time is past Number.MAX_VALUE', () => {
      const clock = new ManualClock(Number.MAX_VALUE / 2);
      let ran = false;
      clock.setTimeout(() => (ran = true), Number.MAX_VALUE);
      expect(clock.runAll()).toBe(1);
      expect(ran).toBe(true);
      expect(clock.now()).toBe(Number.MAX_VALUE);
    });

    it('stops time at Number.MAX_VALUE, so a timer with an infinite delay never runs', () => {
      const clock = new ManualClock(Number.MAX_VALUE / 2);
      let ran = false;
      clock.setTimeout(() => (ran = true), Number.POSITIVE_INFINITY);
      clock.advance(Number.MAX_VALUE);
      clock.advance(Number.MAX_VALUE);
      expect(clock.now()).toBe(Number.MAX_VALUE);
      expect(ran).toBe(false);
      expect(clock.pending).toBe(1);
    });

    it('stops time at Number.MAX_VALUE in advanceAsync too', async () => {
      const clock = new ManualClock(Number.MAX_VALUE / 2);
      let ran = false;
      clock.setTimeout(() => (ran = true), Number.POSITIVE_INFINITY);
      await clock.advanceAsync(Number.MAX_VALUE);
      await clock.advanceAsync(Number.MAX_VALUE);
      expect(clock.now()).toBe(Number.MAX_VALUE);
      expect(ran).toBe(false);
    });
  });

  describe('runAll', () => {
    it('runs every timer, including nested ones, jumping time to each', () => {
      const clock = new ManualClock();
      const seen: number[] = [];
      clock.setTimeout(() => {
        seen.push(clock.now());
        clock.setTimeout(() => seen.push(clock.now()), 1_000);
      }, 500);
      clock.setTimeout(() => seen.push(clock.now()), 200);
      expect(clock.runAll()).toBe(3);
      expect(seen).toEqual([200, 500, 1_500]);
      expect(clock.now()).toBe(1_500);
      expect(clock.pending).toBe(0);
    });

    it('throws after the limit when a timer keeps rescheduling itself, leaving it pending', () => {
      const clock = new ManualClock();
      let count = 0;
      const tick = (): void => {
        count++;
        clock.setTimeout(tick, 1);
      };
      clock.setTimeout(tick, 1);
      expect(() => clock.runAll({ limit: 50 })).toThrow(/50 timers/);
      expect(count).toBe(50);
      expect(clock.pending).toBe(1);
    });

    it('rejects a bad limit with a RangeError naming limit', () => {
      expect(() => new ManualClock().runAll({ limit: 0 })).toThrow(RangeError);
      expect(() => new ManualClock().runAll({ limit: 0 })).toThrow(/limit/);
    });
  });

  describe('advanceAsync', () => {
    it('lets promise-based code continue between timers', async () => {
      const clock = new ManualClock();
      const sleep = (ms: number): Promise<void> => new Promise((resolve) => clock.setTimeout(resolve, ms));
      const seen: number[] = [];
      const done = (async () => {
        for (let i = 0; i < 3; i++) {
          await sleep(10);
          await Promise.resolve();
          seen.push(clock.now());
        }
        return 'done';
      })();
      await clock.advanceAsync(30);
      expect(seen).toEqual([10, 20, 30]);
      await expect(done).resolves.toBe('done');
    });

    it('does the same as advance for plain timers, leaving now() at the target', async () => {
      const clock = new ManualClock();
      const seen: number[] = [];
      clock.setTimeout(() => seen.push(clock.now()), 4);
      clock.setTimeout(() => seen.push(clock.now()), 2);
      await clock.advanceAsync(10);
      expect(seen).toEqual([2, 4]);
      expect(clock.now()).toBe(10);
    });

    it('shows why plain advance is not enough for promise chains', () => {
      const clock = new ManualClock();
      const sleep = (ms: number): Promise<void> => new Promise((resolve) => clock.setTimeout(resolve, ms));
      const seen: number[] = [];
      void (async () => {
        await sleep(10);
        seen.push(clock.now());
        await sleep(10);
        seen.push(clock.now());
      })();
      clock.advance(20);
      expect(seen).toEqual([]);
      expect(clock.pending).toBe(0);
    });

    it('rejects a bad ms with a RangeError naming ms', async () => {
      await expect(new ManualClock().advanceAsync(-1)).rejects.toThrow(RangeError);
      await expect(new ManualClock().advanceAsync(-1)).rejects.toThrow(/\bms\b/);
    });
  });
});
