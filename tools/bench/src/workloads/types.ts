// What the suite is made of: timed workloads (contenders interleaved, W6 and W7 with heap runs) and W4's cases.
import type { Contender, GrowthProbe, RoundOptions } from '../harness';

/** A timed workload: its contenders are interleaved round by round. */
export interface TimedWorkload {
  readonly id: string;
  readonly title: string;
  /** Events each run moves (the numerator of events/s). */
  readonly events: number;
  readonly contenders: Contender[];
  /** Its own rounds, when not the profile's (W6: each run builds 1,000 subscriptions). */
  readonly rounds?: RoundOptions;
  /** W6: heap growth measured by untimed runs after the timed ones. */
  readonly heap?: FanOutHeap;
  /** W7: peak heap growth measured by untimed runs after the timed ones. */
  readonly peakHeap?: PeakHeap;
}

/**
 * W7's heap measurement: a probe per contender (read for its peak: see `measurePeakGrowth`), and
 * the unit of its budget, a probe holding `capacity` fresh events (read once, after them).
 */
export interface PeakHeap {
  readonly probes: GrowthProbe[];
  readonly unit: GrowthProbe;
  readonly rounds: RoundOptions;
  readonly capacity: number;
}

/** W6's heap measurement: a probe per contender, and the sizes its table and targets need. */
export interface FanOutHeap {
  readonly probes: GrowthProbe[];
  readonly rounds: RoundOptions;
  readonly capacity: number;
  readonly subscribers: number;
  readonly stalled: number;
  /** What each stalled subscriber must have lost: events − its one demand − capacity. */
  readonly expectedDropped: number;
}

/** One W4 case: one `assignEvents()` over `subscribers` subscribers and `events` buffered events. */
export interface ManyCase {
  readonly strategy: string;
  readonly subscribers: number;
  readonly events: number;
  readonly contender: Contender;
}
