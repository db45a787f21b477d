// Load-balanced groups of emitters per subscription: each event goes to one random member (reckon_db's emitter groups).
import { assertCount, assertFunction, assertKnownKeys, assertObject, describeValue } from '@dispenser/core/internal';
import { handError, reportError, toPromise } from './internal/async';

/**
 * What an {@link Emitter} receives from {@link EmitterGroup.broadcast}.
 *
 * `kind` is `'forward_to_local'` when the emitter runs on the group's own node (deliver directly)
 * and `'broadcast'` when it runs elsewhere (publish on `topic`).
 */
export interface EmitterMessage<E> {
  /** `'forward_to_local'` for a member on this group's node, `'broadcast'` for one elsewhere. */
  kind: 'forward_to_local' | 'broadcast';
  /** The topic the event was emitted on. */
  topic: string;
  /** The event. */
  event: E;
}

/**
 * A member of an emitter group: anything with a `handle` method, optionally tagged with the node
 * it runs on (members without a `node` count as local). `handle` may return a promise (or any
 * thenable), which is only watched for failure.
 *
 * @example
 * ```ts
 * const emitter: Emitter<OrderEvent> = { handle: (message) => queue.push(message.event) };
 * ```
 */
export interface Emitter<E> {
  /** Takes one message; a returned promise is only watched for failure. */
  handle(message: EmitterMessage<E>): void | PromiseLike<void>;
  /** The node this member runs on; without it the member counts as local. */
  readonly node?: string;
}

/** Options of {@link EmitterGroup}. */
export interface EmitterGroupOptions<E> {
  /**
   * The node this group runs on: members whose `node` equals it (or who have no `node`) get
   * `'forward_to_local'`, the others `'broadcast'`.
   * @default undefined (only members without a `node` are local)
   */
  node?: string;
  /**
   * Source of randomness for picking a member: returns a number in [0, 1).
   * @default Math.random
   */
  random?: () => number;
  /**
   * Called when a member's `handle` throws or returns a promise that rejects (or a thenable whose
   * `then` throws); the group keeps working either way. When `onError` itself throws, that error
   * goes to `console.error`.
   * @default report on `console.error`
   */
  onError?: (error: unknown, member: Emitter<E>) => void;
}

/** The option names of {@link EmitterGroup}, checked by `assertKnownKeys`; the `satisfies` keeps them complete. */
const OPTION_KEYS = /*#__PURE__*/ Object.keys({
  node: true,
  random: true,
  onError: true,
} satisfies Record<keyof EmitterGroupOptions<unknown>, true>);

/**
 * The pub/sub topic of a subscription: `` `${store}:${subscription}` ``. The `$all` subscription
 * (every event of a store) follows the same rule and gives `` `${store}:$all` ``.
 *
 * @throws TypeError when `store` or `subscription` is not a string
 * @example
 * ```ts
 * topic('orders', 'billing'); // 'orders:billing'
 * topic('orders', '$all');    // 'orders:$all'
 * ```
 */
export function topic(store: string, subscription: string): string {
  assertName('store', store);
  assertName('subscription', subscription);
  return `${store}:${subscription}`;
}

/**
 * The registration name of a subscription's emitter: `` `${store}_${subscription}_emitter` `` for
 * the first one and `` `${store}_${subscription}_emitter_${n}` `` for the n-th when n ≥ 2.
 *
 * @param n - which emitter of the pool, counting from 1; 1 (or leaving it out) gives the base name
 * @throws TypeError when `store` or `subscription` is not a string, or `n` is not a number
 * @throws RangeError when `n` is not a safe integer ≥ 1
 * @example
 * ```ts
 * emitterName('orders', 'billing');    // 'orders_billing_emitter'
 * emitterName('orders', 'billing', 3); // 'orders_billing_emitter_3'
 * ```
 */
export function emitterName(store: string, subscription: string, n?: number): string {
  assertName('store', store);
  assertName('subscription', subscription);
  if (n !== undefined) assertCount('n', n, 1);
  const base = `${store}_${subscription}_emitter`;
  return n === undefined || n === 1 ? base : `${base}_${n}`;
}

/**
 * Groups of emitters per (store, subscription). {@link EmitterGroup.broadcast} hands each event to
 * one member picked at random, so a pool of emitters shares the load of a subscription.
 *
 * **When to use:** to spread the events of a subscription over several workers, some of which may
 * live on other nodes, without a central dispatcher.
 *
 * **Gotchas:**
 * - A member joined twice is in the group twice: it is picked twice as often, and each
 *   {@link EmitterGroup.leave} removes one membership.
 * - A member whose `handle` throws (or rejects) is reported to `onError` and stays in the group;
 *   `broadcast` still returns `'ok'`, since the event was handed over, and never throws for a
 *   member. Without `onError` the error is reported on `console.error`: a failing member never
 *   crashes the process. What `handle` returns is read as `await` would (`Promise.resolve`), so
 *   a thenable whose `then` throws is a failure like a rejection.
 * - Groups are plain in-process state; nothing is shared between `EmitterGroup` instances.
 *
 * @example
 * ```ts
 * const group = new EmitterGroup<string>({ node: 'a' });
 * group.join('orders', 'billing', [
 *   { handle: (m) => console.log('local', m.kind) },
 *   { node: 'b', handle: (m) => console.log('remote', m.kind) },
 * ]);
 * group.broadcast('orders', 'billing', 'order-42'); // 'ok': logs "local forward_to_local" or "remote broadcast"
 * group.broadcast('orders', 'audit', 'order-42');   // 'no_emitters'
 * ```
 * @see {@link topic}, {@link emitterName}
 */
export class EmitterGroup<E> {
  /** The node this group runs on; `undefined` when none was given. */
  readonly node: string | undefined;
  readonly #random: () => number;
  readonly #onError: (error: unknown, member: Emitter<E>) => void;
  readonly #groups = new Map<string, Map<string, Emitter<E>[]>>();
  readonly #persisted = new Map<string, Map<string, readonly string[]>>();

  /**
   * @param options - see {@link EmitterGroupOptions}
   * @throws TypeError when `options` is not an object or has a key that is not an option (the
   *   message lists the known ones), `options.node` is not a string, or `options.random` or
   *   `options.onError` is not a function
   * @example
   * ```ts
   * const group = new EmitterGroup<OrderEvent>({ node: 'node-1', onError: (error) => log.warn(error) });
   * ```
   */
  constructor(options: EmitterGroupOptions<E> = {}) {
    assertObject('options', options);
    assertKnownKeys('options', options, OPTION_KEYS);
    const { node, random = Math.random, onError = reportError } = options;
    if (node !== undefined && typeof node !== 'string') {
      throw new TypeError(`options.node must be a string, received ${describeValue(node)}`);
    }
    assertFunction('options.random', random);
    assertFunction('options.onError', onError);
    this.node = node;
    this.#random = random;
    this.#onError = onError;
  }

  /**
   * Adds one member, or each member of an array, to the group of a subscription.
   *
   * @throws TypeError when `store`/`subscription` is not a string or a member has no `handle`
   *   function (nothing is added then)
   * @example
   * ```ts
   * group.join('orders', 'billing', [first, second]);
   * ```
   */
  join(store: string, subscription: string, members: Emitter<E> | Emitter<E>[]): void {
    const list = checkedMembers(store, subscription, members);
    if (list.length === 0) return;
    let bySubscription = this.#groups.get(store);
    if (bySubscription === undefined) {
      bySubscription = new Map();
      this.#groups.set(store, bySubscription);
    }
    const group = bySubscription.get(subscription);
    if (group === undefined) bySubscription.set(subscription, [...list]);
    else for (const member of list) group.push(member);
  }

  /**
   * Removes one membership of each given member. Members that are not in the group are ignored.
   *
   * @throws TypeError when `store`/`subscription` is not a string or a member has no `handle`
   *   function (nothing is removed then)
   * @example
   * ```ts
   * group.leave('orders', 'billing', first);
   * ```
   */
  leave(store: string, subscription: string, members: Emitter<E> | Emitter<E>[]): void {
    const list = checkedMembers(store, subscription, members);
    const bySubscription = this.#groups.get(store);
    const group = bySubscription?.get(subscription);
    if (bySubscription === undefined || group === undefined) return;
    for (const member of list) {
      const index = group.lastIndexOf(member);
      if (index !== -1) group.splice(index, 1);
    }
    if (group.length === 0) {
      bySubscription.delete(subscription);
      if (bySubscription.size === 0) this.#groups.delete(store);
    }
  }

  /**
   * The members of a subscription's group in join order (a member joined twice appears twice);
   * `[]` for an unknown group. The array is a copy.
   *
   * @throws TypeError when `store` or `subscription` is not a string
   * @example
   * ```ts
   * group.members('orders', 'billing').length; // 2
   * ```
   */
  members(store: string, subscription: string): Emitter<E>[] {
    assertName('store', store);
    assertName('subscription', subscription);
    const group = this.#groups.get(store)?.get(subscription);
    return group === undefined ? [] : [...group];
  }

  /**
   * Hands `event` to one member of the subscription's group, chosen uniformly at random (by
   * membership), with `kind` telling whether that member is local to this group's node.
   *
   * @returns `'ok'` once a member was given the event (also when it failed on it: that goes to
   *   `onError`), `'no_emitters'` when the group is empty
   * @throws TypeError when `store` or `subscription` is not a string
   * @example
   * ```ts
   * if (group.broadcast('orders', '$all', event) === 'no_emitters') startEmitters();
   * ```
   */
  broadcast(store: string, subscription: string, event: E): 'ok' | 'no_emitters' {
    const name = topic(store, subscription);
    const group = this.#groups.get(store)?.get(subscription);
    if (group === undefined || group.length === 0) return 'no_emitters';
    const member = group[pickIndex(this.#random(), group.length)] as Emitter<E>;
    const local = member.node === undefined || member.node === this.node;
    const message: EmitterMessage<E> = { kind: local ? 'forward_to_local' : 'broadcast', topic: name, event };
    let result: unknown;
    try {
      result = member.handle(message);
    } catch (error) {
      this.#report(error, member);
      return 'ok';
    }
    void toPromise(result)?.then(undefined, (error: unknown) => this.#report(error, member));
    return 'ok';
  }

  /** Hands a member's failure to `onError`; an `onError` that throws is reported, never rethrown. */
  #report(error: unknown, member: Emitter<E>): void {
    handError(this.#onError, error, member);
  }

  /**
   * Computes the names of a pool of `poolSize` emitters, `[base, base_2, …, base_poolSize]` (see
   * {@link emitterName}), remembers them for {@link EmitterGroup.retrieveEmitters} and returns
   * them. Calling it again with another size replaces what was remembered.
   *
   * @throws TypeError when `store` or `subscription` is not a string
   * @throws RangeError when `poolSize` is not a safe integer ≥ 1 (nothing is remembered then)
   * @example
   * ```ts
   * group.persistEmitters('orders', 'billing', 3);
   * // ['orders_billing_emitter', 'orders_billing_emitter_2', 'orders_billing_emitter_3']
   * ```
   */
  persistEmitters(store: string, subscription: string, poolSize: number): string[] {
    assertName('store', store);
    assertName('subscription', subscription);
    assertCount('poolSize', poolSize, 1);
    const names = new Array<string>(poolSize);
    for (let n = 1; n <= poolSize; n++) names[n - 1] = emitterName(store, subscription, n);
    let bySubscription = this.#persisted.get(store);
    if (bySubscription === undefined) {
      bySubscription = new Map();
      this.#persisted.set(store, bySubscription);
    }
    bySubscription.set(subscription, names);
    return [...names];
  }

  /**
   * The names last remembered by {@link EmitterGroup.persistEmitters} for a subscription, or `[]`.
   *
   * @throws TypeError when `store` or `subscription` is not a string
   * @example
   * ```ts
   * group.retrieveEmitters('orders', 'billing'); // [] until persistEmitters was called
   * ```
   */
  retrieveEmitters(store: string, subscription: string): string[] {
    assertName('store', store);
    assertName('subscription', subscription);
    const names = this.#persisted.get(store)?.get(subscription);
    return names === undefined ? [] : [...names];
  }
}

function assertName(name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string') {
    throw new TypeError(`${name} must be a string, received ${describeValue(value)}`);
  }
}

/** Validates the arguments of join/leave and returns the members as an array. */
function checkedMembers<E>(store: unknown, subscription: unknown, members: unknown): readonly Emitter<E>[] {
  assertName('store', store);
  assertName('subscription', subscription);
  const list = Array.isArray(members) ? (members as unknown[]) : [members];
  for (const member of list) {
    if (
      member === null ||
      typeof member !== 'object' ||
      typeof (member as { handle?: unknown }).handle !== 'function'
    ) {
      throw new TypeError(
        `members must be an emitter (an object with a handle method) or an array of them, received ${describeValue(member)}`,
      );
    }
  }
  return list as Emitter<E>[];
}

/** Maps a random number in [0, 1) to an index below `length`, clamping out-of-range numbers. */
function pickIndex(random: number, length: number): number {
  const index = Math.floor(random * length);
  if (!(index >= 0)) return 0;
  return index >= length ? length - 1 : index;
}

