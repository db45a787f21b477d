// The suite: every workload of BENCH.md (L, W1–W7, M1) at the sizes of a profile.
import type { MemoryContender } from './harness';
import { broadcastWorkload } from './workloads/broadcast';
import { churnWorkload } from './workloads/churn';
import { cpuWorkload } from './workloads/cpu';
import { dispatchWorkload } from './workloads/dispatch';
import { manyCases } from './workloads/many';
import { memoryContenders } from './workloads/memory';
import { overloadWorkloads } from './workloads/overload';
import type { Profile } from './workloads/profile';
import { serverWorkload } from './workloads/server';
import type { ManyCase, TimedWorkload } from './workloads/types';

/** Everything to run for a profile. */
export interface Suite {
  /** L with W1, W2, W3 (drop-newest, rejected, drop-oldest), W5, W6 and W7, in that order. */
  readonly timed: TimedWorkload[];
  readonly many: ManyCase[];
  readonly memory: MemoryContender[];
}

/** The workloads of BENCH.md at the sizes of `p`. */
export function suite(p: Profile): Suite {
  return {
    timed: [churnWorkload(p), dispatchWorkload(p), ...overloadWorkloads(p), serverWorkload(p), broadcastWorkload(p), cpuWorkload(p)],
    many: manyCases(p),
    memory: memoryContenders(p),
  };
}
