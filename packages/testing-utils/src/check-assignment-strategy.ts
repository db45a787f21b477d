// Property-based conformance check of any AssignmentStrategy against the contract in core.
import { Demands, type Assignment, type AssignmentStrategy, type ReadonlyDemands } from '@dispenser/core';
import { assertCount, assertKnownKeys, assertObject, assertValidAssignments, describeValue } from '@dispenser/core/internal';
import fc from 'fast-check';

/**
 * The rules {@link checkAssignmentStrategy} checks, each with its own fast-check run:
 *
 * | property | rule |
 * | --- | --- |
 * | `'valid-assignments'` | `assign` returns (does not throw) an array of `[subscriber, count]` pairs in which every subscriber has demand and appears once, every count is an integer from 1 to that demand, and the counts sum to at most `eventCount`; a core `Demands` input reads the same afterwards. The same check `EventBuffer` makes. |
 * | `'work-conserving'` | the counts sum to `Math.min(eventCount, demands.total)` (only when `workConserving`) |
 * | `'deterministic'` | two calls on equal inputs return equal lists (only when `deterministic`) |
 */
export type StrategyProperty = 'valid-assignments' | 'work-conserving' | 'deterministic';

/** Every {@link StrategyProperty}, in the order they are checked. */
const allProperties: readonly StrategyProperty[] = ['valid-assignments', 'work-conserving', 'deterministic'];

/**
 * How a generated input was handed to the strategy: as a core `Demands`, or as a read-only
 * object that only has the members of `ReadonlyDemands` (as one from another copy of core).
 */
export type DemandsKind = 'Demands' | 'ReadonlyDemands';

/** The (shrunk) input on which a strategy broke a rule. */
export interface StrategyCounterexample {
  /** The `[subscriber, demand]` pairs the input `Demands` was built from. */
  readonly demands: ReadonlyArray<readonly [unknown, number]>;
  /** The `eventCount` passed to `assign`. */
  readonly eventCount: number;
  /** Whether the input was a core `Demands` or a plain `ReadonlyDemands` object. */
  readonly kind: DemandsKind;
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
   * Whether to require that `min(eventCount, demands.total)` events are assigned.
   * Turn it off for strategies that may hold events back on purpose.
   * @default true
   */
  readonly workConserving?: boolean;
  /**
   * Whether to require that equal inputs give equal lists (a strategy without randomness, or
   * with a random source that restarts per call).
   * @default false
   */
  readonly deterministic?: boolean;
  /**
   * The fast-check seed; the same seed generates the same inputs again.
   * @default a random seed, reported in every violation
   */
  readonly seed?: number;
  /** A fast-check replay path from a violation; use it with `seed` and a single property. */
  readonly path?: string;
  /**
   * Which properties to check.
   * @default `'valid-assignments'`, plus `'work-conserving'` when `workConserving` and
   *   `'deterministic'` when `deterministic`
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
function subscriberArbitrary(): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.string({ maxLength: 6 }),
    fc.nat({ max: 999 }).map((n) => ({ subscriber: n })),
    fc.string({ maxLength: 4 }).map((description) => Symbol(description)),
  );
}

function inputArbitrary(maxSubscribers: number, maxDemand: number): fc.Arbitrary<[Entries, number, DemandsKind]> {
  const entry = fc.tuple(subscriberArbitrary(), fc.nat({ max: maxDemand }));
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
  return fc.tuple(entries, eventCount, fc.constantFrom<DemandsKind>('Demands', 'ReadonlyDemands'));
}

/** The input of one run: a core `Demands`, or a frozen object with only the `ReadonlyDemands` members. */
function build(entries: Entries, kind: DemandsKind): ReadonlyDemands<unknown> {
  const demands = new Demands<unknown>(entries);
  if (kind === 'Demands') return demands;
  const keys: unknown[] = [];
  const amounts: number[] = [];
  for (let i = 0; i < demands.size; i++) {
    keys.push(demands.subscriberAt(i));
    amounts.push(demands.amountAt(i));
  }
  const { total } = demands;
  return Object.freeze({
    get: (subscriber: unknown) => demands.get(subscriber),
    total,
    size: keys.length,
    subscriberAt: (index: number) => keys[index],
    amountAt: (index: number) => amounts[index] as number,
    subscribers: () => demands.subscribers(),
    [Symbol.iterator]: () => demands.subscribers().entries(),
  });
}

function show(value: unknown): string {
  return fc.stringify(value);
}

/** Calls the strategy; a throw becomes a failure that names it. */
function run(strategy: AssignmentStrategy, input: ReadonlyDemands<unknown>, eventCount: number): unknown {
  try {
    return strategy.assign(input, eventCount);
  } catch (error) {
    throw new Error(`assign threw ${error instanceof Error ? `${error.name}: ${error.message}` : show(error)}`, { cause: error });
  }
}

/** Throws an Error describing how `property` fails for this input, or returns when it holds. */
function verify(strategy: AssignmentStrategy, property: StrategyProperty, entries: Entries, eventCount: number, kind: DemandsKind): void {
  const input = build(entries, kind);
  const before = [...input.subscribers()];
  const result = run(strategy, input, eventCount);
  if (property === 'deterministic') {
    const again = run(strategy, build(entries, kind), eventCount);
    if (show(again) !== show(result)) throw new Error(`two calls on equal inputs returned ${show(result)} and ${show(again)}`);
    return;
  }
  try {
    assertValidAssignments(strategy, result, input, eventCount);
  } catch (error) {
    if (property !== 'valid-assignments') return;
    // The buffer's message starts by naming the strategy, which the report already does.
    const reason = error instanceof Error ? error.message.replace(/^strategy '.*?' broke its contract /s, '') : show(error);
    throw new Error(`${reason}; it returned ${show(result)}`, { cause: error });
  }
  if (property === 'valid-assignments') {
    const after = [...input.subscribers()];
    if (show(after) !== show(before)) throw new Error(`assign changed its input from ${show(before)} to ${show(after)}`);
    return;
  }
  let assigned = 0;
  for (const [, count] of result as ReadonlyArray<Assignment<unknown>>) assigned += count;
  const expected = Math.min(eventCount, input.total);
  if (assigned !== expected) {
    throw new Error(
      `it assigned ${assigned} events, expected min(eventCount ${eventCount}, demand total ${input.total}) = ${expected}; it returned ${show(result)}`,
    );
  }
}

/**
 * Checks an {@link AssignmentStrategy} against its contract with property-based tests and
 * returns every rule it broke (an empty array when it conforms).
 *
 * Each {@link StrategyProperty} gets its own fast-check run over random demands (strings,
 * objects and symbols as subscribers, up to `maxSubscribers` of them with demands up to
 * `maxDemand`), handed over as a core `Demands` or as a plain read-only object, and random
 * event counts below, around and above the total demand. A failure is shrunk to a small
 * counterexample and reported with the seed and path that replay it.
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
  assertObject('options', options);
  assertKnownKeys('options', options, [
    'runs',
    'workConserving',
    'deterministic',
    'seed',
    'path',
    'properties',
    'maxSubscribers',
    'maxDemand',
  ]);
  const { runs = 100, workConserving = true, deterministic = false, maxSubscribers = 50, maxDemand = 1_000, path } = options;
  assertCount('options.runs', runs, 1);
  assertCount('options.maxSubscribers', maxSubscribers);
  assertCount('options.maxDemand', maxDemand);
  const seed = options.seed ?? Math.floor(Math.random() * 0x7fffffff);
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    throw new (typeof seed === 'number' ? RangeError : TypeError)(`options.seed must be a safe integer, received ${describeValue(seed)}`);
  }
  const properties = options.properties ?? defaultProperties(workConserving, deterministic);
  for (const property of properties) {
    if (!allProperties.includes(property)) {
      throw new RangeError(
        `options.properties must hold only ${allProperties.map((p) => `'${p}'`).join(', ')}, received ${describeValue(property)}`,
      );
    }
  }
  const input = inputArbitrary(maxSubscribers, maxDemand);

  const violations: StrategyViolation[] = [];
  for (const property of properties) {
    const details = fc.check(
      fc.property(input, ([entries, eventCount, kind]) => {
        verify(strategy, property, entries, eventCount, kind);
      }),
      path === undefined ? { numRuns: runs, seed } : { numRuns: runs, seed, path },
    );
    if (!details.failed || details.counterexample === null) continue;
    const [[entries, eventCount, kind]] = details.counterexample;
    const reason = details.errorInstance instanceof Error ? details.errorInstance.message : show(details.errorInstance);
    violations.push({
      property,
      message:
        `strategy '${strategy.name}' breaks '${property}'${reason.startsWith('(') ? ' ' : ': '}${reason}\n` +
        `  counterexample: demands ${show(entries)} (as ${kind}), eventCount ${eventCount}\n` +
        `  replay with { seed: ${details.seed}, path: ${JSON.stringify(details.counterexamplePath)}, properties: ['${property}'] }`,
      counterexample: { demands: entries, eventCount, kind },
      seed: details.seed,
      path: details.counterexamplePath ?? '',
    });
  }
  return violations;
}

/** The properties checked when `properties` is not given. */
export function defaultProperties(workConserving: boolean, deterministic: boolean): StrategyProperty[] {
  return allProperties.filter(
    (p) => p === 'valid-assignments' || (p === 'work-conserving' && workConserving) || (p === 'deterministic' && deterministic),
  );
}
