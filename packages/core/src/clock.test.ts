import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from './index';

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
});
