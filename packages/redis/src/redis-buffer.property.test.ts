import { fc } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { eventually } from '@dispenser/testing-utils';
import type { DropStrategy } from '@dispenser/core';
import { RedisBuffer } from './index';
import { redisTestsRun, useRedis } from './test/redis-server';

describe.skipIf(!redisTestsRun)('RedisBuffer books', () => {
  const shared = useRedis();
  let serial = 0;

  const scenario = fc.record({
    dropStrategy: fc.constantFrom<DropStrategy>('drop-newest', 'drop-oldest'),
    capacity: fc.integer({ min: 1, max: 25 }),
    bursts: fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 5, maxLength: 20 }),
    demands: fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 })),
    pauses: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 20, maxLength: 20 }),
  });

  it('balances under random load with 3 consumers: distinct acked + dropped = appended, never over capacity, FIFO per consumer', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ dropStrategy, capacity, bursts, demands, pauses }) => {
        serial += 1;
        const buffer = new RedisBuffer<number>({ client: shared.client, name: `books-${process.pid}-${serial}`, capacity, dropStrategy, reaperInterval: 20 });
        const received: number[][] = [[], [], []];
        let stopping = false;
        const loops = demands.map(async (maxDemand, index) => {
          const subscription = buffer.subscribe({ maxDemand });
          for await (const batch of subscription) {
            expect(batch.length).toBeLessThanOrEqual(maxDemand);
            received[index]?.push(...batch);
            if (stopping) break;
          }
        });
        let next = 0;
        let droppedByAppend = 0;
        for (const [index, size] of bursts.entries()) {
          droppedByAppend += await buffer.append(Array.from({ length: size }, () => next++));
          const { buffered } = await buffer.stats();
          expect(buffered).toBeLessThanOrEqual(capacity);
          await new Promise((resolve) => setTimeout(resolve, pauses[index % pauses.length]));
        }
        await eventually(async () => expect(await buffer.stats()).toMatchObject({ buffered: 0, inFlight: 0 }), { timeout: 20_000, interval: 20 });
        stopping = true;
        await buffer.close();
        await Promise.all(loops);

        const all = received.flat();
        expect(new Set(all).size).toBe(all.length);
        for (const events of received) expect(events).toEqual([...events].sort((a, b) => a - b));
        const metrics = await buffer.metrics();
        expect(metrics.appended).toBe(next);
        expect(metrics.dropped).toBe(droppedByAppend);
        expect(all.length + metrics.dropped).toBe(next);
        expect(metrics.acked).toBe(all.length);
        expect(metrics.delivered).toBe(all.length);
        const { buffered, inFlight } = await buffer.stats();
        expect(metrics.appended).toBe(metrics.acked + metrics.dropped + metrics.deadLettered + metrics.lost + buffered + inFlight);
      }),
      { numRuns: 15 },
    );
  }, 120_000);

  it('loses and duplicates nothing when consumers give batches back and leave at random: each event acked once or dropped', async () => {
    const churn = fc.record({
      dropStrategy: fc.constantFrom<DropStrategy>('drop-newest', 'drop-oldest'),
      capacity: fc.integer({ min: 5, max: 40 }),
      bursts: fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 5, maxLength: 15 }),
      demands: fc.tuple(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 10 })),
      // Per batch: 0 = handle it, 1 = give it back (abort), 2 = handle it and leave (break), then subscribe again.
      moves: fc.array(fc.constantFrom(0, 0, 0, 1, 2), { minLength: 30, maxLength: 30 }),
    });
    await fc.assert(
      fc.asyncProperty(churn, async ({ dropStrategy, capacity, bursts, demands, moves }) => {
        serial += 1;
        const buffer = new RedisBuffer<number>({
          client: shared.client,
          name: `churn-${process.pid}-${serial}`,
          capacity,
          dropStrategy,
          reaperInterval: 20,
          maxDeliveries: Number.POSITIVE_INFINITY,
        });
        const acked: number[] = [];
        let givenBack = 0;
        let step = 0;
        let stopping = false;
        const consume = async (maxDemand: number): Promise<void> => {
          while (!stopping) {
            const controller = new AbortController();
            const subscription = buffer.subscribe({ maxDemand, signal: controller.signal });
            try {
              for await (const batch of subscription) {
                const move = moves[step++ % moves.length];
                if (move === 1 && !stopping) {
                  givenBack += batch.length;
                  controller.abort(new Error('gave it back'));
                  continue;
                }
                acked.push(...batch);
                if (move === 2 || stopping) break;
              }
            } catch (error) {
              expect((error as Error).message).toBe('gave it back');
            }
          }
        };
        const loops = demands.map(consume);
        let next = 0;
        let dropped = 0;
        for (const size of bursts) dropped += await buffer.append(Array.from({ length: size }, () => next++));
        await eventually(() => expect(acked.length + dropped).toBe(next), { timeout: 30_000, interval: 20 });
        stopping = true;
        await buffer.close();
        await Promise.all(loops);

        expect(new Set(acked).size).toBe(acked.length);
        const metrics = await buffer.metrics();
        expect(metrics).toMatchObject({ appended: next, dropped, acked: acked.length, lost: 0, deadLettered: 0 });
        expect(metrics.redelivered).toBeGreaterThanOrEqual(givenBack);
        const { buffered, inFlight } = await buffer.stats();
        expect(metrics.appended).toBe(metrics.acked + metrics.dropped + buffered + inFlight);
      }),
      { numRuns: 10 },
    );
  }, 180_000);
});
