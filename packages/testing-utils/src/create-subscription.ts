// Unique subscriber values for tests that only need something to hand out demand to.
import { describeValue } from '@dispenser/core/internal';

/**
 * A subscriber value made by {@link createSubscription}: a frozen object, unique by identity,
 * whose `name` shows up in test failure output.
 *
 * @example
 * ```ts
 * const subscriber: FakeSubscription = createSubscription('alice');
 * ```
 */
export interface FakeSubscription {
  /** A label for diffs and logs; not used for identity. */
  readonly name: string;
}

let created = 0;

/**
 * Creates a new subscriber value, never `===` to any other, for buffers and strategies that
 * accept any `Map` key as a subscriber.
 *
 * @param name - a label for failure output
 * @default name `'subscription-<n>'`, numbered in creation order
 * @throws TypeError when `name` is given and is not a string
 * @example
 * ```ts
 * const a = createSubscription();
 * const b = createSubscription();
 * buffer.ask(a, 2);
 * buffer.ask(b, 2);
 * a === b; // false
 * ```
 */
export function createSubscription(name?: string): FakeSubscription {
  if (name !== undefined && typeof name !== 'string') {
    throw new TypeError(`name must be a string, received ${describeValue(name)}`);
  }
  created++;
  return Object.freeze({ name: name ?? `subscription-${created}` });
}
