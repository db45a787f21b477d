import type { Assignment, AssignmentStrategy, ReadonlyDemands } from '@dispenser/core';
import { describe, expect, it } from 'vitest';
import { defineStrategyTests, type TestApi } from './internal/define-strategy-tests';
import { testAssignmentStrategy } from './test-assignment-strategy';
import { fillInOrder } from './fill-in-order';

/** Over-assigns: hands out the whole demand whatever eventCount is. */
const greedyLiar: AssignmentStrategy = {
  name: 'greedy-liar',
  assign: <S>(demands: ReadonlyDemands<S>): Array<Assignment<S>> => [...demands],
};

interface Registered {
  suite: string;
  tests: Array<{ name: string; body: () => void; timeout: number | undefined }>;
}

/** Registers through a recording fake of describe/it and returns what was registered. */
function register(strategy: AssignmentStrategy, options = {}): Registered {
  const registered: Registered = { suite: '', tests: [] };
  const api: TestApi = {
    describe(name, body) {
      registered.suite = name;
      body();
    },
    it(name, body, timeout) {
      registered.tests.push({ name, body, timeout });
    },
  };
  defineStrategyTests(api, strategy, options);
  return registered;
}

// The real thing: these register passing tests for a correct strategy.
testAssignmentStrategy(fillInOrder, { runs: 40 });

describe('testAssignmentStrategy', () => {
  it('registers a suite named after the strategy with one test per property', () => {
    const { suite, tests } = register(fillInOrder);
    expect(suite).toBe("AssignmentStrategy 'fill-in-order' conformance");
    expect(tests.map((t) => t.name)).toEqual([
      'returns valid assignments (subscribers with demand, each once, counts from 1 to its demand, at most eventCount in all)',
      'assigns min(eventCount, demand total) events',
    ]);
  });

  it('leaves out the work-conserving test when workConserving is false, and adds determinism when asked', () => {
    expect(register(fillInOrder, { workConserving: false }).tests).toHaveLength(1);
    expect(register(fillInOrder, { deterministic: true }).tests.map((t) => t.name)).toContain('returns the same list for equal inputs');
  });

  it('registers tests that pass for a conforming strategy', () => {
    for (const test of register(fillInOrder, { runs: 20 }).tests) expect(test.body).not.toThrow();
  });

  it('registers tests that fail for a broken strategy, listing the violation with a replay seed', () => {
    const { tests } = register(greedyLiar, { runs: 20, seed: 5 });
    const failures = tests.flatMap((test) => {
      try {
        test.body();
        return [];
      } catch (error) {
        return [[test.name, (error as Error).message] as const];
      }
    });
    expect(failures.map(([name]) => name)).toEqual([
      'returns valid assignments (subscribers with demand, each once, counts from 1 to its demand, at most eventCount in all)',
    ]);
    expect(failures[0]?.[1]).toMatch(/strategy 'greedy-liar' broke its contract 1 time\(s\)/);
    expect(failures[0]?.[1]).toMatch(/breaks 'valid-assignments'.*\n.*counterexample.*\n(.*\n)?.*seed: 5/);
  });

  it('passes the timeout on to each test', () => {
    const { tests } = register(fillInOrder, { timeout: 1234 });
    expect(tests.every((t) => t.timeout === 1234)).toBe(true);
  });
});
