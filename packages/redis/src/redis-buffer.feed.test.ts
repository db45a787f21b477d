import { describe, expect, it } from 'vitest';
import { BufferClosedError, type Subscriber } from '@dispenser/core';
import { BufferServer } from '@dispenser/servers';
import { eventually } from '@dispenser/testing-utils';
import { RedisBuffer } from './index';
import { redisTestsRun, useRedis } from './test/redis-server';

const SLOW = { timeout: 15_000, interval: 20 };

describe.skipIf(!redisTestsRun)('RedisBuffer.feed', { timeout: 30_000 }, () => {
  const shared = useRedis();

  /** A local subscriber of `server` that records what it handles and asks again for as many. */
  function subscribeLocally(server: BufferServer<number>, into: number[]): void {
    const subscriber: Subscriber<number> = {
      handleAssignedEvents(events) {
        into.push(...events);
        server.ask(subscriber, events.length);
      },
    };
    server.ask(subscriber, 5);
  }

  it('spreads events over processes by demand and over local subscribers by the server, each exactly once', async () => {
    const name = `feed-${process.pid}`;
    // Two buffers on one name stand for two processes, each feeding its own local server.
    const processes = [0, 1].map(() => new RedisBuffer<number>({ client: shared.client, name, capacity: 1000 }));
    const controller = new AbortController();
    const handled: number[][] = [[], [], [], []];
    const feeds = processes.map((buffer, index) => {
      const local = new BufferServer<number>({ capacity: 20 });
      for (const slot of [0, 1]) subscribeLocally(local, handled[index * 2 + slot] as number[]);
      return buffer.feed(local, { maxDemand: 10, signal: controller.signal });
    });
    const events = Array.from({ length: 300 }, (_, i) => i);
    for (let i = 0; i < events.length; i += 50) await processes[0]?.append(events.slice(i, i + 50));
    await eventually(() => expect(handled.flat()).toHaveLength(300), SLOW);
    controller.abort();
    await Promise.all(feeds);
    expect([...handled.flat()].sort((a, b) => a - b)).toEqual(events);
    expect(handled.filter((list) => list.length > 0).length).toBeGreaterThan(1);
    await eventually(async () => expect(await processes[0]?.metrics()).toMatchObject({ appended: 300, acked: 300 }), SLOW);
    await Promise.all(processes.map((buffer) => buffer.close()));
  });

  it('gives a batch back to Redis when the local server refuses it', async () => {
    const buffer = new RedisBuffer<number>({ client: shared.client, name: `feed-closed-${process.pid}`, capacity: 100, reaperInterval: 20 });
    await buffer.append([1, 2, 3]);
    const local = new BufferServer<number>({ capacity: 10 });
    await local.close();
    await expect(buffer.feed(local)).rejects.toBeInstanceOf(BufferClosedError);
    await eventually(async () => expect(await buffer.stats()).toMatchObject({ buffered: 0, inFlight: 3 }), SLOW);
    const again: number[] = [];
    for await (const batch of buffer.subscribe()) {
      again.push(...batch);
      if (again.length === 3) break;
    }
    expect(again).toEqual([1, 2, 3]);
    expect(await buffer.metrics()).toMatchObject({ acked: 3, redelivered: 3 });
    await buffer.close();
  });
});
