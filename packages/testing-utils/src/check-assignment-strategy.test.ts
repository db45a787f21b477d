import { Demands, type AssignmentStrategy, type ReadonlyDemands } from '@dispenser/core';
import { describe, expect, it } from 'vitest';
import { checkAssignmentStrategy, type StrategyProperty } from './check-assignment-strategy';
import { fillInOrder } from './test/fill-in-order';

/** Builds a broken variant of {@link fillInOrder}. */
function broken(
  name: string,
  change: <S>(
    result: { assigned: Demands<S>; remaining: Demands<S> },
    demands: ReadonlyDemands<S>,
    eventCount: number,
  ) => { assigned: Demands<S>; remaining: Demands<S> },
): AssignmentStrategy {
  return {
    name,
    assign: (demands, eventCount) => change(fillInOrder.assign(demands, eventCount), demands, eventCount),
  };
}

const overAssigning = broken('over-assigning', (_result, demands) => ({
  assigned: new Demands(demands),
  remaining: new Demands(),
}));

const mutating = broken('mutating', (result, demands) => {
  const first = demands.subscriberAt?.(0);
  if (first !== undefined) (demands as Demands<typeof first>).subtract(first, 1);
  return result;
});

const losingDemand = broken('losing-demand', (result) => ({ assigned: result.assigned, remaining: new Demands() }));

const notWorkConserving = broken('one-each', (_result, demands, eventCount) => {
  const assigned = new Demands<unknown>();
  const remaining = new Demands<unknown>(demands);
  let left = eventCount;
  for (const [subscriber] of demands) {
    if (left === 0) break;
    assigned.add(subscriber, 1);
    remaining.subtract(subscriber, 1);
    left--;
  }
  return { assigned, remaining } as never;
});

const inventingSubscribers = broken('ghost', (result) => {
  result.assigned.add('ghost' as never, 0);
  result.remaining.add('ghost' as never, 1);
  return result;
});

const throwing = broken('throwing', (result, _demands, eventCount) => {
  if (eventCount > 500) throw new Error('too many events');
  return result;
});

const plainObjects: AssignmentStrategy = {
  name: 'plain-objects',
  assign: (demands, eventCount) => {
    const { assigned, remaining } = fillInOrder.assign(demands, eventCount);
    return { assigned: new Map(assigned) as never, remaining };
  },
};

function violated(strategy: AssignmentStrategy, options = {}): StrategyProperty[] {
  return checkAssignmentStrategy(strategy, { runs: 60, seed: 1, ...options }).map((v) => v.property);
}

describe('checkAssignmentStrategy', () => {
  it('finds no violation in a correct strategy', () => {
    expect(checkAssignmentStrategy(fillInOrder, { runs: 100 })).toEqual([]);
  });

  it('catches a strategy that assigns more than eventCount', () => {
    expect(violated(overAssigning)).toEqual(['bounded', 'work-conserving']);
  });

  it('catches a strategy that mutates its input', () => {
    expect(violated(mutating)).toEqual(['no-mutation']);
  });

  it('catches a strategy that loses demand', () => {
    expect(violated(losingDemand)).toEqual(['balanced']);
  });

  it('catches a strategy that holds events back, unless workConserving is false', () => {
    expect(violated(notWorkConserving)).toEqual(['work-conserving']);
    expect(violated(notWorkConserving, { workConserving: false })).toEqual([]);
  });

  it('catches a strategy that makes up subscribers', () => {
    const [violation] = checkAssignmentStrategy(inventingSubscribers, { runs: 20, seed: 1 });
    expect(violation?.property).toBe('balanced');
    expect(violation?.message).toMatch(/remaining holds 1 for "ghost", which had no demand/);
  });

  it('catches a strategy that throws, without repeating it under every property', () => {
    expect(violated(throwing)).toEqual(['no-throw']);
  });

  it('catches a strategy that does not return Demands instances', () => {
    expect(violated(plainObjects)).toEqual(['returns-demands']);
  });

  it('reports a shrunk counterexample that reproduces the violation', () => {
    const [violation] = checkAssignmentStrategy(overAssigning, { runs: 60, properties: ['bounded'] });
    if (violation === undefined) throw new Error('expected a violation');
    const { demands, eventCount } = violation.counterexample;
    // Shrinking reaches the smallest case: one subscriber wanting 1 event, none available.
    expect(demands.map(([, amount]) => amount)).toEqual([1]);
    expect(eventCount).toBe(0);
    const input = new Demands<unknown>(demands as Array<[unknown, number]>);
    expect(overAssigning.assign(input, eventCount).assigned.total).toBeGreaterThan(eventCount);
  });

  it('reports the seed and path, which replay the same counterexample', () => {
    const [violation] = checkAssignmentStrategy(losingDemand, { runs: 60, seed: 1234, properties: ['balanced'] });
    if (violation === undefined) throw new Error('expected a violation');
    expect(violation.seed).toBe(1234);
    expect(violation?.path).toMatch(/^\d+(:\d+)*$/);
    expect(violation?.message).toContain(`seed: 1234, path: "${violation?.path}"`);
    const [replayed] = checkAssignmentStrategy(losingDemand, {
      seed: 1234,
      path: violation.path,
      properties: ['balanced'],
    });
    expect(replayed?.counterexample.eventCount).toBe(violation?.counterexample.eventCount);
    expect(replayed?.counterexample.demands.map(([, n]) => n)).toEqual(violation?.counterexample.demands.map(([, n]) => n));
  });

  it('generates the same inputs for the same seed', () => {
    const first = checkAssignmentStrategy(overAssigning, { runs: 30, seed: 99 });
    const second = checkAssignmentStrategy(overAssigning, { runs: 30, seed: 99 });
    expect(second.map((v) => v.message)).toEqual(first.map((v) => v.message));
  });

  it('tries strings, objects and symbols as subscribers, and event counts both below and above the demand', () => {
    const kinds = new Set<string>();
    let below = false;
    let above = false;
    let most = 0;
    const spy: AssignmentStrategy = {
      name: 'spy',
      assign(demands, eventCount) {
        for (const [subscriber] of demands) kinds.add(typeof subscriber);
        most = Math.max(most, demands.size);
        if (demands.total > 0 && eventCount < demands.total) below = true;
        if (demands.total > 0 && eventCount > demands.total) above = true;
        return fillInOrder.assign(demands, eventCount);
      },
    };
    checkAssignmentStrategy(spy, { runs: 100, seed: 7, properties: ['no-throw'] });
    expect([...kinds].sort()).toEqual(['object', 'string', 'symbol']);
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
    expect(violated(overAssigning, { properties: ['balanced', 'work-conserving'] })).toEqual(['work-conserving']);
  });

  it('rejects bad options, naming them', () => {
    expect(() => checkAssignmentStrategy(fillInOrder, { runs: 0 })).toThrow(/runs/);
    expect(() => checkAssignmentStrategy(fillInOrder, { maxDemand: -1 })).toThrow(/maxDemand/);
    expect(() => checkAssignmentStrategy(fillInOrder, { seed: 1.5 })).toThrow(/seed/);
    expect(() => checkAssignmentStrategy(fillInOrder, { properties: ['fast' as never] })).toThrow(RangeError);
    expect(() => checkAssignmentStrategy({ name: 'x' } as never)).toThrow(/strategy\.assign/);
  });
});
