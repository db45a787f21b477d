// A small seeded pseudo-random generator, so a demo run can be replayed with --seed.

/**
 * Returns a generator of numbers in [0, 1) from a 32-bit seed (mulberry32): fast, and good enough
 * for load shapes and tie-breaking (not for cryptography).
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
