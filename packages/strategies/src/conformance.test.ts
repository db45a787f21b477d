import { checkAssignmentStrategy, createSeededRandom } from '@dispenser/testing-utils';
import { testAssignmentStrategy } from '@dispenser/testing-utils/vitest';
import { describe, expect, it } from 'vitest';
import { createEven, createGreedy, even, greedy } from './index';

// The shared conformance kit: contract properties every assignment strategy must keep.
testAssignmentStrategy(even, { runs: 150 });
testAssignmentStrategy(greedy, { runs: 150 });

describe('conformance with seeded randomness', () => {
  it('finds no violation in seeded even and greedy', () => {
    const random = createSeededRandom(7);
    expect(checkAssignmentStrategy(createEven({ random }), { runs: 100, seed: 1 })).toEqual([]);
    expect(checkAssignmentStrategy(createGreedy({ random }), { runs: 100, seed: 2 })).toEqual([]);
  });
});
