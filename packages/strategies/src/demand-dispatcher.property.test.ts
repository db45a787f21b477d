import { DispatchingBuffer } from '@dispenser/core';
import { fc, test } from '@fast-check/vitest';
import { createSeededRandom } from '@dispenser/testing-utils';
import { describe, expect } from 'vitest';
import { DemandDispatcher } from './demand-dispatcher';
import { checkUnderDispatchingBuffer, dispatcherCommands, expectDemands } from './test/dispatcher-harness';
import { recordSends } from './test/record-sends';

const command = dispatcherCommands({ consumers: 4, maxCount: 12 });

describe('DemandDispatcher', () => {
  test.prop([fc.array(command, { maxLength: 60, size: 'max' }), fc.boolean(), fc.integer()], { numRuns: 150 })(
    'never sends beyond demand, keeps events in order, serves the biggest demand first and tracks pending demand',
    (commands, shuffle, seed) => {
      const { send, take } = recordSends<number, number>();
      const dispatcher = new DemandDispatcher<number, number>(send, {
        shuffleDemandsOnFirstDispatch: shuffle,
        random: createSeededRandom(seed),
      });
      const demand = new Map<number, number>();
      let pending = 0;
      let next = 0;
      for (const step of commands) {
        switch (step.kind) {
          case 'subscribe':
            if (demand.has(step.consumer)) {
              expect(() => dispatcher.subscribe(step.consumer)).toThrow();
            } else {
              expect(dispatcher.subscribe(step.consumer)).toBe(0);
              demand.set(step.consumer, 0);
            }
            break;
          case 'cancel':
            expect(dispatcher.cancel(step.consumer)).toBe(0);
            pending += demand.get(step.consumer) ?? 0;
            demand.delete(step.consumer);
            break;
          case 'ask': {
            const current = demand.get(step.consumer);
            if (current === undefined) {
              expect(() => dispatcher.ask(step.consumer, step.demand)).toThrow();
              break;
            }
            const covered = Math.min(pending, step.demand);
            expect(dispatcher.ask(step.consumer, step.demand)).toBe(step.demand - covered);
            pending -= covered;
            demand.set(step.consumer, current + step.demand);
            break;
          }
          case 'dispatch': {
            const events = Array.from({ length: step.count }, () => next++);
            const max = Math.max(0, ...demand.values());
            take();
            const leftovers = dispatcher.dispatch(events);
            const sent = take();
            // Sent batches then leftovers are exactly the input, in order.
            expect([...sent.flatMap(([, batch]) => batch), ...leftovers]).toEqual(events);
            if (sent.length > 0) expect(demand.get((sent[0] as [number, number[]])[0])).toBe(max);
            const served = new Set<number>();
            for (const [consumer, batch] of sent) {
              expect(served.has(consumer)).toBe(false);
              served.add(consumer);
              expect(batch.length).toBeGreaterThan(0);
              const before = demand.get(consumer);
              expect(before).toBeDefined();
              expect(batch.length).toBeLessThanOrEqual(before as number);
              demand.set(consumer, (before as number) - batch.length);
            }
            // Work-conserving: leftovers only when nobody has demand left.
            if (leftovers.length > 0) for (const d of demand.values()) expect(d).toBe(0);
            pending = Math.max(0, pending - leftovers.length);
            break;
          }
        }
        expectDemands(dispatcher, demand);
        expect(dispatcher.pending).toBe(pending);
        const order = dispatcher.consumers().map(([, d]) => d);
        expect(order).toEqual([...order].sort((a, b) => b - a));
      }
    },
  );

  test.prop([fc.array(command, { maxLength: 60, size: 'max' }), fc.integer({ min: 1, max: 10 })], { numRuns: 150 })(
    'under DispatchingBuffer, delivers each event once, FIFO per subscriber, within demand',
    (commands, capacity) => {
      const buffer = new DispatchingBuffer<number, number>({
        dispatcher: (send) => new DemandDispatcher(send),
        capacity,
      });
      checkUnderDispatchingBuffer(buffer, commands);
    },
  );
});
