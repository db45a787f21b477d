// Checks a strategy's list of assignments against the contract, in O(list length), before any change.
import type { AssignmentStrategy } from '../assignment-strategy';
import type { ReadonlyDemands } from '../demands';
import { StrategyContractError, type StrategyContractRule } from '../errors';
import { describeValue } from '../validate';
import { DemandTable } from './demand-table';

/**
 * Reads a strategy's result once and checks every rule of the contract, without changing
 * anything. Structural only: any array of two-element arrays passes the shape check, whichever
 * copy of `@dispenser/core` (or realm) built it.
 *
 * Reusable: the marks that catch a subscriber named twice live in an array indexed by slot and
 * stamped with a fresh epoch per check, so a check allocates nothing but what it returns.
 */
export class AssignmentCheck<S> {
  /** Per slot: the epoch of the last check that saw the subscriber in it (dense, grown to the table). */
  #seen = new Float64Array(16);
  #epoch = 0;

  /**
   * Checks `result` against `table` and `eventCount`.
   *
   * @param subscribers - filled with the subscriber of each entry, in list order
   * @param slots - filled with the table slot of each entry's subscriber
   * @param counts - filled with the count of each entry, in list order
   * @returns the number of entries
   * @throws StrategyContractError naming the broken rule
   */
  read(
    strategy: AssignmentStrategy,
    result: unknown,
    table: DemandTable<S>,
    eventCount: number,
    subscribers: S[],
    slots: number[],
    counts: number[],
  ): number {
    if (!Array.isArray(result)) {
      throw broken(strategy, 'not-a-list', `must return an array of [subscriber, count] pairs, received ${describeValue(result)}`);
    }
    const length = result.length;
    if (this.#seen.length < table.size) this.#seen = new Float64Array(2 ** Math.ceil(Math.log2(table.size)));
    const seen = this.#seen;
    const epoch = ++this.#epoch;
    const { amounts, keys } = table;
    const slotOf = table.slots;
    const size = table.size;
    let sum = 0;
    for (let i = 0; i < length; i++) {
      const entry: unknown = result[i];
      if (!Array.isArray(entry) || entry.length !== 2) {
        throw broken(strategy, 'malformed-entry', `returned ${describeValue(entry)} at index ${i}, not a [subscriber, count] pair`);
      }
      const subscriber = entry[0] as S;
      const count: unknown = entry[1];
      // Strategies that walk the slots in order name slot i at index i: no lookup needed then.
      const slot = i < size && keys[i] === subscriber ? i : slotOf.get(subscriber);
      if (slot === undefined) {
        throw broken(strategy, 'no-demand', `assigned events at index ${i} to ${describeValue(subscriber)}, which has no demand`);
      }
      const demand = amounts[slot] as number;
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > demand) {
        throw broken(
          strategy,
          'bad-count',
          `assigned ${describeValue(count)} events at index ${i}; a count must be an integer from 1 to the subscriber's demand ${demand}`,
        );
      }
      if (seen[slot] === epoch) {
        throw broken(strategy, 'duplicate-subscriber', `named the subscriber at index ${i} a second time`);
      }
      seen[slot] = epoch;
      subscribers[i] = subscriber;
      slots[i] = slot;
      counts[i] = count;
      sum += count;
    }
    if (sum > eventCount) {
      throw broken(strategy, 'too-many-events', `assigned ${sum} events, but only ${eventCount} are buffered`);
    }
    return length;
  }
}

function broken(strategy: AssignmentStrategy, rule: StrategyContractRule, detail: string): StrategyContractError {
  return new StrategyContractError(`strategy '${String(strategy.name)}' broke its contract (${rule}): it ${detail}`, { rule });
}

/**
 * Checks `result` as `EventBuffer` would, against any {@link ReadonlyDemands}: the one
 * implementation of the contract check, shared with the conformance kit in testing-utils.
 *
 * @throws StrategyContractError naming the broken rule
 */
export function assertValidAssignments<S>(
  strategy: AssignmentStrategy,
  result: unknown,
  demands: ReadonlyDemands<S>,
  eventCount: number,
): void {
  const table = new DemandTable<S>();
  for (let i = 0; i < demands.size; i++) table.add(demands.subscriberAt(i), demands.amountAt(i));
  new AssignmentCheck<S>().read(strategy, result, table, eventCount, [], [], []);
}
