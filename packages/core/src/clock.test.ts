import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from './index';

/** The longest delay one Node or browser timer honours; a longer one fires after about 1 ms. */
const MAX_TIMER_DELAY = 2 ** 31 - 1;

describe('systemClock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs timers through the global timer functions and cancels them', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const ran: string[] = [];
    systemClock.setTimeout(() => ran.push('kept'), 10);
    const cancelled = systemClock.setTimeout(() => ran.push('cancelled'), 5);
    systemClock.clearTimeout(cancelled);
    const start = systemClock.now();
    vi.advanceTimersByTime(10);
    expect(ran).toEqual(['kept']);
    expect(systemClock.now() - start).toBe(10);
  });

  it('never goes backwards', () => {
    const first = systemClock.now();
    expect(systemClock.now()).toBeGreaterThanOrEqual(first);
  });

  it('returns the plain global timer for a delay of up to 2^31-1 ms', () => {
    vi.useFakeTimers();
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    const handle = systemClock.setTimeout(() => undefined, MAX_TIMER_DELAY);
    expect(setTimeoutSpy).toHaveBeenCalledOnce();
    expect(handle).toBe(setTimeoutSpy.mock.results[0]?.value);
    systemClock.clearTimeout(handle);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('runs a timer of exactly 2^31-1 ms when that much time has passed', () => {
    vi.useFakeTimers();
    let ran = false;
    systemClock.setTimeout(() => (ran = true), MAX_TIMER_DELAY);
    vi.advanceTimersByTime(MAX_TIMER_DELAY - 1);
    expect(ran).toBe(false);
    vi.advanceTimersByTime(1);
    expect(ran).toBe(true);
  });

  it.each([MAX_TIMER_DELAY + 1, 2 ** 31 + 500, 3 * MAX_TIMER_DELAY + 7])(
    'honours a delay of %s ms, above 2^31-1, by chaining timers',
    (delay) => {
      vi.useFakeTimers();
      let ran = 0;
      systemClock.setTimeout(() => ran++, delay);
      vi.advanceTimersByTime(2);
      expect(ran).toBe(0);
      vi.advanceTimersByTime(delay - 3);
      expect(ran).toBe(0);
      vi.advanceTimersByTime(1);
      expect(ran).toBe(1);
      expect(vi.getTimerCount()).toBe(0);
    },
  );

  it('never runs a timer with an infinite delay', () => {
    vi.useFakeTimers();
    let ran = false;
    const handle = systemClock.setTimeout(() => (ran = true), Number.POSITIVE_INFINITY);
    vi.advanceTimersByTime(10 * MAX_TIMER_DELAY);
    expect(ran).toBe(false);
    systemClock.clearTimeout(handle);
    expect(vi.getTimerCount()).toBe(0);
  });

  it.each([
    ['before the first link fires', 0],
    ['after the first link', MAX_TIMER_DELAY + 1],
    ['after the second link', 2 * MAX_TIMER_DELAY + 1],
    ['on the last link', 3 * MAX_TIMER_DELAY + 1],
  ])('cancels a chained timer %s', (_when, elapsed) => {
    vi.useFakeTimers();
    let ran = false;
    const handle = systemClock.setTimeout(() => (ran = true), 3 * MAX_TIMER_DELAY + 10);
    vi.advanceTimersByTime(elapsed);
    expect(vi.getTimerCount()).toBe(1);
    systemClock.clearTimeout(handle);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(4 * MAX_TIMER_DELAY);
    expect(ran).toBe(false);
  });

  it('ignores a chained handle that already ran, and unknown handles', () => {
    vi.useFakeTimers();
    let ran = 0;
    const handle = systemClock.setTimeout(() => ran++, MAX_TIMER_DELAY + 1);
    vi.advanceTimersByTime(MAX_TIMER_DELAY + 1);
    expect(() => {
      systemClock.clearTimeout(handle);
      systemClock.clearTimeout(undefined);
      systemClock.clearTimeout({});
    }).not.toThrow();
    expect(ran).toBe(1);
  });
});
