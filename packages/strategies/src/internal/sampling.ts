// Random sampling shared by the split strategies: draw slots of a Demands without scanning it.
import { assertFunction, assertKnownKeys, assertObject } from '@dispenser/core/internal';

/** A source of numbers in [0, 1), like `Math.random`. */
export type RandomSource = () => number;

/**
 * A uniform integer in [0, n) drawn from `random`. Values outside [0, 1) (a faulty injected
 * source) are clamped so the result always stays in range.
 */
export function randomIndex(random: RandomSource, n: number): number {
  const index = Math.floor(random() * n);
  if (index >= 0 && index < n) return index;
  return index >= n ? n - 1 : 0;
}

/**
 * A random permutation of 0..n-1, produced one element at a time (a partial Fisher–Yates
 * shuffle). Only the swaps made so far are stored, so taking k elements costs O(k) time and
 * memory whatever `n` is.
 */
export class LazyShuffle {
  readonly #random: RandomSource;
  readonly #n: number;
  /**
   * Positions ≥ #taken that hold something other than their own index. Made on the second draw:
   * the first draw leaves at most one such position, kept in #firstAt/#first, so taking one
   * element (the common case of greedy) allocates no map.
   */
  #moved: Map<number, number> | undefined;
  #firstAt = -1;
  #first = 0;
  #taken = 0;

  constructor(n: number, random: RandomSource) {
    this.#n = n;
    this.#random = random;
  }

  /** The next element of the permutation; call at most `n` times. */
  next(): number {
    const i = this.#taken++;
    const j = i + randomIndex(this.#random, this.#n - i);
    if (i === 0) {
      // Nothing moved yet: position j now holds 0.
      if (j !== 0) {
        this.#firstAt = j;
        this.#first = 0;
      }
      return j;
    }
    let moved = this.#moved;
    if (moved === undefined) {
      moved = this.#moved = new Map<number, number>();
      if (this.#firstAt >= i) moved.set(this.#firstAt, this.#first);
    }
    const atJ = moved.get(j) ?? j;
    if (j !== i) moved.set(j, moved.get(i) ?? i);
    moved.delete(i);
    return atJ;
  }
}

/** Reads `Math.random` on every call, so spies and polyfills installed later are honoured. */
const mathRandom: RandomSource = () => Math.random();

/**
 * Resolves the `random` option of a strategy factory.
 *
 * @throws TypeError when `random` is given and is not a function
 */
export function resolveRandom(options: { random?: RandomSource } | undefined): RandomSource {
  if (options === undefined) return mathRandom;
  assertObject('options', options);
  assertKnownKeys('options', options, ['random']);
  const { random } = options;
  if (random === undefined) return mathRandom;
  assertFunction('options.random', random);
  return random;
}
