// W2: buffer dispatch, `rounds` times append a batch, assign it, and every subscriber re-asks what it got.
import { EventBuffer } from '@dispenser/core';
import type { AssignmentStrategy } from '@dispenser/core';
import { even, greedy } from '@dispenser/strategies';
import { Effect, Queue } from 'effect';
import type { Contender } from '../harness';
import { expectEqual } from './books';
import { takeEffect } from './effect-take';
import { batchesOf, subscribersOf } from './events';
import type { BenchSubscriber, Ev } from './events';
import type { Profile } from './profile';
import type { TimedWorkload } from './types';

function dispatchBooks(p: Profile, assigned: number, buffered: number, demand: number): void {
  const { rounds, batchSize, subscribers, demand: ask } = p.dispatch;
  const total = rounds * batchSize;
  const perRound = Math.min(batchSize, subscribers * ask);
  expectEqual('events assigned', assigned, rounds * perRound);
  expectEqual('events appended', assigned + buffered, total);
  expectEqual('outstanding demand', demand, subscribers * ask);
}

function dispatchEventBuffer(p: Profile, strategy: AssignmentStrategy, label: string): Contender {
  const { capacity, subscribers, demand, rounds, batchSize } = p.dispatch;
  return {
    name: `dispenser EventBuffer (${label})`,
    role: 'dispenser',
    prepare() {
      const batches = batchesOf(rounds * batchSize, batchSize);
      const buffer = new EventBuffer<Ev, BenchSubscriber>({ strategy, capacity, dropStrategy: 'drop-oldest' });
      for (const subscriber of subscribersOf(subscribers)) buffer.ask(subscriber, demand);
      let assigned = 0;
      return {
        run() {
          for (let r = 0; r < rounds; r++) {
            buffer.append(batches[r] as Ev[]);
            const pairs = buffer.assignEvents();
            for (let k = 0; k < pairs.length; k++) {
              const [subscriber, events] = pairs[k] as [BenchSubscriber, Ev[]];
              assigned += events.length;
              buffer.ask(subscriber, events.length);
            }
          }
        },
        check() {
          const stats = buffer.stats();
          dispatchBooks(p, assigned, stats.buffered, stats.demand);
        },
      };
    },
  };
}

function dispatchEffect(p: Profile): Contender {
  const { capacity, subscribers, demand, rounds, batchSize } = p.dispatch;
  return {
    name: 'effect 4.1.0 Queue.sliding, takers in turn',
    role: 'peer',
    prepare() {
      const batches = batchesOf(rounds * batchSize, batchSize);
      const queue = Effect.runSync(Queue.sliding<Ev>(capacity));
      const demands = new Array<number>(subscribers).fill(demand);
      let assigned = 0;
      return {
        run() {
          for (let r = 0; r < rounds; r++) {
            Queue.offerAllUnsafe(queue, batches[r] as Ev[]);
            for (let t = 0; t < subscribers; t++) {
              const events = takeEffect(queue, demands[t] as number);
              assigned += events.length;
              // The taker got k and asks k again: its demand stays where it was.
            }
          }
        },
        check() {
          let outstanding = 0;
          for (const d of demands) outstanding += d;
          dispatchBooks(p, assigned, Queue.sizeUnsafe(queue), outstanding);
        },
      };
    },
  };
}

/** W2 at the sizes of `p`: events assigned per second. */
export function dispatchWorkload(p: Profile): TimedWorkload {
  return {
    id: 'W2',
    title: 'Buffer dispatch, events assigned',
    events: p.dispatch.rounds * Math.min(p.dispatch.batchSize, p.dispatch.subscribers * p.dispatch.demand),
    contenders: [dispatchEventBuffer(p, even, 'even'), dispatchEventBuffer(p, greedy, 'greedy'), dispatchEffect(p)],
  };
}
