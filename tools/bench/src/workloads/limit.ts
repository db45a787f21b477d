// L: the limit, a hand-written power-of-two ring of pointers; it runs in W1's rounds.
import type { Contender } from '../harness';
import { expectEqual } from './books';
import { batchesOf } from './events';
import type { Ev } from './events';
import type { Profile } from './profile';
import { RawRing } from './raw-ring';

/** L: push a batch into the raw ring, take it back into a new array, as W1 does with a queue. */
export function limitChurn(p: Profile): Contender {
  const { batches: count, batchSize } = p.churn;
  return {
    name: 'raw ring (L)',
    role: 'limit',
    prepare() {
      const batches = batchesOf(count * batchSize, batchSize);
      const ring = new RawRing<Ev>(batchSize);
      let taken = 0;
      let last = -1;
      return {
        run() {
          const slots = ring.slots;
          const mask = ring.mask;
          for (let b = 0; b < count; b++) {
            const batch = batches[b] as Ev[];
            let tail = (ring.head + ring.size) & mask;
            for (let k = 0; k < batchSize; k++) {
              slots[tail] = batch[k];
              tail = (tail + 1) & mask;
            }
            ring.size += batchSize;
            const out = new Array<Ev>(batchSize);
            let head = ring.head;
            for (let k = 0; k < batchSize; k++) {
              out[k] = slots[head] as Ev;
              slots[head] = undefined;
              head = (head + 1) & mask;
            }
            ring.head = head;
            ring.size -= batchSize;
            taken += out.length;
            last = (out[batchSize - 1] as Ev).i;
          }
        },
        check() {
          expectEqual('events taken', taken, count * batchSize);
          expectEqual('last event taken', last, count * batchSize - 1);
        },
      };
    },
  };
}
