import type { Subscriber } from '@dispenser/core';
import { BufferServer } from '@dispenser/servers';
import { describe, expect, it } from 'vitest';
import type { DemoEvent } from './crew';
import { PoolTap } from './pool-tap';

/** A stand-in for a pool's subscriber: each batch waits until the test settles it. */
function fakeWorker(name: string) {
  const batches: Array<{ ids: number[]; resolve: () => void; reject: (error: unknown) => void }> = [];
  const subscriber = {
    name,
    handleAssignedEvents(events: DemoEvent[]): Promise<void> {
      return new Promise<void>((resolve, reject) => batches.push({ ids: events.map((e) => e.id), resolve, reject }));
    },
  } as Subscriber<DemoEvent>;
  return { subscriber, batches };
}

const events = (from: number, count: number): DemoEvent[] => Array.from({ length: count }, (_, i) => ({ id: from + i }));

/** Lets the promise callbacks of settled batches run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('PoolTap', () => {
  it('passes demand on, and counts what each worker was handed and finished, under the pool\'s names', async () => {
    const server = new BufferServer<DemoEvent>({ capacity: 100 });
    const tap = new PoolTap(server);
    const one = fakeWorker('worker-1');
    const two = fakeWorker('worker-2');
    tap.ask(one.subscriber, 3);
    tap.ask(two.subscriber, 2);
    expect(server.stats()).toEqual({ buffered: 0, subscribed: 2, demand: 5 });

    server.append(events(0, 7));
    expect([...one.batches.map((b) => b.ids), ...two.batches.map((b) => b.ids)].flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4]);
    for (const batch of [...one.batches, ...two.batches]) batch.resolve();
    await settle();

    expect(tap.workers.map((w) => [w.name, w.delivered, w.processed, w.failed, w.down])).toEqual([
      ['worker-1', 3, 3, 0, undefined],
      ['worker-2', 2, 2, 0, undefined],
    ]);
    expect(server.metrics()).toEqual({ appended: 7, dropped: 0, delivered: 5, failed: 0 });
    await server.close();
  });

  it('takes a failed batch off the worker\'s delivered count, as the server does when it redelivers it', async () => {
    const server = new BufferServer<DemoEvent>({ capacity: 100, redeliver: true });
    const tap = new PoolTap(server);
    const one = fakeWorker('worker-1');
    tap.ask(one.subscriber, 4);
    server.append(events(0, 4));
    one.batches[0]?.reject(Object.assign(new Error('worker 1 went down'), { reason: 'threw' }));
    await settle();

    const [tapped] = tap.workers;
    expect(tapped).toMatchObject({ name: 'worker-1', delivered: 0, processed: 0, failed: 4, down: 'threw' });
    expect(server.metrics()).toEqual({ appended: 4, dropped: 0, delivered: 0, failed: 0 });
    expect(server.stats().buffered).toBe(4);

    // A replacement asks: it gets the redelivered events, and is counted apart.
    const three = fakeWorker('worker-3');
    tap.ask(three.subscriber, 10);
    expect(three.batches[0]?.ids).toEqual([0, 1, 2, 3]);
    three.batches[0]?.resolve();
    await settle();
    expect(tap.workers.map((w) => [w.name, w.delivered, w.processed, w.failed])).toEqual([
      ['worker-1', 0, 0, 4],
      ['worker-3', 4, 4, 0],
    ]);
    expect(server.metrics().delivered).toBe(4);
    await server.close();
  });

  it('unsubscribes the worker it stands in for, and only a worker it knows', async () => {
    const server = new BufferServer<DemoEvent>({ capacity: 100 });
    const tap = new PoolTap(server);
    const one = fakeWorker('worker-1');
    tap.ask(one.subscriber, 5);
    expect(tap.unsubscribe(fakeWorker('stranger').subscriber)).toBe(false);
    expect(tap.unsubscribe(one.subscriber)).toBe(true);
    expect(tap.workers[0]?.unsubscribed).toBe(true);
    expect(server.stats()).toEqual({ buffered: 0, subscribed: 0, demand: 0 });
    await server.close();
  });

  it('resolves untilWorkers once that many workers asked, or when its signal aborts', async () => {
    const server = new BufferServer<DemoEvent>({ capacity: 100 });
    const tap = new PoolTap(server);
    let ready = false;
    const waiting = tap.untilWorkers(2).then(() => (ready = true));
    tap.ask(fakeWorker('worker-1').subscriber, 1);
    await settle();
    expect(ready).toBe(false);
    tap.ask(fakeWorker('worker-2').subscriber, 1);
    await waiting;
    expect(ready).toBe(true);

    const controller = new AbortController();
    const stuck = tap.untilWorkers(5, controller.signal);
    controller.abort();
    await expect(stuck).resolves.toBeUndefined();
    await server.close();
  });
});
