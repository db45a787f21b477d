// Runs timer-driven async code on a ManualClock, moving time along until it settles: no real waiting.
import { ManualClock } from '@dispenser/testing-utils';

/**
 * Calls `run` with a fresh `ManualClock` and advances that clock, `step` ms at a time with
 * microtasks drained in between, until the promise `run` returned settles; fails after `limit` ms
 * of manual time (a run that never ends).
 */
export async function runOnManualClock<T>(
  run: (clock: ManualClock) => Promise<T>,
  { step = 10, limit = 600_000 }: { step?: number; limit?: number } = {},
): Promise<T> {
  const clock = new ManualClock();
  let settled = false;
  const result = run(clock).finally(() => {
    settled = true;
  });
  while (!settled) {
    if (clock.now() > limit) throw new Error(`still running after ${String(limit)} ms of manual time`);
    await clock.advanceAsync(step);
  }
  return result;
}
