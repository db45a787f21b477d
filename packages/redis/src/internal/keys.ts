// The Redis keys of one buffer; all share the `{name}` hash tag so scripts may touch them together on Redis Cluster.

/** The keys of one buffer, in the order every script receives them. */
export interface BufferKeys {
  /** The stream of events, read through one consumer group. */
  readonly stream: string;
  /** Counters: appended, dropped, skipped, acked, redelivered, dead-lettered, lost, ownership-lost. */
  readonly stats: string;
  /** Consumer → the server time (ms) its lease runs out. */
  readonly leases: string;
  /** Consumer → its outstanding demand, as last published. */
  readonly demand: string;
  /** The dead-letter stream. */
  readonly deadLetters: string;
}

/** The consumer group every buffer reads through. */
export const GROUP = 'dispenser';

/** The pseudo-consumer that owns given-back events until a live consumer claims them. */
export const RELEASED = '~released';

/**
 * The keys of the buffer `name` under `prefix`.
 *
 * @example
 * ```ts
 * bufferKeys('dispenser', 'orders').stream; // 'dispenser:{orders}'
 * ```
 */
export function bufferKeys(prefix: string, name: string): BufferKeys {
  const base = `${prefix}:{${name}}`;
  return { stream: base, stats: `${base}:stats`, leases: `${base}:leases`, demand: `${base}:demand`, deadLetters: `${base}:dlq` };
}

/** The keys as the list a script takes. */
export function keyList(keys: BufferKeys): string[] {
  return [keys.stream, keys.stats, keys.leases, keys.demand, keys.deadLetters];
}
