// Test helper (not exported): letting pending promise callbacks run without timers.

/** Lets every pending promise callback run (one macrotask turn; no timers involved). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
