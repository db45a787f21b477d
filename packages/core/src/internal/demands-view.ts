// The read-only face of a DemandTable: what EventBuffer.demands returns and strategies receive.
import type { ReadonlyDemands } from '../demands';
import { amountAt, iterateTable, keyAt, tableToMap, type DemandTable } from './demand-table';

/**
 * A live, read-only {@link ReadonlyDemands} over a table: no copy, no history, and no way to
 * reach the table to change it.
 */
export class DemandsView<S> implements ReadonlyDemands<S> {
  readonly #table: DemandTable<S>;

  constructor(table: DemandTable<S>) {
    this.#table = table;
    Object.freeze(this);
  }

  get total(): number {
    return this.#table.total;
  }

  get size(): number {
    return this.#table.size;
  }

  get(subscriber: S): number {
    return this.#table.get(subscriber);
  }

  subscriberAt(index: number): S {
    return keyAt(this.#table, index);
  }

  amountAt(index: number): number {
    return amountAt(this.#table, index);
  }

  subscribers(): Map<S, number> {
    return tableToMap(this.#table);
  }

  [Symbol.iterator](): IterableIterator<[S, number]> {
    return iterateTable(this.#table);
  }
}
