// W7's unit of work: a fixed hashing loop, the same code for every contender and every thread.

/**
 * Rounds of {@link burn} per event: about 20 µs on the 2-core machine the bench is built on
 * (calibrated by hand, see the README; the measured cost per event is W7's main-thread row).
 * Fixed, so that every contender and every profile does the same work per event.
 */
export const BURN_ROUNDS = 10_500;

/**
 * A fixed hashing loop: `rounds` rounds of an FNV-style multiply and an xorshift over a 32-bit
 * state seeded by `seed`. Each round depends on the previous one, so the loop cannot be
 * vectorised or cut short; the result must be used, or the JIT could drop the loop.
 *
 * @returns the 32-bit hash
 */
export function burn(seed: number, rounds: number): number {
  let h = (seed ^ 0x811c9dc5) | 0;
  for (let r = 0; r < rounds; r++) {
    h = Math.imul(h ^ r, 0x01000193);
    h ^= h >>> 13;
  }
  return h >>> 0;
}
