// W4: many subscribers, one `assignEvents()` over S subscribers and E buffered events (no peers).
import { EventBuffer } from '@dispenser/core';
import type { AssignmentStrategy } from '@dispenser/core';
import { even, greedy } from '@dispenser/strategies';
import type { Contender } from '../harness';
import { expectEqual } from './books';
import { eventsOf, subscribersOf } from './events';
import type { BenchSubscriber, Ev } from './events';
import type { Profile } from './profile';
import type { ManyCase } from './types';

/** What subscriber `i` asks for in W4. */
export function manyDemand(i: number): number {
  return ((i * 7919) % 100) + 1;
}

function manyContender(strategy: AssignmentStrategy, subscribers: number, events: number): Contender {
  return {
    name: `${strategy.name} S=${subscribers} E=${events}`,
    role: 'dispenser',
    prepare() {
      const batch = eventsOf(events);
      const buffer = new EventBuffer<Ev, BenchSubscriber>({ strategy, capacity: events, dropStrategy: 'drop-oldest' });
      buffer.append(batch);
      let demand = 0;
      const people = subscribersOf(subscribers);
      for (let i = 0; i < subscribers; i++) {
        buffer.ask(people[i] as BenchSubscriber, manyDemand(i));
        demand += manyDemand(i);
      }
      let assigned = 0;
      let pairs = 0;
      return {
        run() {
          const out = buffer.assignEvents();
          pairs = out.length;
          for (let k = 0; k < out.length; k++) assigned += (out[k] as [BenchSubscriber, Ev[]])[1].length;
        },
        check() {
          expectEqual('events assigned', assigned, Math.min(events, demand));
          expectEqual('events assigned + buffered', assigned + buffer.size, events);
          expectEqual('demand met + outstanding', assigned + buffer.stats().demand, demand);
          if (pairs > subscribers) throw new Error(`${pairs} pairs for ${subscribers} subscribers`);
        },
      };
    },
  };
}

/** W4's cases at the sizes of `p`: each strategy, buffered event count and subscriber count. */
export function manyCases(p: Profile): ManyCase[] {
  const many: ManyCase[] = [];
  for (const strategy of [even, greedy]) {
    for (const events of p.many.events) {
      for (const subscribers of p.many.subscribers) {
        many.push({ strategy: strategy.name, subscribers, events, contender: manyContender(strategy, subscribers, events) });
      }
    }
  }
  return many;
}
