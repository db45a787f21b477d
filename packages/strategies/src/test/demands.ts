// Test helpers (not exported): building Demands and reading strategy results in the even/greedy tests.
import { Demands, type Assignment, type ReadonlyDemands } from '@dispenser/core';

/** A core Demands holding `record`'s entries, in key order. */
export function demandsOf(record: Record<string, number>): Demands<string> {
  return new Demands<string>(Object.entries(record));
}

/** A strategy's list as a plain object (`toEqual`-friendly); throws if a subscriber appears twice. */
export function toRecord(result: ReadonlyArray<Assignment<string>>): Record<string, number> {
  const record: Record<string, number> = {};
  for (const [subscriber, count] of result) {
    if (subscriber in record) throw new Error(`${subscriber} appears twice in ${JSON.stringify(result)}`);
    record[subscriber] = count;
  }
  return record;
}

/** The sum of the counts of a strategy's list. */
export function assignedTotal<S>(result: ReadonlyArray<Assignment<S>>): number {
  let total = 0;
  for (const [, count] of result) total += count;
  return total;
}

/** What would remain of `demands` once `result` is applied, as a plain object. */
export function remainingAfter(demands: ReadonlyDemands<string>, result: ReadonlyArray<Assignment<string>>): Record<string, number> {
  const left = new Demands<string>(demands);
  for (const [subscriber, count] of result) left.subtract(subscriber, count);
  return Object.fromEntries(left.subscribers());
}

/**
 * A ReadonlyDemands that is not a core Demands (as one from another copy of core would be): a
 * frozen object over its own arrays, in `map`'s order.
 */
export function foreignDemands<S>(map: ReadonlyMap<S, number>): ReadonlyDemands<S> {
  const keys = [...map.keys()];
  const amounts = [...map.values()];
  let total = 0;
  for (const amount of amounts) total += amount;
  return Object.freeze({
    get: (subscriber: S) => map.get(subscriber) ?? 0,
    total,
    size: keys.length,
    subscriberAt: (index: number) => keys[index] as S,
    amountAt: (index: number) => amounts[index] as number,
    subscribers: () => new Map(map),
    [Symbol.iterator]: () => new Map(map).entries(),
  });
}

/** A Demands that counts how it is read, to show which subscribers a strategy touches. */
export class CountingDemands<S> extends Demands<S> {
  reads = { get: 0, slot: 0, iterate: 0, subscribers: 0 };

  /** `count` subscribers `0…count - 1` asking `demand` each, with the read counters at 0. */
  static filled(count: number, demand: number): CountingDemands<number> {
    const demands = new CountingDemands<number>();
    for (let i = 0; i < count; i++) demands.add(i, demand);
    demands.reads = { get: 0, slot: 0, iterate: 0, subscribers: 0 };
    return demands;
  }

  override get(subscriber: S): number {
    this.reads.get++;
    return super.get(subscriber);
  }

  override subscriberAt(index: number): S {
    this.reads.slot++;
    return super.subscriberAt(index);
  }

  override amountAt(index: number): number {
    this.reads.slot++;
    return super.amountAt(index);
  }

  override [Symbol.iterator](): IterableIterator<[S, number]> {
    this.reads.iterate++;
    return super[Symbol.iterator]();
  }

  override subscribers(): Map<S, number> {
    this.reads.subscribers++;
    return super.subscribers();
  }
}
