import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { DispatchingBuffer } from './index';
import type { DropStrategy, Send } from './index';
import { FifoDispatcher } from './test/fifo-dispatcher';

/** A {@link FifoDispatcher} that reports its demand and throws on a repeated subscribe or an unknown ask. */
class StrictFifoDispatcher<E, C> extends FifoDispatcher<E, C> {
  constructor(send: Send<E, C>, perDispatch: number) {
    super(send);
    this.perDispatch = perDispatch;
  }
  override subscribe(consumer: C): number {
    if (this.demands.has(consumer)) throw new Error('subscribed twice');
    return super.subscribe(consumer);
  }
  override ask(consumer: C, demand: number): number {
    if (!this.demands.has(consumer)) throw new Error('not subscribed');
    return super.ask(consumer, demand);
  }
  demand(): number {
    let total = 0;
    for (const demand of this.demands.values()) total += demand;
    return total;
  }
}

type Command =
  | { kind: 'append'; count: number }
  | { kind: 'prepend'; count: number }
  | { kind: 'ask'; subscriber: number; demand: number }
  | { kind: 'delete'; subscriber: number }
  | { kind: 'assign' };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('append' as const), count: fc.nat(8) }),
  fc.record({ kind: fc.constant('prepend' as const), count: fc.nat(3) }),
  fc.record({ kind: fc.constant('ask' as const), subscriber: fc.nat(3), demand: fc.nat(6) }),
  fc.record({ kind: fc.constant('delete' as const), subscriber: fc.nat(3) }),
  fc.record({ kind: fc.constant('assign' as const) }),
);

describe('DispatchingBuffer', () => {
  test.prop(
    [
      fc.array(command, { maxLength: 60, size: 'max' }),
      fc.integer({ min: 1, max: 12 }),
      fc.constantFrom<DropStrategy>('drop-newest', 'drop-oldest'),
      fc.integer({ min: 1, max: 4 }),
    ],
    { numRuns: 200 },
  )(
    'loses, duplicates and over-delivers nothing, and keeps each subscriber FIFO',
    (commands, capacity, dropStrategy, perDispatch) => {
      let dispatcher!: StrictFifoDispatcher<number, number>;
      const buffer = new DispatchingBuffer<number, number>({
        dispatcher: (send) => (dispatcher = new StrictFifoDispatcher(send, perDispatch)),
        capacity,
        dropStrategy,
      });
      let next = 0;
      let appended = 0;
      let dropped = 0;
      const delivered = new Set<number>();
      const outstanding = new Map<number, number>();
      const lastSeen = new Map<number, number>();
      const redelivered = new Set<number>();

      for (const step of commands) {
        switch (step.kind) {
          case 'append': {
            const events = Array.from({ length: step.count }, () => next++);
            appended += events.length;
            dropped += buffer.append(events);
            break;
          }
          case 'prepend': {
            // Put back events that were delivered (as a server does for redelivery).
            const back = [...delivered].filter((e) => !redelivered.has(e)).slice(0, step.count);
            for (const e of back) {
              delivered.delete(e);
              redelivered.add(e);
            }
            dropped += buffer.prepend(back);
            break;
          }
          case 'ask':
            buffer.ask(step.subscriber, step.demand);
            if (step.demand > 0) outstanding.set(step.subscriber, (outstanding.get(step.subscriber) ?? 0) + step.demand);
            break;
          case 'delete':
            buffer.delete(step.subscriber);
            outstanding.delete(step.subscriber);
            lastSeen.delete(step.subscriber);
            break;
          case 'assign': {
            const seen = new Set<number>();
            for (const [subscriber, events] of buffer.assignEvents()) {
              expect(seen.has(subscriber)).toBe(false);
              seen.add(subscriber);
              expect(events.length).toBeGreaterThan(0);
              expect(events.length).toBeLessThanOrEqual(outstanding.get(subscriber) ?? 0);
              outstanding.set(subscriber, (outstanding.get(subscriber) ?? 0) - events.length);
              for (const event of events) {
                expect(delivered.has(event)).toBe(false);
                delivered.add(event);
                // FIFO per subscriber, except for events put back with prepend.
                if (!redelivered.has(event)) {
                  expect(event).toBeGreaterThan(lastSeen.get(subscriber) ?? -1);
                  lastSeen.set(subscriber, event);
                }
              }
            }
            // After an assignment the dispatcher's demand and the buffer's agree, and either the
            // queue is empty or nobody has demand left.
            expect(dispatcher.demand()).toBe(buffer.stats().demand);
            expect(buffer.size === 0 || buffer.stats().demand === 0).toBe(true);
            break;
          }
        }
        let total = 0;
        for (const demand of outstanding.values()) total += demand;
        expect(buffer.stats()).toEqual({ buffered: buffer.size, demand: total });
        // Every appended event is delivered, dropped or still buffered (put-back ones left `delivered`).
        expect(appended).toBe(delivered.size + dropped + buffer.size);
      }
    },
  );
});
