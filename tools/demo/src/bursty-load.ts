// The demo's producer: calm phases below what the subscribers can take, bursts far above it.
import { createSeededRandom } from '@dispenser/testing-utils';

/** Shape of a {@link BurstyLoad}. */
export interface BurstyLoadOptions {
  /** Events per second the subscribers can take together. */
  readonly throughput: number;
  /**
   * Seed of the phases (lengths and rates) and of the jitter, drawn from two separate streams so
   * that the phases are the same for a seed however many intervals the jitter was drawn for.
   */
  readonly seed: number;
}

/** Which phase the producer is in. */
export type LoadPhase = 'calm' | 'burst';

const CALM = { rate: [0.3, 0.7], ms: [1_500, 3_000] } as const;
const BURST = { rate: [3, 6], ms: [400, 1_200] } as const;
const JITTER = 0.2;

/**
 * How many events a bursty producer makes in each interval: calm phases at 30–70 % of the
 * subscribers' throughput, then bursts at 3–6 times it, with ±20 % jitter per interval. It starts
 * calm at time 0.
 */
export class BurstyLoad {
  #throughput: number;
  #phases: () => number;
  #jitter: () => number;
  #phase: LoadPhase = 'burst';
  #rate = 0;
  #until = 0;
  #carry = 0;

  constructor(options: BurstyLoadOptions) {
    this.#throughput = options.throughput;
    this.#phases = createSeededRandom(options.seed);
    // Mod 2^32: the generator only uses the low 32 bits, and the sum may leave the safe range.
    this.#jitter = createSeededRandom((options.seed + 0x51ed27) % 2 ** 32);
    this.#next(0);
  }

  /** The current phase. */
  get phase(): LoadPhase {
    return this.#phase;
  }

  /** The current phase's rate, in events per second. */
  get rate(): number {
    return this.#rate;
  }

  /** Events to produce for the `elapsed` milliseconds that end at `now` (ms since the start). */
  take(now: number, elapsed: number): number {
    while (now >= this.#until) this.#next(this.#until);
    const jitter = 1 + JITTER * (2 * this.#jitter() - 1);
    const exact = (this.#rate * elapsed * jitter) / 1000 + this.#carry;
    const count = Math.floor(exact);
    this.#carry = exact - count;
    return count;
  }

  #next(start: number): void {
    this.#phase = this.#phase === 'calm' ? 'burst' : 'calm';
    const shape = this.#phase === 'calm' ? CALM : BURST;
    this.#rate = this.#throughput * this.#between(shape.rate);
    this.#until = start + this.#between(shape.ms);
  }

  #between([low, high]: readonly [number, number]): number {
    return low + (high - low) * this.#phases();
  }
}
