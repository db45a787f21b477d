// Test helpers (not exported): the contract every work-conserving split strategy keeps, for properties.
import { Demands, type AssignmentStrategy } from '@dispenser/core';
import { fc } from '@fast-check/vitest';
import { expect } from 'vitest';

/** Demands of up to 25 subscribers (numbered by position), 1 to 30 each. */
export const demandList = fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 25 });

/** Event counts, mostly in the range of one subscriber's demand, sometimes of all of them. */
export const eventCount = fc.oneof(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 400 }));

/**
 * Runs `strategy`, checks the contract every work-conserving strategy keeps (valid pairs, no
 * subscriber twice, input unchanged, min(eventCount, total) assigned), and returns the list with
 * what it assigns and what it leaves as `Demands`.
 */
export function assignChecked(strategy: AssignmentStrategy, demands: Demands<number>, eventCount: number) {
  const before = [...demands];
  const list = strategy.assign(demands, eventCount);
  expect([...demands]).toEqual(before);
  const assigned = new Demands<number>();
  for (const [subscriber, count] of list) {
    expect(assigned.has(subscriber)).toBe(false);
    expect(Number.isInteger(count)).toBe(true);
    expect(count).toBeGreaterThanOrEqual(1);
    expect(count).toBeLessThanOrEqual(demands.get(subscriber));
    assigned.add(subscriber, count);
  }
  const remaining = demands.clone();
  for (const [subscriber, count] of list) remaining.subtract(subscriber, count);
  expect(assigned.total).toBe(Math.min(eventCount, demands.total));
  expect(assigned.total + remaining.total).toBe(demands.total);
  return { list, assigned, remaining };
}
