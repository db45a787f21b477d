// The storage behind Demands and EventBuffer: dense slots, a Map from subscriber to slot, a running total.

/**
 * Demand per subscriber in dense slots (`keys[i]` asks for `amounts[i]`, for `i < size`), a
 * `Map` from subscriber to slot and a running total. Only subscribers with demand > 0 have a
 * slot; removing one moves the last slot into its place (swap-remove), so every operation is
 * O(1). The arrays never shrink (slots past `size` are cleared, so they keep nothing alive):
 * a table that empties and fills again every round does not reallocate.
 *
 * Unchecked: callers validate amounts first. The arrays are never replaced, so views may hold
 * them.
 */
export class DemandTable<S> {
  readonly keys: S[] = [];
  readonly amounts: number[] = [];
  readonly slots = new Map<S, number>();
  size = 0;
  total = 0;

  /** The demand of `subscriber`, or 0. */
  get(subscriber: S): number {
    const slot = this.slots.get(subscriber);
    return slot === undefined ? 0 : (this.amounts[slot] as number);
  }

  /** Adds `amount` (> 0) to `subscriber`; the caller checked that the total stays safe. */
  add(subscriber: S, amount: number): void {
    const slot = this.slots.get(subscriber);
    if (slot === undefined) {
      const at = this.size++;
      this.slots.set(subscriber, at);
      if (at < this.keys.length) {
        this.keys[at] = subscriber;
        this.amounts[at] = amount;
      } else {
        this.keys.push(subscriber);
        this.amounts.push(amount);
      }
    } else {
      this.amounts[slot] = (this.amounts[slot] as number) + amount;
    }
    this.total += amount;
  }

  /** Takes `amount` (> 0) from `subscriber`; reaching 0 or below forgets it. */
  subtract(subscriber: S, amount: number): void {
    const slot = this.slots.get(subscriber);
    if (slot === undefined) return;
    const left = (this.amounts[slot] as number) - amount;
    if (left > 0) {
      this.amounts[slot] = left;
      this.total -= amount;
    } else {
      this.#removeAt(slot);
    }
  }

  /**
   * Takes `amount` (from 1 to the demand) from the subscriber in `slot` without moving any slot;
   * returns true when its demand reached 0. Follow with {@link DemandTable.removeEmpty}.
   */
  takeAt(slot: number, amount: number): boolean {
    const left = (this.amounts[slot] as number) - amount;
    this.amounts[slot] = left;
    this.total -= amount;
    return left === 0;
  }

  /**
   * Forgets the subscribers in `slots[0..count)`, whose demand {@link DemandTable.takeAt} took to
   * 0. Removes them from the highest slot down, so each swap-remove moves a slot that stays.
   */
  removeEmpty(slots: number[], count: number): void {
    if (count === this.size) {
      this.clear();
      return;
    }
    if (count > 1) {
      const sorted = slots.slice(0, count).sort((a, b) => b - a);
      for (let i = 0; i < count; i++) this.#removeAt(sorted[i] as number);
    } else if (count === 1) {
      this.#removeAt(slots[0] as number);
    }
  }

  /** Forgets `subscriber` and its demand; returns how much demand it had. */
  delete(subscriber: S): number {
    const slot = this.slots.get(subscriber);
    return slot === undefined ? 0 : this.#removeAt(slot);
  }

  /** Forgets every subscriber. */
  clear(): void {
    const { keys, amounts } = this;
    for (let i = 0; i < this.size; i++) {
      keys[i] = undefined as S;
      amounts[i] = 0;
    }
    this.slots.clear();
    this.size = 0;
    this.total = 0;
  }

  /** Copies `source` into this (empty) table. */
  copyFrom(source: DemandTable<S>): void {
    for (let i = 0; i < source.size; i++) this.add(source.keys[i] as S, source.amounts[i] as number);
  }

  #removeAt(slot: number): number {
    const { keys, amounts, slots } = this;
    const amount = amounts[slot] as number;
    const last = --this.size;
    slots.delete(keys[slot] as S);
    if (slot !== last) {
      const moved = keys[last] as S;
      keys[slot] = moved;
      amounts[slot] = amounts[last] as number;
      slots.set(moved, slot);
    }
    keys[last] = undefined as S;
    amounts[last] = 0;
    this.total -= amount;
    return amount;
  }
}

/** The snapshot `Demands` and views iterate: `[subscriber, demand]` pairs taken when iteration starts. */
export function* iterateTable<S>(table: DemandTable<S>): IterableIterator<[S, number]> {
  const keys = table.keys.slice(0, table.size);
  const amounts = table.amounts.slice(0, table.size);
  for (let i = 0; i < keys.length; i++) yield [keys[i] as S, amounts[i] as number];
}

/** A new `Map` of every subscriber with demand > 0. */
export function tableToMap<S>(table: DemandTable<S>): Map<S, number> {
  const map = new Map<S, number>();
  for (let i = 0; i < table.size; i++) map.set(table.keys[i] as S, table.amounts[i] as number);
  return map;
}

/** The subscriber in `slot`, or `undefined` outside `0 <= slot < size`. */
export function keyAt<S>(table: DemandTable<S>, slot: number): S {
  return (slot < table.size ? table.keys[slot] : undefined) as S;
}

/** The demand in `slot`, or `undefined` outside `0 <= slot < size`. */
export function amountAt<S>(table: DemandTable<S>, slot: number): number {
  return (slot < table.size ? table.amounts[slot] : undefined) as number;
}
