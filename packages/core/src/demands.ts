// Demand per subscriber with an O(1) total, O(1) clone and O(1) random access by slot.
import { assertCount, describeValue } from './validate';

/**
 * Read-only view of subscriber demands: what assignment strategies receive.
 *
 * Iteration yields `[subscriber, demand]` for every subscriber with demand > 0, in no
 * particular order.
 */
export interface ReadonlyDemands<S> extends Iterable<[S, number]> {
  /** The demand of `subscriber`; 0 when it is unknown. */
  get(subscriber: S): number;
  /** Sum of all demands; O(1). */
  readonly total: number;
  /** Number of subscribers with demand > 0. */
  readonly size: number;
  /** A new map of every subscriber with demand > 0; O(size). */
  subscribers(): ReadonlyMap<S, number>;
  /**
   * The subscriber in slot `index` (0 ≤ index < size), for sampling without a full scan.
   * Slots are dense but their order is unspecified and changes as subscribers leave.
   * Optional: strategies fall back to iteration when it is missing.
   */
  subscriberAt?(index: number): S | undefined;
}

// Operations that turn one version of the state into the next. Each has an inverse, which is
// what lets clone() share the state instead of copying it (Baker's rerooting trick: the newest
// version owns the live arrays, older versions hold the inverse operations leading back).
const SET = 0; // amounts[a] = b
const PUSH = 1; // append key with amount b
const POP = 2; // remove the last slot
const SWAP = 3; // swap slots a and b

interface State<S> {
  keys: S[];
  amounts: number[];
  slots: Map<S, number>;
  total: number;
}

/** A version of the demands: the root holds `state`; others describe how they differ from `next`. */
class Version<S> {
  state: State<S> | null;
  next: Version<S> | null = null;
  op = SET;
  a = 0;
  b = 0;
  key: S | undefined = undefined;
  /** True when another Demands (or an older version) may read this version. */
  shared = false;

  constructor(state: State<S> | null) {
    this.state = state;
  }
}

/** Applies one operation to `state`; when `inverse` is given, writes the undoing operation into it. */
function apply<S>(state: State<S>, op: number, a: number, b: number, key: S | undefined, inverse: Version<S> | null): void {
  const { keys, amounts, slots } = state;
  switch (op) {
    case SET: {
      const old = amounts[a] as number;
      amounts[a] = b;
      state.total += b - old;
      if (inverse) setOp(inverse, SET, a, old, undefined);
      return;
    }
    case PUSH: {
      slots.set(key as S, keys.length);
      keys.push(key as S);
      amounts.push(b);
      state.total += b;
      if (inverse) setOp(inverse, POP, 0, 0, undefined);
      return;
    }
    case POP: {
      const last = keys.pop() as S;
      const amount = amounts.pop() as number;
      slots.delete(last);
      state.total -= amount;
      if (inverse) setOp(inverse, PUSH, 0, amount, last);
      return;
    }
    default: {
      const keyA = keys[a] as S;
      const keyB = keys[b] as S;
      const amountA = amounts[a] as number;
      keys[a] = keyB;
      keys[b] = keyA;
      amounts[a] = amounts[b] as number;
      amounts[b] = amountA;
      slots.set(keyB, a);
      slots.set(keyA, b);
      if (inverse) setOp(inverse, SWAP, a, b, undefined);
    }
  }
}

function setOp<S>(version: Version<S>, op: number, a: number, b: number, key: S | undefined): void {
  version.op = op;
  version.a = a;
  version.b = b;
  version.key = key;
}

/** Makes `version` the root (the holder of the live state) and returns that state. */
function reroot<S>(version: Version<S>): State<S> {
  if (version.state) return version.state;
  const path: Version<S>[] = [];
  let root: Version<S> = version;
  while (!root.state) {
    path.push(root);
    root = root.next as Version<S>;
  }
  const state = root.state;
  for (let i = path.length - 1; i >= 0; i--) {
    const diff = path[i] as Version<S>;
    apply(state, diff.op, diff.a, diff.b, diff.key, root);
    root.state = null;
    root.next = diff;
    diff.state = state;
    diff.next = null;
    diff.key = undefined;
    root = diff;
  }
  return state;
}

/**
 * Tracks how many events each subscriber is waiting for, with a constant-time total.
 *
 * Subscribers are any `Map` keys (identity is `===`). Only subscribers with demand > 0 are kept:
 * subtracting down to 0 forgets the subscriber.
 *
 * **When to use:** to hold demand in a custom buffer, or to build inputs for an
 * {@link AssignmentStrategy}.
 *
 * **Gotchas:** `clone()` is O(1): the copies share their storage and stay independent, so an
 * assignment strategy can derive `remaining` from its input without paying for subscribers
 * that receive nothing. Reading an old copy after the newer one changed costs time proportional
 * to the changes in between.
 *
 * @example
 * ```ts
 * const demands = new Demands<string>().add('a', 3).add('b', 2);
 * demands.total;        // 5
 * demands.subtract('a', 3);
 * demands.get('a');     // 0 (forgotten)
 * demands.size;         // 1
 * ```
 */
export class Demands<S> implements ReadonlyDemands<S> {
  #version: Version<S>;

  /**
   * @param entries - initial `[subscriber, demand]` pairs; repeated subscribers add up
   * @throws TypeError / RangeError when an amount is not a non-negative safe integer
   */
  constructor(entries?: Iterable<[S, number]>) {
    this.#version = new Version<S>({ keys: [], amounts: [], slots: new Map(), total: 0 });
    if (entries !== undefined) {
      for (const [subscriber, amount] of entries) this.add(subscriber, amount);
    }
  }

  get #state(): State<S> {
    return this.#version.state ?? reroot(this.#version);
  }

  /** Sum of all demands; O(1). */
  get total(): number {
    return this.#state.total;
  }

  /** Number of subscribers with demand > 0. */
  get size(): number {
    return this.#state.keys.length;
  }

  /**
   * The demand of `subscriber`.
   *
   * @returns its demand, or 0 when unknown
   */
  get(subscriber: S): number {
    const state = this.#state;
    const slot = state.slots.get(subscriber);
    return slot === undefined ? 0 : (state.amounts[slot] as number);
  }

  /** Whether `subscriber` has demand > 0. */
  has(subscriber: S): boolean {
    return this.#state.slots.has(subscriber);
  }

  /**
   * The subscriber in slot `index`, for O(1) random sampling (`0 ≤ index < size`).
   * Slot order is unspecified and changes when subscribers leave.
   */
  subscriberAt(index: number): S | undefined {
    return this.#state.keys[index];
  }

  /**
   * The demand of the subscriber in slot `index` (see {@link Demands.subscriberAt}), or
   * `undefined` outside `0 ≤ index < size`. With `subscriberAt` it lets hot loops walk the
   * demands by index without allocating.
   */
  amountAt(index: number): number | undefined {
    return this.#state.amounts[index];
  }

  /**
   * Adds demand for one subscriber. A subscriber can demand as much as it wants.
   *
   * @param amount - a non-negative safe integer; 0 changes nothing
   * @throws TypeError / RangeError for a bad amount, or when the total would pass
   *   `Number.MAX_SAFE_INTEGER` (nothing changes)
   */
  add(subscriber: S, amount: number): this {
    assertCount('amount', amount);
    if (amount === 0) return this;
    const state = this.#state;
    if (state.total + amount > Number.MAX_SAFE_INTEGER) {
      throw new RangeError(
        `amount ${describeValue(amount)} would take the total demand past Number.MAX_SAFE_INTEGER`,
      );
    }
    const slot = state.slots.get(subscriber);
    if (slot === undefined) this.#change(PUSH, 0, amount, subscriber);
    else this.#change(SET, slot, (state.amounts[slot] as number) + amount, undefined);
    return this;
  }

  /**
   * Removes demand from one subscriber; reaching 0 (or below) forgets it.
   *
   * @param amount - a non-negative safe integer; 0 changes nothing
   * @throws TypeError / RangeError for a bad amount (nothing changes)
   */
  subtract(subscriber: S, amount: number): this {
    assertCount('amount', amount);
    if (amount === 0) return this;
    const state = this.#state;
    const slot = state.slots.get(subscriber);
    if (slot === undefined) return this;
    const left = (state.amounts[slot] as number) - amount;
    if (left <= 0) this.#remove(slot);
    else this.#change(SET, slot, left, undefined);
    return this;
  }

  /** Forgets a subscriber and all its demand; unknown subscribers are ignored. */
  delete(subscriber: S): this {
    const slot = this.#state.slots.get(subscriber);
    if (slot !== undefined) this.#remove(slot);
    return this;
  }

  /** An independent copy, in O(1). */
  clone(): Demands<S> {
    const copy = new Demands<S>();
    this.#version.shared = true;
    copy.#version = this.#version;
    return copy;
  }

  /** A new map of every subscriber with demand > 0; O(size). */
  subscribers(): Map<S, number> {
    const { keys, amounts } = this.#state;
    const map = new Map<S, number>();
    for (let i = 0; i < keys.length; i++) map.set(keys[i] as S, amounts[i] as number);
    return map;
  }

  /** Yields `[subscriber, demand]` pairs of a snapshot taken when iteration starts. */
  *[Symbol.iterator](): IterableIterator<[S, number]> {
    const { keys, amounts } = this.#state;
    const snapshotKeys = keys.slice();
    const snapshotAmounts = amounts.slice();
    for (let i = 0; i < snapshotKeys.length; i++) {
      yield [snapshotKeys[i] as S, snapshotAmounts[i] as number];
    }
  }

  #remove(slot: number): void {
    const last = this.#state.keys.length - 1;
    if (slot !== last) this.#change(SWAP, slot, last, undefined);
    this.#change(POP, 0, 0, undefined);
  }

  #change(op: number, a: number, b: number, key: S | undefined): void {
    const version = this.#version;
    const state = version.state ?? reroot(version);
    if (!version.shared) {
      apply(state, op, a, b, key, null);
      return;
    }
    // Others may read `version`: move the live state to a fresh root and leave the inverse behind.
    const fresh = new Version<S>(state);
    fresh.shared = true;
    apply(state, op, a, b, key, version);
    version.state = null;
    version.next = fresh;
    this.#version = fresh;
  }
}
