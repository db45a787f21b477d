// Property-based conformance check of any AssignmentStrategy against the contract in core.
import { assertCount, Demands, describeValue, type AssignmentStrategy, type ReadonlyDemands } from '@dispenser/core';
import fc from 'fast-check';

/**
 * The rules {@link checkAssignmentStrategy} checks, each with its own fast-check run:
 *
 * | property | rule |
 * | --- | --- |
 * | `'no-throw'` | `assign` returns instead of throwing |
 * | `'returns-demands'` | `assigned` and `remaining` are `Demands` instances |
 * | `'no-mutation'` | the input demands read the same before and after the call |
 * | `'balanced'` | `assigned.get(s) + remaining.get(s) === demands.get(s)` for every `s`, and no subscriber without demand appears |
 * | `'bounded'` | `assigned.total <= eventCount` |
 * | `'work-conserving'` | `assigned.total === Math.min(eventCount, demands.total)` (only when `workConserving`) |
 */
export type StrategyProperty = 'no-throw' | 'returns-demands' | 'no-mutation' | 'balanced' | 'bounded' | 'work-conserving';

/** Every {@link StrategyProperty}, in the order they are checked. */
const allProperties: readonly StrategyProperty[] = [
  'no-throw',
  'returns-demands',
  'no-mutation',
  'balanced',
  'bounded',
  'work-conserving',
];

/** The (shrunk) input on which a strategy broke a rule. */
export interface StrategyCounterexample {
  /** The `[subscriber, demand]` pairs the input `Demands` was built from. */
  readonly demands: ReadonlyArray<readonly [unknown, number]>;
  /** The `eventCount` passed to `assign`. */
  readonly eventCount: number;
}

/** One rule a strategy broke, with a shrunk counterexample and what is needed to replay it. */
export interface StrategyViolation {
  /** Which rule was broken. */
  readonly property: StrategyProperty;
  /** What went wrong, the counterexample, and the options that replay it. */
  readonly message: string;
  /** The smallest input fast-check found that breaks the rule. */
  readonly counterexample: StrategyCounterexample;
  /** The fast-check seed of the run; pass it back as `seed` to reproduce. */
  readonly seed: number;
  /** The fast-check path of the counterexample; pass it back as `path` (with `properties: [property]`). */
  readonly path: string;
}

/** Options of {@link checkAssignmentStrategy}. */
export interface CheckAssignmentStrategyOptions {
  /**
   * Random inputs tried per property.
   * @default 100
   */
  readonly runs?: number;
  /**
   * Whether to require `assigned.total === Math.min(eventCount, demands.total)`.
   * Turn it off for strategies that may hold events back on purpose.
   * @default true
   */
  readonly workConserving?: boolean;
  /**
   * The fast-check seed; the same seed generates the same inputs again.
   * @default a random seed, reported in every violation
   */
  readonly seed?: number;
  /** A fast-check replay path from a violation; use it with `seed` and a single property. */
  readonly path?: string;
  /**
   * Which properties to check.
   * @default all of them (`'work-conserving'` only when `workConserving`)
   */
  readonly properties?: readonly StrategyProperty[];
  /**
   * Most subscribers in one generated input.
   * @default 50
   */
  readonly maxSubscribers?: number;
  /**
   * Largest demand of one generated subscriber.
   * @default 1000
   */
  readonly maxDemand?: number;
}

type Entries = Array<[unknown, number]>;

/** Subscribers of every kind a `Map` accepts: strings, objects (by identity) and symbols. */
const subscriberArbitrary: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.nat({ max: 999 }).map((n) => ({ subscriber: n })),
  fc.string({ maxLength: 4 }).map((description) => Symbol(description)),
);

function inputArbitrary(maxSubscribers: number, maxDemand: number): fc.Arbitrary<[Entries, number]> {
  const entry = fc.tuple(subscriberArbitrary, fc.nat({ max: maxDemand }));
  const unique = (size: fc.SizeForArbitrary) =>
    fc.uniqueArray(entry, {
      maxLength: maxSubscribers,
      selector: (pair) => pair[0],
      comparator: 'SameValue',
      size,
    }) as fc.Arbitrary<Entries>;
  // Mostly a few subscribers (easy to shrink and read), sometimes up to maxSubscribers of them.
  const entries = fc.oneof({ arbitrary: unique('small'), weight: 3 }, { arbitrary: unique('max'), weight: 1 });
  const most = maxSubscribers * maxDemand;
  // Small counts, counts around the total demand, and counts beyond it: both of dispenser's modes.
  const eventCount = fc.oneof(fc.nat({ max: 20 }), fc.nat({ max: Math.ceil(most / 4) }), fc.nat({ max: most + 100 }));
  return fc.tuple(entries, eventCount);
}

function snapshot<S>(demands: ReadonlyDemands<S>): Map<S, number> {
  const copy = new Map<S, number>();
  for (const [subscriber, amount] of demands) copy.set(subscriber, amount);
  return copy;
}

function show(value: unknown): string {
  return fc.stringify(value);
}

/** Throws an Error describing how `property` fails for this input, or returns when it holds. */
function verify(strategy: AssignmentStrategy, property: StrategyProperty, entries: Entries, eventCount: number): void {
  const input = new Demands<unknown>(entries);
  const before = snapshot(input);
  const beforeTotal = input.total;
  let result: unknown;
  try {
    result = strategy.assign(input, eventCount);
  } catch (error) {
    if (property === 'no-throw') throw new Error(`assign threw ${error instanceof Error ? `${error.name}: ${error.message}` : show(error)}`);
    return;
  }
  if (property === 'no-throw') return;

  if (property === 'no-mutation') {
    const after = snapshot(input);
    for (const [subscriber, amount] of before) {
      if (after.get(subscriber) !== amount) {
        throw new Error(`assign changed the input demand of ${show(subscriber)} from ${amount} to ${after.get(subscriber) ?? 0}`);
      }
    }
    for (const [subscriber, amount] of after) {
      if (!before.has(subscriber)) throw new Error(`assign added ${show(subscriber)} with demand ${amount} to its input`);
    }
    if (input.total !== beforeTotal) throw new Error(`assign changed the input total from ${beforeTotal} to ${input.total}`);
    return;
  }

  const { assigned, remaining } = (result ?? {}) as { assigned?: unknown; remaining?: unknown };
  if (!(assigned instanceof Demands) || !(remaining instanceof Demands)) {
    if (property === 'returns-demands') {
      throw new Error(
        `assign must return { assigned, remaining } as Demands instances, got assigned ${describeValue(assigned)} and remaining ${describeValue(remaining)}`,
      );
    }
    return;
  }
  if (property === 'returns-demands') return;

  if (property === 'balanced') {
    for (const [subscriber, demand] of before) {
      const given = assigned.get(subscriber);
      const left = remaining.get(subscriber);
      if (given + left !== demand) {
        throw new Error(
          `${show(subscriber)} had demand ${demand} but got assigned ${given} + remaining ${left} = ${given + left}`,
        );
      }
    }
    for (const [label, demands] of [['assigned', assigned], ['remaining', remaining]] as const) {
      for (const [subscriber, amount] of demands as Demands<unknown>) {
        if (!before.has(subscriber)) throw new Error(`${label} holds ${amount} for ${show(subscriber)}, which had no demand`);
      }
    }
    return;
  }

  if (property === 'bounded') {
    if (assigned.total > eventCount) throw new Error(`assigned.total is ${assigned.total}, more than eventCount ${eventCount}`);
    return;
  }

  const expected = Math.min(eventCount, beforeTotal);
  if (assigned.total !== expected) {
    throw new Error(
      `assigned.total is ${assigned.total}, expected min(eventCount ${eventCount}, demand total ${beforeTotal}) = ${expected}`,
    );
  }
}

/**
 * Checks an {@link AssignmentStrategy} against its contract with property-based tests and
 * returns every rule it broke (an empty array when it conforms).
 *
 * Each {@link StrategyProperty} gets its own fast-check run over random demands (strings,
 * objects and symbols as subscribers, up to `maxSubscribers` of them with demands up to
 * `maxDemand`) and random event counts below, around and above the total demand. A failure is
 * shrunk to a small counterexample and reported with the seed and path that replay it.
 *
 * **When to use:** in the test suite of any custom strategy; `testAssignmentStrategy` (from `@dispenser/testing-utils/vitest`) wraps
 * it into vitest tests.
 *
 * **Gotchas:** a strategy that uses randomness may shrink to a counterexample that passes when
 * replayed; seed its random source from the inputs to get stable reports.
 *
 * @throws TypeError naming `strategy.assign` when the strategy has no `assign` function
 * @throws TypeError / RangeError naming `runs`, `maxSubscribers`, `maxDemand` or `seed` when they are not safe integers in range
 * @example
 * ```ts
 * const violations = checkAssignmentStrategy(myStrategy, { runs: 200 });
 * expect(violations).toEqual([]);
 * // Replay one: checkAssignmentStrategy(myStrategy, { seed: v.seed, path: v.path, properties: [v.property] })
 * ```
 */
export function checkAssignmentStrategy(
  strategy: AssignmentStrategy,
  options: CheckAssignmentStrategyOptions = {},
): StrategyViolation[] {
  if (typeof strategy?.assign !== 'function') {
    throw new TypeError(`strategy.assign must be a function, received ${describeValue(strategy?.assign)}`);
  }
  const { runs = 100, workConserving = true, maxSubscribers = 50, maxDemand = 1_000, path } = options;
  assertCount('runs', runs, 1);
  assertCount('maxSubscribers', maxSubscribers);
  assertCount('maxDemand', maxDemand);
  const seed = options.seed ?? Math.floor(Math.random() * 0x7fffffff);
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    throw new (typeof seed === 'number' ? RangeError : TypeError)(`seed must be a safe integer, received ${describeValue(seed)}`);
  }
  const properties = options.properties ?? allProperties.filter((p) => workConserving || p !== 'work-conserving');
  for (const property of properties) {
    if (!allProperties.includes(property)) {
      throw new RangeError(
        `properties must hold only ${allProperties.map((p) => `'${p}'`).join(', ')}, received ${describeValue(property)}`,
      );
    }
  }
  const input = inputArbitrary(maxSubscribers, maxDemand);

  const violations: StrategyViolation[] = [];
  for (const property of properties) {
    const details = fc.check(
      fc.property(input, ([entries, eventCount]) => {
        verify(strategy, property, entries, eventCount);
      }),
      path === undefined ? { numRuns: runs, seed } : { numRuns: runs, seed, path },
    );
    if (!details.failed || details.counterexample === null) continue;
    const [[entries, eventCount]] = details.counterexample;
    const reason = details.errorInstance instanceof Error ? details.errorInstance.message : show(details.errorInstance);
    violations.push({
      property,
      message:
        `strategy '${strategy.name}' breaks '${property}': ${reason}\n` +
        `  counterexample: demands ${show(entries)}, eventCount ${eventCount}\n` +
        `  replay with { seed: ${details.seed}, path: ${JSON.stringify(details.counterexamplePath)}, properties: ['${property}'] }`,
      counterexample: { demands: entries, eventCount },
      seed: details.seed,
      path: details.counterexamplePath ?? '',
    });
  }
  return violations;
}
