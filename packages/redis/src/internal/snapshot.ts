// The reply of the snapshot script as gauges and counters.

/** The counters the scripts keep in the stats hash. */
const COUNTERS = ['appended', 'dropped', 'skipped', 'acked', 'redelivered', 'deadLettered', 'lost', 'ownershipLost'] as const;

/** One of {@link COUNTERS}. */
type Counter = (typeof COUNTERS)[number];

/** A buffer's state at one moment, across all processes. */
export interface Snapshot {
  readonly buffered: number;
  readonly inFlight: number;
  /** Entries the group's cursor moved past: delivered the first time, or skipped by drop-oldest. */
  readonly read: number;
  readonly subscribed: number;
  readonly demand: number;
  readonly counters: Readonly<Record<Counter, number>>;
}

/**
 * Reads the snapshot script's reply: five gauges, then counter name, value pairs (a counter
 * never written is 0).
 *
 * @example
 * ```ts
 * parseSnapshot([3, 1, 7, 2, 10, 'appended', '11']).counters.appended; // 11
 * ```
 */
export function parseSnapshot(reply: unknown): Snapshot {
  const values: unknown[] = Array.isArray(reply) ? reply : [];
  const counters = Object.fromEntries(COUNTERS.map((name) => [name, 0])) as Record<Counter, number>;
  for (let i = 5; i + 1 < values.length; i += 2) {
    const name = String(values[i]);
    if ((COUNTERS as readonly string[]).includes(name)) counters[name as Counter] = Number(values[i + 1]);
  }
  return {
    buffered: Number(values[0] ?? 0),
    inFlight: Number(values[1] ?? 0),
    read: Number(values[2] ?? 0),
    subscribed: Number(values[3] ?? 0),
    demand: Number(values[4] ?? 0),
    counters,
  };
}
