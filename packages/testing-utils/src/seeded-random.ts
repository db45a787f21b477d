// A reproducible stand-in for `Math.random`, so tests (and tools) that need "random" picks can replay them.
import { assertCount } from '@dispenser/core/internal';

/** 2^32: turns a 32-bit unsigned integer into a number in [0, 1). */
const TWO_TO_32 = 4294967296;

/**
 * Creates a seeded pseudo-random generator: a function that, like `Math.random`, returns numbers
 * in [0, 1), but always the same sequence for the same seed.
 *
 * **When to use**: give it to anything that takes a random source (`createEven({ random })`,
 * `createGreedy({ random })`, `DemandDispatcher`'s `random`…) so a test's "random" choices are
 * reproducible, for example with a seed drawn by fast-check (`fc.integer()`), which then shrinks
 * and replays like any other input.
 *
 * **Gotchas**: the generator is mulberry32, a small 32-bit generator: fast and evenly spread,
 * good enough for tie-breaking and load shapes, not for cryptography. Only the low 32 bits of
 * `seed` are used (as an unsigned number), so seeds that differ by a multiple of 2^32 (such as
 * `-1` and `4294967295`) give the same sequence. Each call of `createSeededRandom` starts its own
 * sequence; generators never share state.
 *
 * @param seed - any safe integer, negative ones included
 * @returns a function returning the next number in [0, 1) on each call
 * @throws TypeError naming `seed` when it is not a number
 * @throws RangeError naming `seed` when it is not a safe integer (a fraction, `NaN`, `Infinity`)
 * @example
 * ```ts
 * const random = createSeededRandom(42);
 * const strategy = createEven({ random });
 * random(); // 0 <= value < 1, the same value in every run
 * createSeededRandom(42)(); // === the first value of any other generator seeded with 42
 * ```
 */
export function createSeededRandom(seed: number): () => number {
  assertCount('seed', seed, Number.MIN_SAFE_INTEGER);
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / TWO_TO_32;
  };
}
