// Events and subscribers, made once before any timing and shared (read-only) by every run.

/** A benchmark event: a small object created before timing starts. */
export interface Ev {
  readonly i: number;
}

let sharedEvents: Ev[] = [];

/** The first `count` events `{ i }`, created once. */
export function eventsOf(count: number): Ev[] {
  if (sharedEvents.length < count) {
    const events = new Array<Ev>(count);
    for (let i = 0; i < count; i++) events[i] = { i };
    sharedEvents = events;
  }
  return sharedEvents.length === count ? sharedEvents : sharedEvents.slice(0, count);
}

const batchCache = new Map<string, Ev[][]>();

/** `count` events cut into consecutive batches of `size`, created once. */
export function batchesOf(count: number, size: number): Ev[][] {
  const key = `${count}/${size}`;
  let batches = batchCache.get(key);
  if (batches === undefined) {
    const events = eventsOf(count);
    batches = [];
    for (let start = 0; start < count; start += size) batches.push(events.slice(start, start + size));
    batchCache.set(key, batches);
  }
  return batches;
}

/** A subscriber of W2–W4: the buffer only needs an identity. */
export interface BenchSubscriber {
  readonly id: number;
}

/** `count` subscribers, numbered from 0. */
export function subscribersOf(count: number): BenchSubscriber[] {
  const out: BenchSubscriber[] = [];
  for (let id = 0; id < count; id++) out.push({ id });
  return out;
}
