import { DispatchingBuffer } from '@dispenser/core';
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { BroadcastDispatcher } from './broadcast-dispatcher';
import { checkUnderDispatchingBuffer, dispatcherCommands, expectDemands } from './test/dispatcher-harness';
import { recordSends } from './test/record-sends';

type Selector = 'all' | 'even' | 'odd';
const selectors: Record<Exclude<Selector, 'all'>, (n: number) => boolean> = {
  even: (n) => n % 2 === 0,
  odd: (n) => n % 2 === 1,
};

const command = dispatcherCommands({
  consumers: 3,
  maxCount: 10,
  subscribe: { selector: fc.constantFrom<Selector>('all', 'all', 'even', 'odd') },
});

describe('BroadcastDispatcher', () => {
  test.prop([fc.array(command, { maxLength: 60, size: 'max' })], { numRuns: 150 })(
    'sends every consumer the same events (filtered by its selector), never beyond its demand',
    (commands) => {
      const { send, take } = recordSends<number, number>();
      const dispatcher = new BroadcastDispatcher<number, number>(send);
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
            take();
            const leftovers = dispatcher.dispatch(events);
            const sent = take();
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
        expectDemands(dispatcher, [...consumers].map(([id, consumer]) => [id, consumer.demand] as const));
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
      checkUnderDispatchingBuffer(buffer, commands, {
        exclusive: false,
        forgetOrderOnDelete: true,
        checkEvent: (subscriber, event) => {
          if (subscriber === 3) expect(event % 2).toBe(0);
        },
      });
    },
  );
});
