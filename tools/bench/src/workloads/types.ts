// What the suite is made of: timed workloads (contenders interleaved) and W4's cases.
import type { Contender } from '../harness';

/** A timed workload: its contenders are interleaved round by round. */
export interface TimedWorkload {
  readonly id: string;
  readonly title: string;
  /** Events each run moves (the numerator of events/s). */
  readonly events: number;
  readonly contenders: Contender[];
}

/** One W4 case: one `assignEvents()` over `subscribers` subscribers and `events` buffered events. */
export interface ManyCase {
  readonly strategy: string;
  readonly subscribers: number;
  readonly events: number;
  readonly contender: Contender;
}
