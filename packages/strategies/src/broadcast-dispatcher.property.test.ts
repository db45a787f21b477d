import { DispatchingBuffer } from '@dispenser/core';
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { BroadcastDispatcher } from './broadcast-dispatcher';

type Selector = 'all' | 'even' | 'odd';
const selectors: Record<Exclude<Selector, 'all'>, (n: number) => boolean> = {
  even: (n) => n % 2 === 0,
  odd: (n) => n % 2 === 1,
};

type Command =
  | { kind: 'subscribe'; consumer: number; selector: Selector }
  | { kind: 'cancel'; consumer: number }
  | { kind: 'ask'; consumer: number; demand: number }
  | { kind: 'dispatch'; count: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('subscribe' as const),
      consumer: fc.nat(3),
      selector: fc.constantFrom<Selector>('all', 'all', 'even', 'odd'),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant('cancel' as const), consumer: fc.nat(3) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('ask' as const), consumer: fc.nat(3), demand: fc.nat(6) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('dispatch' as const), count: fc.nat(10) }), weight: 4 },
);

describe('BroadcastDispatcher', () => {
  test.prop([fc.array(command, { maxLength: 60, size: 'max' })], { numRuns: 150 })(
    'sends every consumer the same events (filtered by its selector), never beyond its demand',
    (commands) => {
      let sent: Array<[number, number[]]> = [];
      const dispatcher = new BroadcastDispatcher<number, number>((c, events) => sent.push([c, events]));
      const consumers = new Map<number, { demand: number; selector: Selector }>();
      let requested = 0;
      let next = 0;
      for (const step of commands) {
        /** Whether the step made the dispatcher recompute its demand (an ask above 0, a cancel). */
        let synced = false;
        switch (step.kind) {
          case 'subscribe': {
            const options = step.selector === 'all' ? undefined : { selector: selectors[step.selector] };
            if (consumers.has(step.consumer)) {
              expect(() => dispatcher.subscribe(step.consumer, options)).toThrow();
            } else {
              expect(dispatcher.subscribe(step.consumer, options)).toBe(0);
              consumers.set(step.consumer, { demand: 0, selector: step.selector });
            }
            break;
          }
          case 'cancel':
            requested += dispatcher.cancel(step.consumer);
            synced = consumers.delete(step.consumer);
            break;
          case 'ask': {
            const consumer = consumers.get(step.consumer);
            if (consumer === undefined) {
              expect(() => dispatcher.ask(step.consumer, step.demand)).toThrow();
              break;
            }
            requested += dispatcher.ask(step.consumer, step.demand);
            consumer.demand += step.demand;
            synced = step.demand > 0;
            break;
          }
          case 'dispatch': {
            const events = Array.from({ length: step.count }, () => next++);
            const min = consumers.size === 0 ? 0 : Math.min(...[...consumers.values()].map((c) => c.demand));
            sent = [];
            const leftovers = dispatcher.dispatch(events);
            const taken = events.length - leftovers.length;
            expect(leftovers).toEqual(events.slice(taken));
            // Released only up to the smallest demand, and as much of it as there were events.
            expect(taken).toBe(Math.min(min, events.length));
            requested = Math.max(0, requested - taken);
            const released = events.slice(0, taken);
            const got = new Map(sent);
            expect(got.size).toBe(sent.length);
            for (const [id, consumer] of consumers) {
              const expected = consumer.selector === 'all' ? released : released.filter(selectors[consumer.selector]);
              expect(got.get(id) ?? []).toEqual(expected);
              consumer.demand -= expected.length;
              expect(consumer.demand).toBeGreaterThanOrEqual(0);
            }
            for (const [id] of sent) expect(consumers.has(id)).toBe(true);
            break;
          }
        }
        let total = 0;
        for (const [id, consumer] of consumers) {
          expect(dispatcher.demandOf(id)).toBe(consumer.demand);
          total += consumer.demand;
        }
        expect(dispatcher.demand()).toBe(total);
        const min = consumers.size === 0 ? 0 : Math.min(...[...consumers.values()].map((c) => c.demand));
        expect(dispatcher.waiting).toBe(min);
        // Demand returned upstream minus events dispatched is what is still requested; after an
        // ask or a cancel it covers everything waiting (demand a selector gave back included).
        expect(dispatcher.requested).toBe(requested);
        if (synced) expect(requested).toBeGreaterThanOrEqual(dispatcher.waiting);
      }
    },
  );

  test.prop(
    [fc.integer({ min: 1, max: 4 }), fc.array(fc.tuple(fc.nat(3), fc.nat(5), fc.nat(8)), { maxLength: 40 })],
    { numRuns: 150 },
  )('delivers identical sequences to consumers subscribed from the start', (count, steps) => {
    const received = new Map<number, number[]>();
    const dispatcher = new BroadcastDispatcher<number, number>((c, events) => {
      received.set(c, [...(received.get(c) ?? []), ...events]);
    });
    for (let c = 0; c < count; c++) dispatcher.subscribe(c);
    let next = 0;
    let queue: number[] = [];
    for (const [consumer, demand, produce] of steps) {
      if (consumer < count) dispatcher.ask(consumer, demand);
      for (let i = 0; i < produce; i++) queue.push(next++);
      queue = dispatcher.dispatch(queue);
    }
    const first = received.get(0) ?? [];
    expect(first).toEqual(Array.from({ length: first.length }, (_, i) => i));
    for (let c = 1; c < count; c++) expect(received.get(c) ?? []).toEqual(first);
  });

  test.prop([fc.array(command, { maxLength: 60, size: 'max' }), fc.integer({ min: 1, max: 10 })], { numRuns: 150 })(
    'under DispatchingBuffer, keeps each subscriber FIFO and within demand, in step with the dispatcher',
    (commands, capacity) => {
      const buffer = new DispatchingBuffer<number, number>({
        dispatcher: (send) => new BroadcastDispatcher(send),
        capacity,
        subscribeOptions: (s) => (s === 3 ? { selector: selectors.even } : {}),
      });
      let next = 0;
      const asked = new Map<number, number>();
      const last = new Map<number, number>();
      for (const step of commands) {
        if (step.kind === 'dispatch') {
          buffer.append(Array.from({ length: step.count }, () => next++));
        } else if (step.kind === 'ask') {
          buffer.ask(step.consumer, step.demand);
          if (step.demand > 0) asked.set(step.consumer, (asked.get(step.consumer) ?? 0) + step.demand);
        } else if (step.kind === 'cancel') {
          buffer.delete(step.consumer);
          asked.delete(step.consumer);
          last.delete(step.consumer);
        } else {
          for (const [subscriber, events] of buffer.assignEvents()) {
            expect(events.length).toBeLessThanOrEqual(asked.get(subscriber) ?? 0);
            asked.set(subscriber, (asked.get(subscriber) ?? 0) - events.length);
            for (const event of events) {
              if (subscriber === 3) expect(event % 2).toBe(0);
              expect(event).toBeGreaterThan(last.get(subscriber) ?? -1);
              last.set(subscriber, event);
            }
          }
          expect(buffer.stats().demand).toBe(buffer.dispatcher.demand?.());
        }
        expect(buffer.stats().demand).toBe([...asked.values()].reduce((a, b) => a + b, 0));
      }
    },
  );
});
