import { Demands } from '@dispenser/core';
import { fc, test } from '@fast-check/vitest';
import { createSeededRandom } from '@dispenser/testing-utils';
import { describe, expect } from 'vitest';
import { createEven } from './even';
import { assignChecked, demandList, eventCount } from './test/assign-checked';

// The contract every split strategy keeps is checked in split-strategies.property.test.ts.

/** The max-min fair level, found the slow way: the largest L with Σ min(d, L) ≤ eventCount. */
function levelOf(amounts: number[], eventCount: number): number {
  let level = 0;
  const filled = (l: number) => amounts.reduce((sum, d) => sum + Math.min(d, l), 0);
  while (filled(level + 1) <= eventCount && level < Math.max(0, ...amounts)) level++;
  return level;
}

describe('createEven', () => {
  test.prop([demandList, eventCount, fc.integer()], { numRuns: 300 })(
    'gives every subscriber min(demand, level) or level + 1',
    (amounts, events, s) => {
      const demands = new Demands(amounts.entries());
      const { assigned } = assignChecked(createEven({ random: createSeededRandom(s) }), demands, events);
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
});
