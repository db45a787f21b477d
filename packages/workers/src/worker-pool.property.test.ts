// WorkerPool under random crashes (handler throws, process.exit, uncaught exceptions), on real threads: the server's and the pool's books balance, and no event is lost.
import fc from 'fast-check';
import { BufferServer, DeliveryError } from '@dispenser/servers';
import { expect, it } from 'vitest';
import { WorkerDownError, WorkerPool } from './index';
import { fixture, onceFlag, Reports } from './test/reports';

interface Ev {
  run: string;
  id: number;
  action?: 'throw' | 'exit' | 'uncaught';
  once?: Int32Array;
}

const scenario = fc.record({
  count: fc.integer({ min: 20, max: 80 }),
  faults: fc.uniqueArray(fc.record({ at: fc.nat({ max: 79 }), kind: fc.constantFrom('throw' as const, 'exit' as const, 'uncaught' as const) }), {
    maxLength: 4,
    selector: (fault) => fault.at,
  }),
  batch: fc.integer({ min: 1, max: 20 }),
  maxDemand: fc.integer({ min: 1, max: 20 }),
  redeliver: fc.boolean(),
});

it('keeps the books balanced and loses no event while workers throw and exit at random', async () => {
  await fc.assert(
    fc.asyncProperty(scenario, async ({ count, faults, batch, maxDemand, redeliver }) => {
      const reports = new Reports();
      const failedAtServer: Ev[] = [];
      const down: WorkerDownError[] = [];
      const server = new BufferServer<Ev>({
        capacity: 10_000,
        redeliver,
        onError: (error) => {
          if (error instanceof DeliveryError && !error.redelivered) failedAtServer.push(...(error.events as Ev[]));
        },
      });
      const pool = new WorkerPool<Ev>({
        filename: fixture('scripted-worker.mjs'),
        size: 2,
        maxDemand,
        maxRestarts: 100,
        onError: (error) => {
          if (error instanceof WorkerDownError) down.push(error);
        },
      });
      try {
        pool.attach(server);
        const faultAt = new Map(faults.map((fault) => [fault.at, fault.kind]));
        const events: Ev[] = Array.from({ length: count }, (_, id) => {
          const kind = faultAt.get(id);
          return kind === undefined ? { run: reports.run, id } : { run: reports.run, id, action: kind, once: onceFlag() };
        });
        for (let start = 0; start < count; start += batch) {
          server.append(events.slice(start, start + batch));
          await new Promise<void>((resolve) => setImmediate(() => resolve()));
        }
        await server.onIdle();

        const failedIds = new Set(failedAtServer.map((event) => event.id));
        const kept = events.filter((event) => !failedIds.has(event.id)).map((event) => event.id);
        await reports.untilHandled(kept);
        if (redeliver) expect(failedIds.size).toBe(0);
        // Every event outside a failed batch was handled; without redelivery, exactly once.
        for (const id of kept) expect(reports.handled.get(id) ?? 0).toBeGreaterThanOrEqual(1);
        if (!redeliver) for (const id of kept) expect(reports.handled.get(id)).toBe(1);

        const metrics = server.metrics();
        expect(metrics.appended).toBe(count);
        expect(metrics.appended).toBe(metrics.delivered + metrics.dropped + metrics.failed + server.stats().buffered);
        expect(metrics.failed).toBe(failedAtServer.length);
        const books = pool.metrics();
        expect(books.sent).toBe(books.processed + books.failed);
        expect(pool.stats()).toEqual({ workers: 2, busy: 0, restarts: down.length });
        expect(down.every((error) => error.reason === 'threw' || error.reason === 'exited')).toBe(true);
      } finally {
        await pool.close();
        await server.close();
        reports.close();
      }
    }),
    { numRuns: 60, timeout: 4_000 },
  );
}, 120_000);
