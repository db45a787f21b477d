import { describe, expect, it } from 'vitest';
import type { Clock } from '../clock';
import { sleep } from './sleep';

/** A clock whose timers run only when `fire()` is called. */
function handClock(): Clock & { fire(): void; pending(): number } {
  const timers = new Map<number, () => void>();
  let next = 0;
  return {
    now: () => 0,
    setTimeout(fn) {
      next += 1;
      timers.set(next, fn);
      return next;
    },
    clearTimeout: (handle) => void timers.delete(handle as number),
    fire() {
      for (const [handle, fn] of [...timers]) {
        timers.delete(handle);
        fn();
      }
    },
    pending: () => timers.size,
  };
}

describe('sleep', () => {
  it('resolves when the clock runs its timer', async () => {
    const clock = handClock();
    let done = false;
    const waiting = sleep(clock, 100).then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    clock.fire();
    await waiting;
    expect(done).toBe(true);
  });

  it('rejects with the reason and clears its timer on abort, also when already aborted', async () => {
    const clock = handClock();
    const controller = new AbortController();
    const waiting = sleep(clock, 100, controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    expect(clock.pending()).toBe(0);
    await expect(sleep(clock, 100, controller.signal)).rejects.toThrow('stop');
    expect(clock.pending()).toBe(0);
  });
});
