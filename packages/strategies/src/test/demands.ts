// Test helpers (not exported): building and reading Demands in the even/greedy tests.
import { Demands, type ReadonlyDemands } from '@dispenser/core';

/** A core Demands holding `record`'s entries, in key order. */
export function demandsOf(record: Record<string, number>): Demands<string> {
  return new Demands<string>(Object.entries(record));
}

/** The entries of `demands` as a plain object, for `toEqual`. */
export function toRecord(demands: ReadonlyDemands<string>): Record<string, number> {
  return Object.fromEntries(demands.subscribers());
}

/**
 * A ReadonlyDemands that is not a core Demands: a live view of `map` (so a strategy that wrote to
 * its input would show in `map`).
 */
export function foreignDemands<S>(map: Map<S, number>): ReadonlyDemands<S> {
  return {
    get: (subscriber) => map.get(subscriber) ?? 0,
    get total() {
      let sum = 0;
      for (const amount of map.values()) sum += amount;
      return sum;
    },
    get size() {
      return map.size;
    },
    subscribers: () => new Map(map),
    [Symbol.iterator]: () => map.entries(),
  };
}

/** A Demands that counts how it is read, to show which subscribers a strategy touches. */
export class CountingDemands<S> extends Demands<S> {
  reads = { get: 0, subscriberAt: 0, iterate: 0, subscribers: 0 };

  /** `count` subscribers `0…count - 1` asking `demand` each, with the read counters at 0. */
  static filled(count: number, demand: number): CountingDemands<number> {
    const demands = new CountingDemands<number>();
    for (let i = 0; i < count; i++) demands.add(i, demand);
    demands.reads = { get: 0, subscriberAt: 0, iterate: 0, subscribers: 0 };
    return demands;
  }

  override get(subscriber: S): number {
    this.reads.get++;
    return super.get(subscriber);
  }

  override subscriberAt(index: number): S | undefined {
    this.reads.subscriberAt++;
    return super.subscriberAt(index);
  }

  override *[Symbol.iterator](): IterableIterator<[S, number]> {
    this.reads.iterate++;
    yield* super[Symbol.iterator]();
  }

  override subscribers(): Map<S, number> {
    this.reads.subscribers++;
    return super.subscribers();
  }
}
