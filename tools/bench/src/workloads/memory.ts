// M1: memory, the heap growth per buffered small-integer event.
import { Readable } from 'node:stream';
import { LimitedQueue } from '@dispenser/core';
import Denque from 'denque';
import { Effect, Queue } from 'effect';
import { CircularBuffer } from 'mnemonist';
import type { MemoryContender, Role } from '../harness';
import { expectEqual } from './books';
import type { Profile } from './profile';
import { RawRing } from './raw-ring';

function integerBatches(count: number, size: number): number[][] {
  const out: number[][] = [];
  for (let start = 0; start < count; start += size) {
    const batch: number[] = [];
    for (let i = start; i < Math.min(count, start + size); i++) batch.push(i);
    out.push(batch);
  }
  return out;
}

/** M1's contenders at the size of `p`: each holds `p.memory.events` small integers. */
export function memoryContenders(p: Profile): MemoryContender[] {
  const count = p.memory.events;
  const batches = integerBatches(count, 1_000);
  /** A contender whose `build` holds `count` values, which `size` reads back for the check. */
  const contender = <T>(name: string, role: Role, build: () => T, size: (built: T) => number): MemoryContender => ({
    name,
    role,
    count,
    build,
    check: (built) => expectEqual('values held', size(built as T), count),
  });
  return [
    contender(
      'raw ring (L)',
      'limit',
      () => {
        const ring = new RawRing<number>(count);
        for (let i = 0; i < count; i++) ring.slots[i] = i;
        ring.size = count;
        return ring;
      },
      (ring) => ring.size,
    ),
    contender(
      'dispenser LimitedQueue',
      'dispenser',
      () => {
        const queue = new LimitedQueue<number>(count);
        for (const batch of batches) queue.append(batch);
        return queue;
      },
      (queue) => queue.size,
    ),
    contender(
      'denque 2.1.0',
      'peer',
      () => {
        const queue = new Denque<number>([], { capacity: count });
        for (const batch of batches) for (const value of batch) queue.push(value);
        return queue;
      },
      (queue) => queue.size(),
    ),
    contender(
      'mnemonist 0.40.8 CircularBuffer',
      'peer',
      () => {
        const queue = new CircularBuffer<number>(Array, count);
        for (const batch of batches) for (const value of batch) queue.push(value);
        return queue;
      },
      (queue) => queue.size,
    ),
    contender(
      'effect 4.1.0 Queue.sliding',
      'peer',
      () => {
        const queue = Effect.runSync(Queue.sliding<number>(count));
        for (const batch of batches) Queue.offerAllUnsafe(queue, batch);
        return queue;
      },
      (queue) => Queue.sizeUnsafe(queue),
    ),
    contender(
      'node:stream Readable (objectMode)',
      'peer',
      () => {
        const stream = new Readable({
          objectMode: true,
          highWaterMark: count,
          read() {
            // The bench pushes; nothing to pull.
          },
        });
        for (const batch of batches) for (const value of batch) stream.push(value);
        return stream;
      },
      (stream) => stream.readableLength,
    ),
  ];
}
