// W8's events (about 100 bytes of JSON each), their batches, the tally every contender keeps, and the producer.
import { median } from '../harness';

/** A W8 event: an object that JSON-encodes to 95–100 bytes (for numbers below 1,000,000: W8 uses 200,000). */
export interface RedisEv {
  readonly i: number;
  readonly id: string;
  readonly kind: string;
  readonly at: number;
  readonly note: string;
}

/** Event number `i`: `{"i":…,"id":"evt-0000000i","kind":"order.created","at":…,"note":"…"}`. */
export function redisEvent(i: number): RedisEv {
  return { i, id: `evt-${String(i).padStart(8, '0')}`, kind: 'order.created', at: 1_767_225_600_000 + i, note: 'abcdefghijklmnop' };
}

const batchCache = new Map<string, RedisEv[][]>();

/** `count` events cut into consecutive batches of `size`, made once and shared (read-only) by every run. */
export function redisBatches(count: number, size: number): RedisEv[][] {
  const key = `${count}/${size}`;
  let batches = batchCache.get(key);
  if (batches === undefined) {
    batches = [];
    for (let start = 0; start < count; start += size) {
      const batch: RedisEv[] = [];
      for (let i = start; i < Math.min(count, start + size); i++) batch.push(redisEvent(i));
      batches.push(batch);
    }
    batchCache.set(key, batches);
  }
  return batches;
}

/** How many times each of `events` events was received, by its number. */
export class Tally {
  readonly #counts: Uint8Array;
  received = 0;

  constructor(readonly events: number) {
    this.#counts = new Uint8Array(events);
  }

  /** Counts event number `i` (numbers outside the run count as received, and fail the check). */
  record(i: number): void {
    this.received += 1;
    if (i >= 0 && i < this.events) this.#counts[i] = Math.min(255, (this.#counts[i] as number) + 1);
  }

  /** Throws unless every event was received exactly once. */
  check(): void {
    let never = 0;
    let again = 0;
    let first = -1;
    for (let i = 0; i < this.events; i++) {
      const count = this.#counts[i] as number;
      if (count === 1) continue;
      if (first < 0) first = i;
      if (count === 0) never++;
      else again++;
    }
    if (first >= 0 || this.received !== this.events) {
      throw new Error(
        `events not received exactly once: ${never} never, ${again} more than once, ${this.received} received of ${this.events}` +
          (first >= 0 ? ` (the first: event ${first}, ${this.#counts[first]} times)` : ''),
      );
    }
  }
}

/**
 * W8's producer: appends `batches` with `lanes` appends in flight (each lane appends the next
 * batch not yet taken as soon as its previous append is done), as a busy producer would.
 */
export async function produce(batches: readonly RedisEv[][], lanes: number, append: (batch: RedisEv[]) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < batches.length) {
      const batch = batches[next++] as RedisEv[];
      await append(batch);
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
}

/** Median and largest of the SIGKILL redelivery times, in milliseconds. */
export function redeliverySummary(runsMs: readonly number[]): { medianMs: number; maxMs: number } {
  if (runsMs.length === 0) return { medianMs: Number.NaN, maxMs: Number.NaN };
  return { medianMs: median(runsMs), maxMs: Math.max(...runsMs) };
}
