import { spawnSync } from 'node:child_process';
import { Cluster } from 'ioredis';
import { createCluster } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@dispenser/testing-utils';
import { RedisBuffer } from './index';
import type { RedisClient } from './index';
import { hasRedisCli, startRedisCluster, type TestCluster } from './test/redis-cluster';
import { redisTestsRun } from './test/redis-server';

const run = redisTestsRun && (hasRedisCli || process.env['CI'] === 'true');

describe.skipIf(!run).each(['redis', 'ioredis'] as const)('RedisBuffer on a Redis Cluster with a %s cluster client', (kind) => {
  let cluster: TestCluster;
  let client: RedisClient;
  let close: () => Promise<void>;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    if (kind === 'redis') {
      const nodeRedis = createCluster({ rootNodes: cluster.nodes.map(({ host, port }) => ({ url: `redis://${host}:${port}` })) });
      nodeRedis.on('error', () => undefined);
      await nodeRedis.connect();
      client = nodeRedis;
      close = async () => nodeRedis.destroy();
    } else {
      const ioredis = new Cluster([...cluster.nodes], { lazyConnect: true });
      ioredis.on('error', () => undefined);
      await ioredis.connect();
      client = ioredis;
      close = async () => ioredis.disconnect();
    }
  }, 60_000);
  afterAll(async () => {
    await close?.();
    await cluster?.stop();
  });

  /** The connection names on every node. */
  function clientNames(): string[] {
    return cluster.nodes.flatMap(({ port }) => {
      const list = spawnSync('redis-cli', ['-p', String(port), 'client', 'list'], { encoding: 'utf8' }).stdout;
      return [...list.matchAll(/ name=(\S+)/g)].map((match) => match[1] as string);
    });
  }

  it('appends with exact drops, delivers by demand and gives a gone consumer’s events to another, on the buffer’s node', async () => {
    const errors: unknown[] = [];
    const options = { client, capacity: 5, dropStrategy: 'drop-oldest' as const, reaperInterval: 20, onError: (error: unknown) => errors.push(error) };
    // Names that hash to different slots, so the buffers live on different nodes.
    for (const name of ['orders', 'payments', 'emails']) {
      const buffer = new RedisBuffer<number>({ ...options, name });
      expect(await buffer.append([1, 2, 3, 4, 5, 6, 7])).toBe(2);
      const controller = new AbortController();
      const first = buffer.subscribe({ maxDemand: 5, signal: controller.signal });
      const iterator = first[Symbol.asyncIterator]();
      expect((await iterator.next()).value).toEqual([3, 4, 5, 6, 7]);
      // The consumer's own connection carries its name, for the disconnect check.
      expect(clientNames().some((client) => client.startsWith(`dispenser:${name}:`))).toBe(true);
      controller.abort(new Error('leaving'));
      await expect(iterator.next()).rejects.toThrow('leaving');

      const other = new RedisBuffer<number>({ ...options, name });
      const second = other.subscribe({ maxDemand: 5 });
      for await (const batch of second) {
        expect(batch).toEqual([3, 4, 5, 6, 7]);
        expect(second.delivery?.deliveryCounts).toEqual([2, 2, 2, 2, 2]);
        break;
      }
      await eventually(async () => expect(await other.metrics()).toMatchObject({ appended: 7, dropped: 2, acked: 5, redelivered: 5 }), { timeout: 10_000 });
      expect(await other.stats()).toMatchObject({ buffered: 0, inFlight: 0 });
      await buffer.close();
      await other.close();
    }
    expect(errors).toEqual([]);
  }, 60_000);
});
