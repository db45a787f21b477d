// Numbered, frozen stand-in events for tests: easy to tell apart, compare and sort.
import { assertCount } from '@dispenser/core/internal';

/**
 * A stand-in event: a frozen object carrying its number. Two fake events are distinct objects
 * even when their numbers match, so identity checks (`toBe`) and value checks (`toEqual`) both work.
 *
 * @example
 * ```ts
 * const event: FakeEvent = { id: 7 };
 * ```
 */
export interface FakeEvent {
  /** The event's number; {@link createFakeEvents} numbers them 0, 1, 2, … */
  readonly id: number;
}

/**
 * Creates one fake event numbered `n`.
 *
 * The object is frozen, so code under test that mutates events throws in strict mode.
 *
 * @param n - the event's number, a non-negative safe integer
 * @default n 0
 * @throws TypeError / RangeError naming `n` when it is not a non-negative safe integer
 * @example
 * ```ts
 * createFakeEvent(3); // { id: 3 }
 * ```
 */
export function createFakeEvent(n = 0): FakeEvent {
  assertCount('n', n);
  return Object.freeze({ id: n });
}

/**
 * Creates `count` distinct fake events numbered `0` to `count - 1`, in order.
 *
 * @param count - how many events, a non-negative safe integer
 * @throws TypeError / RangeError naming `count` when it is not a non-negative safe integer
 * @example
 * ```ts
 * const events = createFakeEvents(3); // [{ id: 0 }, { id: 1 }, { id: 2 }]
 * buffer.append(events);
 * ```
 */
export function createFakeEvents(count: number): FakeEvent[] {
  assertCount('count', count);
  const events = new Array<FakeEvent>(count);
  for (let i = 0; i < count; i++) events[i] = Object.freeze({ id: i });
  return events;
}
