import { Demands } from '@dispenser/core';
import { fc, test } from '@fast-check/vitest';
import { createSeededRandom } from '@dispenser/testing-utils';
import { describe, expect } from 'vitest';
import { createGreedy } from './greedy';
import { assignChecked, demandList, eventCount } from './test/assign-checked';

// The contract every split strategy keeps is checked in split-strategies.property.test.ts.
describe('createGreedy', () => {
  test.prop([demandList, eventCount, fc.integer()], { numRuns: 300 })(
    'leaves at most one subscriber partly served',
    (amounts, events, s) => {
      const demands = new Demands(amounts.entries());
      const { assigned } = assignChecked(createGreedy({ random: createSeededRandom(s) }), demands, events);
      let partial = 0;
      for (const [subscriber, share] of assigned) if (share < demands.get(subscriber)) partial++;
      expect(partial).toBeLessThanOrEqual(1);
    },
  );
});
