import { DispatchingBuffer } from '@dispenser/core';
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { PartitionDispatcher } from './partition-dispatcher';
import { checkUnderDispatchingBuffer, dispatcherCommands, expectDemands } from './test/dispatcher-harness';

const PARTITIONS = 3;
/** Multiples of 7 are discarded; the rest go to `n % 3`. */
const hash = (n: number) => (n % 7 === 0 ? null : ([n, n % PARTITIONS] as const));

const command = dispatcherCommands({
  consumers: 4,
  maxCount: 10,
  subscribe: { partition: fc.nat(PARTITIONS - 1) },
});

describe('PartitionDispatcher', () => {
  test.prop([fc.array(command, { maxLength: 80, size: 'max' })], { numRuns: 150 })(
    'delivers each event once, to its partition’s consumer, in order and within demand',
    (commands) => {
      const partitionOf = new Map<number, number>();
      const owner = new Map<number, number>();
      const demand = new Map<number, number>();
      const delivered: number[] = [];
      const lastInPartition = new Map<number, number>();
      const dispatcher = new PartitionDispatcher<number, number>(
        (consumer, events) => {
          const partition = partitionOf.get(consumer);
          expect(partition).toBeDefined();
          expect(events.length).toBeGreaterThan(0);
          expect(events.length).toBeLessThanOrEqual(demand.get(consumer) ?? 0);
          demand.set(consumer, (demand.get(consumer) ?? 0) - events.length);
          for (const event of events) {
            expect(event % PARTITIONS).toBe(partition);
            expect(event).toBeGreaterThan(lastInPartition.get(partition as number) ?? -1);
            lastInPartition.set(partition as number, event);
            delivered.push(event);
          }
        },
        { partitions: PARTITIONS, hash },
      );
      let next = 0;
      let backlog: number[] = [];
      for (const step of commands) {
        switch (step.kind) {
          case 'subscribe':
            if (partitionOf.has(step.consumer) || owner.has(step.partition)) {
              expect(() => dispatcher.subscribe(step.consumer, { partition: step.partition })).toThrow();
            } else {
              expect(dispatcher.subscribe(step.consumer, { partition: step.partition })).toBe(0);
              partitionOf.set(step.consumer, step.partition);
              owner.set(step.partition, step.consumer);
              demand.set(step.consumer, 0);
            }
            break;
          case 'cancel': {
            const partition = partitionOf.get(step.consumer);
            dispatcher.cancel(step.consumer);
            if (partition !== undefined) owner.delete(partition);
            partitionOf.delete(step.consumer);
            demand.delete(step.consumer);
            break;
          }
          case 'ask':
            if (!partitionOf.has(step.consumer)) {
              expect(() => dispatcher.ask(step.consumer, step.demand)).toThrow();
            } else {
              demand.set(step.consumer, (demand.get(step.consumer) ?? 0) + step.demand);
              dispatcher.ask(step.consumer, step.demand);
            }
            break;
          case 'dispatch': {
            // A producer: the previous leftovers come first, then new events.
            const input = [...backlog, ...Array.from({ length: step.count }, () => next++)];
            const before = dispatcher.waiting;
            backlog = dispatcher.dispatch(input);
            const consumed = input.slice(0, input.length - backlog.length);
            expect(input.slice(consumed.length)).toEqual(backlog);
            // Taken events that were not discarded use up `waiting`, and leftovers only happen
            // once it is used up.
            const used = consumed.filter((n) => n % 7 !== 0).length;
            expect(dispatcher.waiting).toBe(before - used);
            if (backlog.length > 0) expect(dispatcher.waiting).toBe(0);
            break;
          }
        }
        expectDemands(dispatcher, demand);
        expect(dispatcher.waiting).toBeGreaterThanOrEqual(0);
      }
      // Nothing lost or duplicated: every event is delivered, queued, discarded or left over.
      const queued = Array.from({ length: PARTITIONS }, (_, p) => dispatcher.queued(p)).flat();
      expect(dispatcher.buffered()).toBe(queued.length);
      const discarded = Array.from({ length: next }, (_, i) => i).filter(
        (n) => n % 7 === 0 && !backlog.includes(n),
      );
      const all = [...delivered, ...queued, ...discarded, ...backlog].sort((a, b) => a - b);
      expect(all).toEqual(Array.from({ length: next }, (_, i) => i));
    },
  );

  test.prop([fc.array(command, { maxLength: 60, size: 'max' }), fc.integer({ min: 1, max: 10 })], { numRuns: 150 })(
    'under DispatchingBuffer, keeps every partition in order and counts every event',
    (commands, capacity) => {
      const buffer = new DispatchingBuffer<number, number>({
        dispatcher: (send) => new PartitionDispatcher(send, { partitions: PARTITIONS }),
        capacity,
        subscribeOptions: (s) => ({ partition: s % PARTITIONS }),
      });
      // Only one subscriber per partition (0..2), so per-subscriber order is per-partition order.
      checkUnderDispatchingBuffer(buffer, commands, { subscriberOf: (consumer) => consumer % PARTITIONS });
    },
  );
});
