// Test helpers (not exported): the contract every work-conserving split strategy keeps, for properties.
import type { AssignmentStrategy, Demands } from '@dispenser/core';
import { fc } from '@fast-check/vitest';
import { expect } from 'vitest';

/** Demands of up to 25 subscribers (numbered by position), 1 to 30 each. */
export const demandList = fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 25 });

/** Event counts, mostly in the range of one subscriber's demand, sometimes of all of them. */
export const eventCount = fc.oneof(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 400 }));

/** Runs `strategy` and checks the contract every work-conserving strategy keeps; returns the assignment. */
export function assignChecked(strategy: AssignmentStrategy, demands: Demands<number>, eventCount: number) {
  const before = [...demands];
  const { assigned, remaining } = strategy.assign(demands, eventCount);
  expect([...demands]).toEqual(before);
  for (const [subscriber, demand] of before) {
    expect(assigned.get(subscriber) + remaining.get(subscriber)).toBe(demand);
    expect(assigned.get(subscriber)).toBeLessThanOrEqual(demand);
  }
  for (const [subscriber] of assigned) expect(demands.get(subscriber)).toBeGreaterThan(0);
  for (const [subscriber] of remaining) expect(demands.get(subscriber)).toBeGreaterThan(0);
  expect(assigned.total).toBe(Math.min(eventCount, demands.total));
  expect(assigned.total + remaining.total).toBe(demands.total);
  return { assigned, remaining };
}
