// The event loop helpers of the workloads spread over time (W5–W7): yield, wait at most, wait until, deferred.

/** Resolves on the next turn of the event loop (`setImmediate`), as a producer spread over time yields. */
export const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Waits for `promise`, but at most `ms` milliseconds: a run that would never finish ends, and its
 * books (events received) then say what was missing.
 */
export async function atMost(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([promise, timeout]);
  clearTimeout(timer);
}

/**
 * Resolves once `condition()` holds, checking it every millisecond (on timers, so that messages
 * from worker threads are taken in between).
 *
 * @throws Error (as a rejection) naming `what` when it does not hold within `ms` milliseconds
 */
export async function waitUntil(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`${what}: not so after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** A promise and the function that resolves it. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
