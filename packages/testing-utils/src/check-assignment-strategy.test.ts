import { Demands, type Assignment, type AssignmentStrategy, type ReadonlyDemands } from '@dispenser/core';
import { describe, expect, it } from 'vitest';
import { checkAssignmentStrategy, type StrategyProperty } from './check-assignment-strategy';
import { fillInOrder } from './fill-in-order';

/** Builds a broken variant of {@link fillInOrder}. */
function broken(
  name: string,
  change: (result: Array<Assignment<unknown>>, demands: ReadonlyDemands<unknown>, eventCount: number) => unknown,
): AssignmentStrategy {
  return {
    name,
    assign: <S>(demands: ReadonlyDemands<S>, eventCount: number) =>
      change(
        [...fillInOrder.assign(demands as ReadonlyDemands<unknown>, eventCount)],
        demands as ReadonlyDemands<unknown>,
        eventCount,
      ) as ReadonlyArray<Assignment<S>>,
  };
}

/** Everything each subscriber asked for, whatever eventCount is. */
const overAssigning = broken('over-assigning', (_result, demands) => [...demands]);

const mutating = broken('mutating', (result, demands) => {
  if (demands instanceof Demands && demands.size > 0) demands.subtract(demands.subscriberAt(0), 1);
  return result;
});

const duplicating = broken('duplicating', (result) => result.flatMap(([subscriber, count]) =>
  count > 1 ? [[subscriber, 1], [subscriber, count - 1]] : [[subscriber, count]],
));

const notWorkConserving = broken('one-each', (result) => result.map(([subscriber]) => [subscriber, 1]));

const inventingSubscribers = broken('ghost', (result) => [...result, ['ghost', 1]]);

const throwing = broken('throwing', (result, _demands, eventCount) => {
  if (eventCount > 500) throw new Error('too many events');
  return result;
});

const oldContract = broken('old-contract', () => ({ assigned: new Demands(), remaining: new Demands() }));

let calls = 0;
const flipping = broken('flipping', (result) => (++calls % 2 === 0 ? [...result].reverse() : result));

function violated(strategy: AssignmentStrategy, options = {}): StrategyProperty[] {
  return checkAssignmentStrategy(strategy, { runs: 60, seed: 1, ...options }).map((v) => v.property);
}

describe('checkAssignmentStrategy', () => {
  it('finds no violation in a correct strategy, deterministic one included', () => {
    expect(checkAssignmentStrategy(fillInOrder, { runs: 100, deterministic: true })).toEqual([]);
  });

  it('catches a strategy that assigns more than eventCount', () => {
    const [violation] = checkAssignmentStrategy(overAssigning, { runs: 60, seed: 1, properties: ['valid-assignments'] });
    expect(violation?.message).toMatch(/\(too-many-events\)/);
    expect(violated(overAssigning)).toEqual(['valid-assignments']);
  });

  it('catches a strategy that mutates a core Demands it was given', () => {
    const [violation] = checkAssignmentStrategy(mutating, { runs: 60, seed: 1 });
    expect(violation?.property).toBe('valid-assignments');
    expect(violation?.message).toMatch(/assign changed its input/);
    expect(violation?.counterexample.kind).toBe('Demands');
  });

  it('catches a strategy that names a subscriber twice', () => {
    const [violation] = checkAssignmentStrategy(duplicating, { runs: 60, seed: 1 });
    expect(violation?.message).toMatch(/\(duplicate-subscriber\)/);
  });

  it('catches a strategy that holds events back, unless workConserving is false', () => {
    expect(violated(notWorkConserving)).toEqual(['work-conserving']);
    expect(violated(notWorkConserving, { workConserving: false })).toEqual([]);
  });

  it('catches a strategy that makes up subscribers', () => {
    const [violation] = checkAssignmentStrategy(inventingSubscribers, { runs: 20, seed: 1 });
    expect(violation?.property).toBe('valid-assignments');
    expect(violation?.message).toMatch(/\(no-demand\): it assigned events at index \d+ to "ghost", which has no demand/);
  });

  it('catches a strategy that throws, reporting it once', () => {
    const violations = checkAssignmentStrategy(throwing, { runs: 60, seed: 1 });
    expect(violations.map((v) => v.property)).toEqual(['valid-assignments', 'work-conserving']);
    expect(violations[0]?.message).toMatch(/assign threw Error: too many events/);
  });

  it('catches a strategy written for the old contract', () => {
    const [violation] = checkAssignmentStrategy(oldContract, { runs: 20, seed: 1 });
    expect(violation?.message).toMatch(/\(not-a-list\)/);
  });

  it('catches a strategy whose answer changes for equal inputs, when asked to', () => {
    expect(violated(flipping)).toEqual([]);
    expect(violated(flipping, { deterministic: true })).toEqual(['deterministic']);
  });

  it('reports a shrunk counterexample that reproduces the violation', () => {
    const [violation] = checkAssignmentStrategy(overAssigning, { runs: 60, properties: ['valid-assignments'] });
    if (violation === undefined) throw new Error('expected a violation');
    const { demands, eventCount } = violation.counterexample;
    // Shrinking reaches the smallest case: one subscriber wanting 1 event, none available.
    expect(demands.map(([, amount]) => amount)).toEqual([1]);
    expect(eventCount).toBe(0);
    expect(violation.message).toMatch(/counterexample: demands \[\[.*,1\]\] \(as (Demands|ReadonlyDemands)\), eventCount 0/);
  });

  it('reports the seed and path, which replay the same counterexample', () => {
    const [violation] = checkAssignmentStrategy(overAssigning, { runs: 60, seed: 1234, properties: ['valid-assignments'] });
    if (violation === undefined) throw new Error('expected a violation');
    expect(violation.seed).toBe(1234);
    expect(violation?.path).toMatch(/^\d+(:\d+)*$/);
    expect(violation?.message).toContain(`seed: 1234, path: "${violation?.path}"`);
    const [replayed] = checkAssignmentStrategy(overAssigning, {
      seed: 1234,
      path: violation.path,
      properties: ['valid-assignments'],
    });
    expect(replayed?.counterexample.eventCount).toBe(violation?.counterexample.eventCount);
    expect(replayed?.counterexample.demands.map(([, n]) => n)).toEqual(violation?.counterexample.demands.map(([, n]) => n));
  });

  it('generates the same inputs for the same seed', () => {
    const first = checkAssignmentStrategy(overAssigning, { runs: 30, seed: 99 });
    const second = checkAssignmentStrategy(overAssigning, { runs: 30, seed: 99 });
    expect(second.map((v) => v.message)).toEqual(first.map((v) => v.message));
  });

  it('tries strings, objects and symbols as subscribers, core and foreign demands, and counts below and above the demand', () => {
    const kinds = new Set<string>();
    const inputs = new Set<string>();
    let below = false;
    let above = false;
    let most = 0;
    const spy: AssignmentStrategy = {
      name: 'spy',
      assign(demands, eventCount) {
        for (const [subscriber] of demands) kinds.add(typeof subscriber);
        inputs.add(demands instanceof Demands ? 'core' : Object.isFrozen(demands) && !('add' in demands) ? 'foreign' : 'other');
        most = Math.max(most, demands.size);
        if (demands.total > 0 && eventCount < demands.total) below = true;
        if (demands.total > 0 && eventCount > demands.total) above = true;
        return fillInOrder.assign(demands, eventCount);
      },
    };
    checkAssignmentStrategy(spy, { runs: 100, seed: 7, properties: ['valid-assignments'] });
    expect([...kinds].sort()).toEqual(['object', 'string', 'symbol']);
    expect([...inputs].sort()).toEqual(['core', 'foreign']);
    expect([below, above]).toEqual([true, true]);
    expect(most).toBeGreaterThan(10);
    expect(most).toBeLessThanOrEqual(50);
  });

  it('keeps generated inputs within maxSubscribers and maxDemand', () => {
    const spy: AssignmentStrategy = {
      name: 'bounded-spy',
      assign(demands, eventCount) {
        expect(demands.size).toBeLessThanOrEqual(3);
        for (const [, demand] of demands) expect(demand).toBeLessThanOrEqual(5);
        return fillInOrder.assign(demands, eventCount);
      },
    };
    expect(checkAssignmentStrategy(spy, { runs: 50, maxSubscribers: 3, maxDemand: 5 })).toEqual([]);
  });

  it('checks only the requested properties', () => {
    expect(violated(overAssigning, { properties: ['work-conserving'] })).toEqual([]);
    expect(violated(notWorkConserving, { properties: ['valid-assignments'] })).toEqual([]);
  });

  it('rejects bad options, naming them', () => {
    expect(() => checkAssignmentStrategy(fillInOrder, { runs: 0 })).toThrow(/runs/);
    expect(() => checkAssignmentStrategy(fillInOrder, { maxDemand: -1 })).toThrow(/maxDemand/);
    expect(() => checkAssignmentStrategy(fillInOrder, { seed: 1.5 })).toThrow(/seed/);
    expect(() => checkAssignmentStrategy(fillInOrder, { properties: ['fast' as never] })).toThrow(RangeError);
    expect(() => checkAssignmentStrategy({ name: 'x' } as never)).toThrow(/strategy\.assign/);
    expect(() => checkAssignmentStrategy(fillInOrder, { run: 5 } as never)).toThrow(/options has unknown key "run"; known keys: runs,/);
    expect(() => checkAssignmentStrategy(fillInOrder, { runs: 0 })).toThrow(/^options\.runs must be/);
  });
});
