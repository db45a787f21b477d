// The books of every run: each contender's check compares what it did with what the workload asks.

/** Throws `what is <actual>, expected <expected>` when they differ. */
export function expectEqual(what: string, actual: number, expected: number): void {
  if (actual !== expected) throw new Error(`${what} is ${actual}, expected ${expected}`);
}
