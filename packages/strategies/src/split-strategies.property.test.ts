// Properties createEven and createGreedy share: the split-strategy contract, in one round and over many.
import { Demands } from '@dispenser/core';
import { fc, test } from '@fast-check/vitest';
import { createSeededRandom } from '@dispenser/testing-utils';
import { describe, expect } from 'vitest';
import { createEven } from './even';
import { createGreedy } from './greedy';
import { assignChecked, demandList, eventCount } from './test/assign-checked';

const seed = fc.integer();

describe.each([
  { factory: 'createEven', create: createEven },
  { factory: 'createGreedy', create: createGreedy },
])('$factory', ({ create }) => {
  test.prop([demandList, eventCount, seed], { numRuns: 300 })(
    'balances demand and assigns min(eventCount, total) without changing its input',
    (amounts, events, s) => {
      assignChecked(create({ random: createSeededRandom(s) }), new Demands(amounts.entries()), events);
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
    const strategy = create({ random: createSeededRandom(s) });
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
