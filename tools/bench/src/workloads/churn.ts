// W1: queue churn, `batches` times append a batch then take as many back (L runs in the same rounds).
import { Readable } from 'node:stream';
import { LimitedQueue } from '@dispenser/core';
import Denque from 'denque';
import { Effect, Queue } from 'effect';
import { CircularBuffer } from 'mnemonist';
import type { Contender, Role } from '../harness';
import { expectEqual } from './books';
import { takeEffect } from './effect-take';
import { batchesOf } from './events';
import type { Ev } from './events';
import { limitChurn } from './limit';
import type { Profile } from './profile';
import type { TimedWorkload } from './types';

function churnBooks(p: Profile, taken: number, last: number, left: number): void {
  const total = p.churn.batches * p.churn.batchSize;
  expectEqual('events taken', taken, total);
  expectEqual('last event taken', last, total - 1);
  expectEqual('events left', left, 0);
}

/** What a W1 contender has taken so far: counted once per batch by its timed loop. */
class ChurnTally {
  taken = 0;
  last = -1;

  /**
   * Counts a batch of `length` events taken from the front of the queue, the last of them
   * numbered `last`. (The contender reads its own array, so that load stays monomorphic.)
   */
  add(length: number, last: number): void {
    this.taken += length;
    this.last = last;
  }
}

/** One prepared W1 run: its timed loop (each contender's own, so it stays monomorphic) and what is left. */
interface ChurnRun {
  run(): void;
  /** Events the queue still holds after the run. */
  left(): number;
}

/**
 * A W1 contender: `setup` builds a queue of `capacity` and the loop that, for each of `batches`,
 * pushes the batch, takes `batchSize` back and reports them to `tally`; {@link churnBooks} checks it.
 */
function churnContender(
  p: Profile,
  name: string,
  role: Role,
  setup: (batches: readonly Ev[][], tally: ChurnTally) => ChurnRun,
): Contender {
  const { batches: count, batchSize } = p.churn;
  return {
    name,
    role,
    prepare() {
      const tally = new ChurnTally();
      const trial = setup(batchesOf(count * batchSize, batchSize), tally);
      return { run: trial.run, check: () => churnBooks(p, tally.taken, tally.last, trial.left()) };
    },
  };
}

function churnLimitedQueue(p: Profile): Contender {
  const { batches: count, batchSize, capacity } = p.churn;
  return churnContender(p, 'dispenser LimitedQueue', 'dispenser', (batches, tally) => {
    const queue = new LimitedQueue<Ev>(capacity, 'drop-oldest');
    return {
      run() {
        for (let b = 0; b < count; b++) {
          queue.append(batches[b] as Ev[]);
          const out = queue.split(batchSize);
          tally.add(out.length, (out[out.length - 1] as Ev).i);
        }
      },
      left: () => queue.size,
    };
  });
}

function churnDenque(p: Profile): Contender {
  const { batches: count, batchSize, capacity } = p.churn;
  return churnContender(p, 'denque 2.1.0', 'peer', (batches, tally) => {
    const queue = new Denque<Ev>([], { capacity });
    return {
      run() {
        for (let b = 0; b < count; b++) {
          const batch = batches[b] as Ev[];
          for (let k = 0; k < batch.length; k++) queue.push(batch[k] as Ev);
          const out = queue.remove(0, batchSize);
          tally.add(out.length, (out[out.length - 1] as Ev).i);
        }
      },
      left: () => queue.size(),
    };
  });
}

function churnMnemonist(p: Profile): Contender {
  const { batches: count, batchSize, capacity } = p.churn;
  return churnContender(p, 'mnemonist 0.40.8 CircularBuffer', 'peer', (batches, tally) => {
    const queue = new CircularBuffer<Ev>(Array, capacity);
    return {
      run() {
        for (let b = 0; b < count; b++) {
          const batch = batches[b] as Ev[];
          for (let k = 0; k < batch.length; k++) queue.push(batch[k] as Ev);
          const n = Math.min(batchSize, queue.size);
          const out = new Array<Ev>(n);
          for (let k = 0; k < n; k++) out[k] = queue.shift() as Ev;
          tally.add(out.length, (out[out.length - 1] as Ev).i);
        }
      },
      left: () => queue.size,
    };
  });
}

function churnEffect(p: Profile): Contender {
  const { batches: count, batchSize, capacity } = p.churn;
  return churnContender(p, 'effect 4.1.0 Queue.sliding', 'peer', (batches, tally) => {
    const queue = Effect.runSync(Queue.sliding<Ev>(capacity));
    return {
      run() {
        for (let b = 0; b < count; b++) {
          Queue.offerAllUnsafe(queue, batches[b] as Ev[]);
          const out = takeEffect(queue, batchSize);
          tally.add(out.length, (out[out.length - 1] as Ev).i);
        }
      },
      left: () => Queue.sizeUnsafe(queue),
    };
  });
}

function churnReadable(p: Profile): Contender {
  const { batches: count, batchSize, capacity } = p.churn;
  return churnContender(p, 'node:stream Readable (objectMode)', 'peer', (batches, tally) => {
    const stream = new Readable({
      objectMode: true,
      highWaterMark: capacity,
      read() {
        // The bench pushes; nothing to pull.
      },
    });
    return {
      run() {
        for (let b = 0; b < count; b++) {
          const batch = batches[b] as Ev[];
          for (let k = 0; k < batch.length; k++) stream.push(batch[k]);
          const out: Ev[] = [];
          for (let k = 0; k < batchSize; k++) {
            const value = stream.read() as Ev | null;
            if (value === null) break;
            out.push(value);
          }
          tally.add(out.length, (out[out.length - 1] as Ev).i);
        }
      },
      left: () => stream.readableLength,
    };
  });
}

/** W1 at the sizes of `p`, with L in the same rounds (its row becomes the `L` row). */
export function churnWorkload(p: Profile): TimedWorkload {
  return {
    id: 'W1',
    title: 'Queue churn (L runs in the same rounds)',
    events: p.churn.batches * p.churn.batchSize,
    contenders: [limitChurn(p), churnLimitedQueue(p), churnDenque(p), churnMnemonist(p), churnEffect(p), churnReadable(p)],
  };
}
