// W3: overload (no demand, the buffer fills and drops), once per drop strategy, and the rejected batches alone.
import { EventBuffer } from '@dispenser/core';
import { even } from '@dispenser/strategies';
import Denque from 'denque';
import { Effect, Queue } from 'effect';
import { CircularBuffer } from 'mnemonist';
import type { Contender } from '../harness';
import { expectEqual } from './books';
import { batchesOf, eventsOf } from './events';
import type { BenchSubscriber, Ev } from './events';
import type { Profile } from './profile';
import type { TimedWorkload } from './types';

function overloadBooks(p: Profile, appended: number, dropped: number, buffered: number): void {
  const { events, capacity } = p.overload;
  expectEqual('events appended', appended, events);
  expectEqual('events dropped', dropped, events - capacity);
  expectEqual('events buffered', buffered, capacity);
}

function overloadEventBuffer(p: Profile, dropStrategy: 'drop-newest' | 'drop-oldest'): Contender {
  const { events, capacity, batchSize } = p.overload;
  return {
    name: 'dispenser EventBuffer',
    role: 'dispenser',
    prepare() {
      const batches = batchesOf(events, batchSize);
      const buffer = new EventBuffer<Ev, BenchSubscriber>({ strategy: even, capacity, dropStrategy });
      let dropped = 0;
      return {
        run() {
          for (let b = 0; b < batches.length; b++) dropped += buffer.append(batches[b] as Ev[]);
        },
        check: () => overloadBooks(p, events, dropped, buffer.size),
      };
    },
  };
}

/**
 * W3's O(1) claim in isolation: a buffer already full with `'drop-newest'` rejects ten times as
 * many batches as W3 appends, of `batchSize` events each; the time per rejected batch must not
 * grow with `batchSize`.
 */
function rejectContender(p: Profile, library: 'dispenser' | 'effect', batchSize: number): Contender {
  const { capacity } = p.overload;
  const count = 10 * Math.ceil(p.overload.events / p.overload.batchSize);
  const events = count * batchSize;
  return {
    name: `${library === 'dispenser' ? 'dispenser EventBuffer' : 'effect 4.1.0 Queue.dropping'}, batches of ${batchSize.toLocaleString('en-US')}`,
    role: library === 'dispenser' ? 'dispenser' : 'peer',
    events,
    prepare() {
      const batch = eventsOf(batchSize);
      const full = eventsOf(capacity);
      let dropped = 0;
      let size: () => number;
      let append: () => void;
      if (library === 'dispenser') {
        const buffer = new EventBuffer<Ev, BenchSubscriber>({ strategy: even, capacity, dropStrategy: 'drop-newest' });
        buffer.append(full);
        size = () => buffer.size;
        append = () => {
          for (let b = 0; b < count; b++) dropped += buffer.append(batch);
        };
      } else {
        const queue = Effect.runSync(Queue.dropping<Ev>(capacity));
        Queue.offerAllUnsafe(queue, full);
        size = () => Queue.sizeUnsafe(queue);
        append = () => {
          for (let b = 0; b < count; b++) dropped += Queue.offerAllUnsafe(queue, batch).length;
        };
      }
      return {
        run: append,
        check() {
          expectEqual('events rejected', dropped, events);
          expectEqual('events buffered', size(), capacity);
        },
        extras: () => ({ batches: count }),
      };
    },
  };
}

/**
 * A W3 drop-oldest peer whose queue overwrites its oldest value when full without reporting it:
 * `push` appends one batch (its per-event loop stays each contender's own); what was pushed but
 * is no longer held was dropped.
 */
function overloadOverwriting<Q>(
  p: Profile,
  name: string,
  create: (capacity: number) => Q,
  push: (queue: Q, batch: Ev[]) => void,
  size: (queue: Q) => number,
): Contender {
  const { events, capacity, batchSize } = p.overload;
  return {
    name,
    role: 'peer',
    prepare() {
      const batches = batchesOf(events, batchSize);
      const queue = create(capacity);
      let appended = 0;
      return {
        run() {
          for (let b = 0; b < batches.length; b++) {
            const batch = batches[b] as Ev[];
            push(queue, batch);
            appended += batch.length;
          }
        },
        check: () => overloadBooks(p, appended, appended - size(queue), size(queue)),
      };
    },
  };
}

function overloadDenque(p: Profile): Contender {
  return overloadOverwriting(
    p,
    'denque 2.1.0 (capacity)',
    (capacity) => new Denque<Ev>([], { capacity }),
    (queue, batch) => {
      for (let k = 0; k < batch.length; k++) queue.push(batch[k] as Ev);
    },
    (queue) => queue.size(),
  );
}

function overloadMnemonist(p: Profile): Contender {
  return overloadOverwriting(
    p,
    'mnemonist 0.40.8 CircularBuffer',
    (capacity) => new CircularBuffer<Ev>(Array, capacity),
    (queue, batch) => {
      for (let k = 0; k < batch.length; k++) queue.push(batch[k] as Ev);
    },
    (queue) => queue.size,
  );
}

function overloadEffect(p: Profile, strategy: 'dropping' | 'sliding'): Contender {
  const { events, capacity, batchSize } = p.overload;
  return {
    name: `effect 4.1.0 Queue.${strategy}`,
    role: 'peer',
    prepare() {
      const batches = batchesOf(events, batchSize);
      const queue = Effect.runSync(strategy === 'dropping' ? Queue.dropping<Ev>(capacity) : Queue.sliding<Ev>(capacity));
      let appended = 0;
      let rejected = 0;
      return {
        run() {
          for (let b = 0; b < batches.length; b++) {
            const batch = batches[b] as Ev[];
            rejected += Queue.offerAllUnsafe(queue, batch).length;
            appended += batch.length;
          }
        },
        check() {
          const size = Queue.sizeUnsafe(queue);
          if (strategy === 'dropping') expectEqual('events rejected', rejected, appended - size);
          overloadBooks(p, appended, appended - size, size);
        },
      };
    },
  };
}

/** W3 at the sizes of `p`: drop-newest, its rejected batches alone (`W3 rejected`), drop-oldest. */
export function overloadWorkloads(p: Profile): TimedWorkload[] {
  return [
    {
      id: 'W3 drop-newest',
      title: 'Overload, drop-newest',
      events: p.overload.events,
      contenders: [overloadEventBuffer(p, 'drop-newest'), overloadEffect(p, 'dropping')],
    },
    {
      id: 'W3 rejected',
      title: 'Overload, drop-newest, rejected batches only (already full)',
      events: p.overload.events,
      contenders: [
        rejectContender(p, 'dispenser', p.overload.batchSize),
        rejectContender(p, 'dispenser', p.overload.batchSize * 100),
        rejectContender(p, 'effect', p.overload.batchSize),
        rejectContender(p, 'effect', p.overload.batchSize * 100),
      ],
    },
    {
      id: 'W3 drop-oldest',
      title: 'Overload, drop-oldest',
      events: p.overload.events,
      contenders: [
        overloadEventBuffer(p, 'drop-oldest'),
        overloadDenque(p),
        overloadMnemonist(p),
        overloadEffect(p, 'sliding'),
      ],
    },
  ];
}
