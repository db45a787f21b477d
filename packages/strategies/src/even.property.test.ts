import { Demands } from '@dispenser/core';
import type { AssignmentStrategy } from '@dispenser/core';
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { createEven } from './even';

/** A small seeded generator (mulberry32), so each run's "random" picks are reproducible. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs `strategy` and checks the contract every work-conserving strategy keeps; returns the assignment. */
function assignChecked(strategy: AssignmentStrategy, demands: Demands<number>, eventCount: number) {
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

/** The max-min fair level, found the slow way: the largest L with Σ min(d, L) ≤ eventCount. */
function levelOf(amounts: number[], eventCount: number): number {
  let level = 0;
  const filled = (l: number) => amounts.reduce((sum, d) => sum + Math.min(d, l), 0);
  while (filled(level + 1) <= eventCount && level < Math.max(0, ...amounts)) level++;
  return level;
}

const demandList = fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 25 });
const eventCount = fc.oneof(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 400 }));
const seed = fc.integer();

describe('createEven', () => {
  test.prop([demandList, eventCount, seed], { numRuns: 300 })(
    'balances demand and assigns min(eventCount, total) without changing its input',
    (amounts, events, s) => {
      assignChecked(createEven({ random: seeded(s) }), new Demands(amounts.entries()), events);
    },
  );

  test.prop([demandList, eventCount, seed], { numRuns: 300 })(
    'gives every subscriber min(demand, level) or level + 1',
    (amounts, events, s) => {
      const demands = new Demands(amounts.entries());
      const { assigned } = assignChecked(createEven({ random: seeded(s) }), demands, events);
      if (events >= demands.total) {
        for (const [subscriber, demand] of demands) expect(assigned.get(subscriber)).toBe(demand);
        return;
      }
      const level = levelOf(amounts, events);
      for (const [subscriber, demand] of demands) {
        const share = assigned.get(subscriber);
        if (share !== Math.min(demand, level)) {
          expect(share).toBe(level + 1);
          expect(demand).toBeGreaterThan(level);
        }
      }
    },
  );

  test.prop(
    [
      fc.array(
        fc.oneof(
          fc.record({ ask: fc.integer({ min: 0, max: 8 }), amount: fc.integer({ min: 0, max: 20 }) }),
          fc.record({ events: fc.integer({ min: 0, max: 40 }) }),
        ),
        { maxLength: 40 },
      ),
      seed,
    ],
    { numRuns: 150 },
  )('keeps the books straight over many rounds of asks and assignments', (steps, s) => {
    const strategy = createEven({ random: seeded(s) });
    let demands = new Demands<number>();
    const model = new Map<number, number>();
    for (const step of steps) {
      if ('ask' in step) {
        demands.add(step.ask, step.amount);
        if (step.amount > 0) model.set(step.ask, (model.get(step.ask) ?? 0) + step.amount);
        continue;
      }
      const { assigned, remaining } = assignChecked(strategy, demands, step.events);
      for (const [subscriber, amount] of assigned) {
        const left = (model.get(subscriber) ?? 0) - amount;
        if (left > 0) model.set(subscriber, left);
        else model.delete(subscriber);
      }
      demands = remaining;
      expect(new Map(demands)).toEqual(model);
    }
  });
});
