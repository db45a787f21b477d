import { DispatchingBuffer } from '@dispenser/core';
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { DemandDispatcher } from './demand-dispatcher';

/** A small seeded generator (mulberry32), so each run's shuffle is reproducible. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Command =
  | { kind: 'subscribe'; consumer: number }
  | { kind: 'cancel'; consumer: number }
  | { kind: 'ask'; consumer: number; demand: number }
  | { kind: 'dispatch'; count: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('subscribe' as const), consumer: fc.nat(4) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('cancel' as const), consumer: fc.nat(4) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('ask' as const), consumer: fc.nat(4), demand: fc.nat(6) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('dispatch' as const), count: fc.nat(12) }), weight: 4 },
);

describe('DemandDispatcher', () => {
  test.prop([fc.array(command, { maxLength: 60, size: 'max' }), fc.boolean(), fc.integer()], { numRuns: 150 })(
    'never sends beyond demand, keeps events in order, serves the biggest demand first and tracks pending demand',
    (commands, shuffle, seed) => {
      let sent: Array<[number, number[]]> = [];
      const dispatcher = new DemandDispatcher<number, number>((c, events) => sent.push([c, events]), {
        shuffleDemandsOnFirstDispatch: shuffle,
        random: seeded(seed),
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
            sent = [];
            const leftovers = dispatcher.dispatch(events);
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
        let total = 0;
        for (const [consumer, d] of demand) {
          expect(dispatcher.demandOf(consumer)).toBe(d);
          total += d;
        }
        expect(dispatcher.demand()).toBe(total);
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
      let next = 0;
      let appended = 0;
      let dropped = 0;
      let delivered = 0;
      const seen = new Set<number>();
      const asked = new Map<number, number>();
      const last = new Map<number, number>();
      for (const step of commands) {
        if (step.kind === 'dispatch') {
          const events = Array.from({ length: step.count }, () => next++);
          appended += events.length;
          dropped += buffer.append(events);
        } else if (step.kind === 'ask') {
          buffer.ask(step.consumer, step.demand);
          if (step.demand > 0) asked.set(step.consumer, (asked.get(step.consumer) ?? 0) + step.demand);
        } else if (step.kind === 'cancel') {
          buffer.delete(step.consumer);
          asked.delete(step.consumer);
        } else {
          for (const [subscriber, events] of buffer.assignEvents()) {
            expect(events.length).toBeLessThanOrEqual(asked.get(subscriber) ?? 0);
            asked.set(subscriber, (asked.get(subscriber) ?? 0) - events.length);
            for (const event of events) {
              expect(seen.has(event)).toBe(false);
              seen.add(event);
              expect(event).toBeGreaterThan(last.get(subscriber) ?? -1);
              last.set(subscriber, event);
            }
            delivered += events.length;
          }
          expect(buffer.stats().demand).toBe(buffer.dispatcher.demand?.());
        }
        expect(appended).toBe(delivered + dropped + buffer.size);
        expect(buffer.stats().demand).toBe([...asked.values()].reduce((a, b) => a + b, 0));
      }
    },
  );
});
