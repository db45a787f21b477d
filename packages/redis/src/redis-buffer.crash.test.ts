import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from '@dispenser/testing-utils';
import { RedisBuffer, RedisCommandError } from './index';
import type { ConsumerConfig, ConsumerReport } from './test/fixtures/consumer-process';
import { redisTestsRun, startRedis, useRedis } from './test/redis-server';

const fixture = fileURLToPath(new URL('./test/fixtures/consumer-process.ts', import.meta.url));
const SLOW = { timeout: 20_000, interval: 25 };

/** A consumer process and the reports it sent. */
class ConsumerProcess {
  readonly child: ChildProcess;
  readonly #reports: ConsumerReport[] = [];
  #waiters: Array<() => void> = [];

  constructor(config: ConsumerConfig) {
    this.child = fork(fixture, [JSON.stringify(config)], { execArgv: ['--conditions=@dispenser/source', '--import', 'tsx'], stdio: 'inherit' });
    this.child.on('message', (report) => {
      this.#reports.push(report as ConsumerReport);
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  async report<T extends ConsumerReport['type']>(type: T): Promise<Extract<ConsumerReport, { type: T }>> {
    for (;;) {
      const found = this.#reports.find((report) => report.type === type);
      if (found !== undefined) return found as Extract<ConsumerReport, { type: T }>;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  kill(signal: NodeJS.Signals): Promise<void> {
    if (signal !== 'SIGKILL') {
      this.child.kill(signal);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill(signal);
    });
  }
}

describe.skipIf(!redisTestsRun)('RedisBuffer across processes', { timeout: 60_000 }, () => {
  const shared = useRedis();
  const children: ConsumerProcess[] = [];
  let serial = 0;

  afterAll(() => {
    for (const child of children) child.child.kill('SIGKILL');
  });

  function spawnConsumer(config: Omit<ConsumerConfig, 'url'>): ConsumerProcess {
    const consumer = new ConsumerProcess({ url: shared.redis.url, ...config });
    children.push(consumer);
    return consumer;
  }

  async function setUp(leaseTtl?: number): Promise<{ name: string; buffer: RedisBuffer<number>; holder: ConsumerProcess; acked: string[] }> {
    serial += 1;
    const name = `crash-${process.pid}-${serial}`;
    const buffer = new RedisBuffer<number>({ client: shared.client, name, capacity: 1000, onError: () => undefined, ...(leaseTtl === undefined ? {} : { leaseTtl }) });
    await buffer.append(Array.from({ length: 100 }, (_, i) => i));
    const holder = spawnConsumer({ name, capacity: 1000, maxDemand: 100, readCount: 30, mode: 'hold', ...(leaseTtl === undefined ? {} : { leaseTtl }) });
    const { acked } = await holder.report('holding');
    await eventually(async () => expect(await buffer.stats()).toMatchObject({ buffered: 0, inFlight: 70 }), SLOW);
    expect(acked).toHaveLength(30);
    return { name, buffer, holder, acked };
  }

  /** Takes `count` events on a fresh subscription of this process, with their ids and delivery counts. */
  async function takeHere(buffer: RedisBuffer<number>, count: number): Promise<{ ids: string[]; counts: number[] }> {
    const ids: string[] = [];
    const counts: number[] = [];
    const subscription = buffer.subscribe({ maxDemand: 100 });
    for await (const _batch of subscription) {
      ids.push(...(subscription.delivery?.ids ?? []));
      counts.push(...(subscription.delivery?.deliveryCounts ?? []));
      if (ids.length >= count) break;
    }
    return { ids, counts };
  }

  it('gives the unacked events of a consumer killed with SIGKILL to the others, exactly, with delivery count 2', async () => {
    const { buffer, holder, acked } = await setUp();
    const delivered = await pendingIds(buffer.key);
    expect(delivered).toHaveLength(70);
    await holder.kill('SIGKILL');
    const { ids, counts } = await takeHere(buffer, 70);
    expect(new Set(ids)).toEqual(new Set(delivered));
    expect(ids.filter((id) => acked.includes(id))).toEqual([]);
    expect(counts.every((count) => count === 2)).toBe(true);
    await eventually(async () => expect(await buffer.metrics()).toMatchObject({ appended: 100, acked: 100, redelivered: 70, lost: 0 }), SLOW);
    expect(await buffer.stats()).toMatchObject({ buffered: 0, inFlight: 0 });
    await buffer.close();
  });

  it('refuses the late ack of a stopped consumer, and redelivers a third time when the new owner dies', async () => {
    const { name, buffer, holder } = await setUp(1000);
    const delivered = await pendingIds(buffer.key);
    holder.kill('SIGSTOP');
    const owner = spawnConsumer({ name, capacity: 1000, maxDemand: 100, leaseTtl: 1000, mode: 'take', expect: 70 });
    const second = await owner.report('got');
    expect(new Set(second.ids)).toEqual(new Set(delivered));
    expect(second.counts.every((count) => count === 2)).toBe(true);

    holder.kill('SIGCONT');
    holder.child.send('finish');
    const { ownershipLost } = await holder.report('done');
    expect(new Set(ownershipLost)).toEqual(new Set(delivered));

    await owner.kill('SIGKILL');
    const { ids, counts } = await takeHere(buffer, 70);
    expect(new Set(ids)).toEqual(new Set(delivered));
    expect(counts.every((count) => count === 3)).toBe(true);
    await eventually(async () => expect(await buffer.metrics()).toMatchObject({ appended: 100, acked: 100, ownershipLost: 70 }), SLOW);
    await buffer.close();
  });

  async function pendingIds(key: string): Promise<string[]> {
    const reply = (await shared.client.sendCommand(['XPENDING', key, 'dispenser', '-', '+', '1000'])) as Array<[string, string, number, number]>;
    return reply.map((entry) => String(entry[0]));
  }
});

describe.skipIf(!redisTestsRun)('RedisBuffer across a Redis restart', { timeout: 60_000 }, () => {
  it('keeps every appended event through a crash of a Redis with AOF: nothing acknowledged is lost', async () => {
    const redis = await startRedis({ appendOnly: true });
    const client = createClient({ url: redis.url, socket: { reconnectStrategy: () => 50 } });
    client.on('error', () => undefined);
    await client.connect();
    try {
      const buffer = new RedisBuffer<number>({ client, name: 'restart', capacity: 1000, onError: () => undefined });
      await buffer.append(Array.from({ length: 50 }, (_, i) => i));
      const subscription = buffer.subscribe({ maxDemand: 20 });
      const iterator = subscription[Symbol.asyncIterator]();
      const first = await iterator.next();
      expect(first.value).toEqual(Array.from({ length: 20 }, (_, i) => i));
      const second = await iterator.next(); // acks the first 20, holds the next 20
      expect(second.value).toEqual(Array.from({ length: 20 }, (_, i) => 20 + i));

      // A client that does not queue commands while disconnected fails an append, typed.
      const strict = createClient({ url: redis.url, disableOfflineQueue: true, socket: { reconnectStrategy: () => 50 } });
      strict.on('error', () => undefined);
      await strict.connect();
      const offline = new RedisBuffer<number>({ client: strict, name: 'restart', capacity: 1000, onError: () => undefined });
      expect(await offline.append([])).toBe(0);
      expect(await offline.stats()).toMatchObject({ buffered: 10 });

      await redis.crash();
      await expect(offline.append([99])).rejects.toBeInstanceOf(RedisCommandError);
      strict.destroy();
      await redis.restart();
      await eventually(async () => expect(await buffer.stats()).toMatchObject({ buffered: 10, inFlight: 20 }), SLOW);
      expect(await buffer.metrics()).toMatchObject({ appended: 50, acked: 20 });

      const rest: number[] = [];
      for (;;) {
        const step = await iterator.next(); // acks the batch in hand, on the restarted server
        if (step.done === true) break;
        rest.push(...step.value);
        if (rest.length === 10) break;
      }
      await iterator.return?.();
      expect(rest).toEqual(Array.from({ length: 10 }, (_, i) => 40 + i));
      await eventually(async () => expect(await buffer.metrics()).toMatchObject({ appended: 50, acked: 50, lost: 0 }), SLOW);
      await buffer.close();
    } finally {
      client.destroy();
      await redis.stop();
    }
  }, 60_000);
});
