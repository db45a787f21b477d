import { describe, expect, it } from 'vitest';
import { eventually } from './eventually';
import { ManualClock } from './manual-clock';

function failingUntil(passAt: number): { assertion: () => void; attempts: () => number } {
  let attempts = 0;
  return {
    assertion: () => {
      attempts++;
      if (attempts < passAt) throw new Error(`attempt ${attempts}`);
    },
    attempts: () => attempts,
  };
}

describe('eventually', () => {
  it('resolves after one attempt when the assertion passes at once', async () => {
    const clock = new ManualClock();
    const { assertion, attempts } = failingUntil(1);
    await eventually(assertion, { clock });
    expect(attempts()).toBe(1);
    expect(clock.pending).toBe(0);
  });

  it('retries every interval until the assertion passes', async () => {
    const clock = new ManualClock();
    const { assertion, attempts } = failingUntil(4);
    let settled = false;
    const done = eventually(assertion, { clock, interval: 10, timeout: 1_000 }).then(() => (settled = true));
    await clock.advanceAsync(25);
    expect(attempts()).toBe(3);
    expect(settled).toBe(false);
    await clock.advanceAsync(5);
    await done;
    expect(attempts()).toBe(4);
    expect(clock.pending).toBe(0);
  });

  it('rejects with the last error once the timeout passes, after a final attempt at the deadline', async () => {
    const clock = new ManualClock();
    const { assertion, attempts } = failingUntil(Number.POSITIVE_INFINITY);
    const done = eventually(assertion, { clock, interval: 10, timeout: 100 });
    const outcome = expect(done).rejects.toThrow('attempt 11');
    await clock.advanceAsync(100);
    await outcome;
    expect(attempts()).toBe(11);
    expect(clock.pending).toBe(0);
  });

  it('retries an async assertion that rejects', async () => {
    const clock = new ManualClock();
    let attempts = 0;
    const done = eventually(
      async () => {
        attempts++;
        await Promise.resolve();
        if (attempts < 3) throw new Error('not yet');
      },
      { clock, interval: 5 },
    );
    await clock.advanceAsync(10);
    await expect(done).resolves.toBeUndefined();
    expect(attempts).toBe(3);
  });

  it('rethrows the assertion error itself, not a wrapper', async () => {
    const error = new TypeError('the exact error');
    await expect(
      eventually(
        () => {
          throw error;
        },
        { timeout: 0, clock: new ManualClock() },
      ),
    ).rejects.toBe(error);
  });

  it('tries once and sets no timer with a timeout of 0', async () => {
    const clock = new ManualClock();
    const { assertion, attempts } = failingUntil(2);
    await expect(eventually(assertion, { clock, timeout: 0 })).rejects.toThrow('attempt 1');
    expect(attempts()).toBe(1);
    expect(clock.pending).toBe(0);
  });

  it('waits on real timers by default', async () => {
    const { assertion, attempts } = failingUntil(2);
    await eventually(assertion, { interval: 1 });
    expect(attempts()).toBe(2);
  });

  it('rejects with the reason when its signal aborts, and clears its timer', async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const reason = new Error('stop');
    const done = eventually(failingUntil(Number.POSITIVE_INFINITY).assertion, { clock, signal: controller.signal });
    await clock.advanceAsync(0);
    expect(clock.pending).toBe(1);
    controller.abort(reason);
    await expect(done).rejects.toBe(reason);
    expect(clock.pending).toBe(0);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const { assertion, attempts } = failingUntil(1);
    await expect(eventually(assertion, { signal: AbortSignal.abort('gone') })).rejects.toBe('gone');
    expect(attempts()).toBe(0);
  });

  it('rejects bad arguments naming them', async () => {
    await expect(eventually('x' as unknown as () => void)).rejects.toThrow(/assertion/);
    await expect(eventually(() => undefined, { timeout: -1 })).rejects.toThrow(RangeError);
    await expect(eventually(() => undefined, { timeout: -1 })).rejects.toThrow(/timeout/);
    await expect(eventually(() => undefined, { interval: Number.NaN })).rejects.toThrow(/interval/);
  });
});
