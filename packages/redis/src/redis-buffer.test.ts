import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BufferClosedError, type Subscriber } from '@dispenser/core';
import { eventually } from '@dispenser/testing-utils';
import { CodecError, GroupMissingError, RedisBuffer, RedisVersionError } from './index';
import type { RedisBufferOptions, RedisDelivery } from './index';
import { CLIENT_KINDS, openClient } from './test/clients';
import { redisTestsRun, startRedis, type TestRedis } from './test/redis-server';

let serial = 0;
const uniqueName = (): string => `t${process.pid}-${Date.now()}-${(serial += 1)}`;

describe.skipIf(!redisTestsRun).each(CLIENT_KINDS)('RedisBuffer with %s', { timeout: 30_000 }, (kind) => {
  let redis: TestRedis;
  let client: Awaited<ReturnType<typeof openClient>>;
  const buffers: Array<RedisBuffer<unknown>> = [];

  beforeAll(async () => {
    redis = await startRedis();
    client = await openClient(kind, redis.url);
  });
  afterAll(async () => {
    // A buffer whose close() was aborted keeps rejecting with that reason.
    await Promise.allSettled(buffers.map((buffer) => buffer.close()));
    await client.close();
    await redis.stop();
  });

  function make<E>(options: Partial<RedisBufferOptions<E>> = {}): RedisBuffer<E> {
    const buffer = new RedisBuffer<E>({ client: client.client, name: uniqueName(), capacity: 3, reaperInterval: 20, onError: () => undefined, ...options });
    buffers.push(buffer as RedisBuffer<unknown>);
    return buffer;
  }

  /** Takes `count` events from a fresh subscription, acking all of them, then ends it. */
  async function take<E>(buffer: RedisBuffer<E>, count: number, maxDemand = 100): Promise<E[]> {
    const got: E[] = [];
    if (count === 0) return got;
    for await (const batch of buffer.subscribe({ maxDemand })) {
      got.push(...batch);
      if (got.length >= count) break;
    }
    return got;
  }

  it('drops the oldest undelivered events exactly with drop-oldest', async () => {
    const buffer = make<number>({ dropStrategy: 'drop-oldest' });
    expect(await buffer.append([1, 2, 3, 4, 5])).toBe(2);
    expect(await buffer.append([6])).toBe(1);
    expect(await buffer.stats()).toMatchObject({ buffered: 3, inFlight: 0 });
    expect(await take(buffer, 3)).toEqual([4, 5, 6]);
    expect(await buffer.metrics()).toMatchObject({ appended: 6, dropped: 3, delivered: 3, acked: 3 });
  });

  it('refuses the newest events exactly with drop-newest', async () => {
    const buffer = make<number>();
    expect(await buffer.append([1, 2])).toBe(0);
    expect(await buffer.append([3, 4, 5])).toBe(2);
    expect(await take(buffer, 3)).toEqual([1, 2, 3]);
    expect(await buffer.metrics()).toMatchObject({ appended: 5, dropped: 2, delivered: 3, acked: 3 });
  });

  it('keeps the newest of a batch larger than the capacity with drop-oldest', async () => {
    const buffer = make<number>({ dropStrategy: 'drop-oldest' });
    await buffer.append([1]);
    expect(await buffer.append([2, 3, 4, 5, 6])).toBe(3);
    expect(await take(buffer, 3)).toEqual([4, 5, 6]);
  });

  it('counts only undelivered events against the capacity and never drops events in flight', async () => {
    const buffer = make<number>({ dropStrategy: 'drop-oldest' });
    await buffer.append([1, 2]);
    const subscription = buffer.subscribe({ maxDemand: 2 });
    const iterator = subscription[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value).toEqual([1, 2]);
    expect(await buffer.append([3, 4, 5, 6, 7])).toBe(2);
    expect(await buffer.stats()).toMatchObject({ buffered: 3, inFlight: 2 });
    // The two in flight are still acked by the next step, then the loop gets the newest three.
    const second = await iterator.next();
    expect(second.value).toEqual([5, 6]);
    await iterator.return?.();
    expect(await buffer.metrics()).toMatchObject({ appended: 7, dropped: 2, acked: 4 });
    expect(await take(buffer, 1)).toEqual([7]);
  });

  it('never holds more unacked events than maxDemand', async () => {
    const buffer = make<number>({ capacity: 1000 });
    await buffer.append(Array.from({ length: 40 }, (_, i) => i));
    const got: number[] = [];
    for await (const batch of buffer.subscribe({ maxDemand: 5 })) {
      expect(batch.length).toBeLessThanOrEqual(5);
      const { inFlight } = await buffer.stats();
      expect(inFlight).toBeLessThanOrEqual(5);
      got.push(...batch);
      if (got.length === 40) break;
    }
    expect(got).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(await buffer.stats()).toMatchObject({ buffered: 0, inFlight: 0 });
  });

  it('delivers to push subscribers up to their demand and acks when the handler resolves', async () => {
    const buffer = make<number>({ capacity: 100 });
    await buffer.append([1, 2, 3, 4, 5]);
    const got: number[] = [];
    const deliveries: RedisDelivery[] = [];
    let resolveDone: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    const subscriber: Subscriber<number> = {
      async handleAssignedEvents(events, delivery) {
        got.push(...events);
        deliveries.push(delivery as RedisDelivery);
        if (got.length === 3) resolveDone();
      },
    };
    buffer.ask(subscriber, 3);
    await done;
    await eventually(async () => expect((await buffer.metrics()).acked).toBe(3), { timeout: 10_000 });
    expect(got).toEqual([1, 2, 3]);
    expect(deliveries.flatMap((delivery) => delivery.deliveryCounts)).toEqual([1, 1, 1]);
    expect(await buffer.stats()).toMatchObject({ buffered: 2, inFlight: 0 });
  });

  it('waits for room in write, and stops waiting when aborted', async () => {
    const buffer = make<number>({ capacity: 2 });
    const writing = buffer.write([1, 2, 3, 4]);
    expect(await take(buffer, 4, 1)).toEqual([1, 2, 3, 4]);
    await writing;
    await buffer.append([5, 6]);
    const controller = new AbortController();
    const blocked = buffer.write([7], { signal: controller.signal });
    controller.abort(new Error('gave up'));
    await expect(blocked).rejects.toThrow('gave up');
    expect(await buffer.metrics()).toMatchObject({ appended: 6, dropped: 0 });
  });

  it('moves an event whose handler always fails to the dead-letter stream after maxDeliveries', async () => {
    const buffer = make<{ poison: boolean }>({ capacity: 10, maxDeliveries: 3 });
    await buffer.append([{ poison: true }]);
    let attempts = 0;
    const counts: number[] = [];
    const subscriber: Subscriber<{ poison: boolean }> = {
      handleAssignedEvents(_events, delivery) {
        counts.push(...(delivery as RedisDelivery).deliveryCounts);
        attempts += 1;
        // Down after each failure; asking again starts a new consumer that takes the event back.
        queueMicrotask(() => buffer.ask(subscriber, 1));
        throw new Error('poison');
      },
    };
    buffer.ask(subscriber, 1);
    await eventually(async () => expect((await buffer.metrics()).deadLettered).toBe(1), { timeout: 10_000 });
    expect(attempts).toBe(3);
    expect(counts).toEqual([1, 2, 3]);
    const letters = await buffer.deadLetters();
    expect(letters).toMatchObject([{ event: { poison: true }, deliveries: 3, reason: 'maxDeliveries' }]);
    expect(await buffer.stats()).toMatchObject({ buffered: 0, inFlight: 0 });
  });

  it('delivers to a consumer that subscribed before the first append, without errors', async () => {
    const errors: unknown[] = [];
    const buffer = make<number>({ capacity: 10, onError: (error) => errors.push(error) });
    const taking = take(buffer, 2);
    await eventually(async () => expect((await buffer.stats()).subscribed).toBe(1), { timeout: 10_000 });
    await buffer.append([1, 2]);
    expect(await taking).toEqual([1, 2]);
    expect(errors).toEqual([]);
  });

  it('works with a name that is not a valid connection name', async () => {
    const errors: unknown[] = [];
    const buffer = make<number>({ name: `with space ünïcode ${uniqueName()}`, capacity: 10, onError: (error) => errors.push(error) });
    await buffer.append([1]);
    expect(await take(buffer, 1)).toEqual([1]);
    expect(errors).toEqual([]);
  });

  it('gives back batches the loop never took without counting their delivery', async () => {
    const buffer = make<number>({ capacity: 100, readCount: 2 });
    await buffer.append(Array.from({ length: 10 }, (_, i) => i));
    const first = buffer.subscribe({ maxDemand: 10 });
    const iterator = first[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toEqual([0, 1]);
    await eventually(async () => expect((await buffer.stats()).inFlight).toBe(10), { timeout: 10_000 });
    await iterator.return?.(); // acks [0, 1], gives back the 8 read but not taken
    const again = buffer.subscribe({ maxDemand: 10 });
    const counts: number[] = [];
    const events: number[] = [];
    for await (const batch of again) {
      events.push(...batch);
      counts.push(...(again.delivery?.deliveryCounts ?? []));
      if (events.length === 8) break;
    }
    expect(events).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(counts).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('refuses events the codec cannot encode before appending any', async () => {
    const buffer = make<unknown>({ capacity: 10 });
    await expect(buffer.append([1, () => 2])).rejects.toBeInstanceOf(CodecError);
    await expect(buffer.append([1, 10n])).rejects.toMatchObject({ code: 'CODEC', direction: 'encode', at: 1 });
    expect(await buffer.metrics()).toMatchObject({ appended: 0 });
  });

  it('dead-letters an entry the codec cannot decode and reports it', async () => {
    const errors: unknown[] = [];
    const buffer = make<number>({ capacity: 10, onError: (error) => errors.push(error) });
    await buffer.append([1]);
    // A foreign writer that stored something else under the next id (ids are sequence numbers).
    await rawAppend(buffer.key, '2-0', '{not json');
    await buffer.append([2]);
    expect(await take(buffer, 2)).toEqual([1, 2]);
    expect(errors.some((error) => error instanceof CodecError)).toBe(true);
    await eventually(async () => expect((await buffer.metrics()).deadLettered).toBe(1), { timeout: 10_000 });
    expect((await buffer.deadLetters())[0]).toMatchObject({ event: undefined, reason: 'undecodable' });
  });

  it('reloads its scripts after SCRIPT FLUSH', async () => {
    const buffer = make<number>({ capacity: 10 });
    await buffer.append([1]);
    await send(['SCRIPT', 'FLUSH']);
    await buffer.append([2]);
    expect(await take(buffer, 2)).toEqual([1, 2]);
  });

  it('reports a destroyed consumer group as GroupMissingError', async () => {
    const buffer = make<number>({ capacity: 10 });
    await buffer.append([1]);
    await send(['XGROUP', 'DESTROY', buffer.key, 'dispenser']);
    await expect(buffer.append([2])).rejects.toBeInstanceOf(GroupMissingError);
    await expect(buffer.stats()).rejects.toBeInstanceOf(GroupMissingError);
  });

  it('stops waiting for a handler that never settles when the close signal aborts, and gives its batch back', async () => {
    const name = uniqueName();
    const stuck = make<number>({ name, capacity: 10 });
    await stuck.append([1, 2]);
    let started: () => void = () => undefined;
    const handling = new Promise<void>((resolve) => (started = resolve));
    stuck.ask({ handleAssignedEvents: () => (started(), new Promise<void>(() => undefined)) }, 2);
    await handling;
    const controller = new AbortController();
    const closing = stuck.close({ signal: controller.signal });
    controller.abort(new Error('no more waiting'));
    await expect(closing).rejects.toThrow('no more waiting');
    const other = make<number>({ name, capacity: 10 });
    const subscription = other.subscribe({ maxDemand: 10 });
    for await (const batch of subscription) {
      expect(batch).toEqual([1, 2]);
      expect(subscription.delivery?.deliveryCounts).toEqual([2, 2]);
      break;
    }
  });

  it('refuses work after close', async () => {
    const buffer = make<number>();
    await buffer.close();
    await expect(buffer.append([1])).rejects.toBeInstanceOf(BufferClosedError);
    expect(() => buffer.subscribe()).toThrow(BufferClosedError);
  });

  async function send(args: string[]): Promise<unknown> {
    const raw = client.client as unknown as { sendCommand?: (args: string[]) => Promise<unknown>; call?: (command: string, args: string[]) => Promise<unknown> };
    if (kind === 'ioredis') return raw.call?.(args[0] as string, args.slice(1));
    return raw.sendCommand?.(args);
  }

  async function rawAppend(key: string, id: string, text: string): Promise<void> {
    await send(['XADD', key, id, 'e', text]);
  }
});

describe('RedisBuffer', () => {
  const fake = {
    // A Redis 6 answers the version script with nil: it has no redis.REDIS_VERSION.
    sendCommand: async () => null,
    duplicate: () => fake,
  };

  it('refuses a server older than Redis 7', async () => {
    const buffer = new RedisBuffer<number>({ client: fake, name: 'old', capacity: 1, onError: () => undefined });
    await expect(buffer.append([1])).rejects.toBeInstanceOf(RedisVersionError);
    await expect(buffer.append([1])).rejects.toThrow('needs Redis 7.0 or newer; the server runs older than 7.0');
  });

  it.each([
    [{ client: {}, name: 'a', capacity: 1 }, 'options.client'],
    [{ client: fake, name: '', capacity: 1 }, 'options.name'],
    [{ client: fake, name: 'a{b}', capacity: 1 }, 'options.name'],
    [{ client: fake, name: 'a', capacity: 0 }, 'options.capacity'],
    [{ client: fake, name: 'a', capacity: 1, dropStrategy: 'oldest' }, 'options.dropStrategy'],
    [{ client: fake, name: 'a', capacity: 1, leaseTtl: 1 }, 'options.leaseTtl'],
    [{ client: fake, name: 'a', capacity: 1, maxDeliveries: 0 }, 'options.maxDeliveries'],
    [{ client: fake, name: 'a', capacity: 1, codec: { encode: JSON.stringify } }, 'options.codec.decode'],
    [{ client: fake, name: 'a', capacity: 1, lease: 5 }, 'options'],
  ])('names the bad option %#', (options, named) => {
    expect(() => new RedisBuffer(options as never)).toThrow(named);
  });

  it('checks subscribe and ask arguments', async () => {
    const errors: unknown[] = [];
    const buffer = new RedisBuffer<number>({ client: fake, name: 'args', capacity: 1, onError: (error) => errors.push(error) });
    expect(() => buffer.subscribe({ maxDemand: 0 })).toThrow(RangeError);
    // Bad options change nothing: the buffer stays open (the asks below still work).
    expect(() => buffer.close({ signal: 1 } as never)).toThrow('options.signal');
    await expect(buffer.write([1], { timeout: 5 } as never)).rejects.toThrow('options');
    expect(() => buffer.feed({} as never)).toThrow('server');
    expect(() => buffer.feed({ write: async () => undefined }, { ackWhen: 'never' } as never)).toThrow('options.ackWhen');
    expect(() => buffer.ask({} as never, 1)).toThrow(TypeError);
    expect(() => buffer.ask({ handleAssignedEvents: () => undefined }, -1)).toThrow(RangeError);
    const subscriber = { handleAssignedEvents: () => undefined };
    buffer.ask(subscriber, Number.MAX_SAFE_INTEGER);
    expect(() => buffer.ask(subscriber, 1)).toThrow('amount');
    // The consumer that asked cannot start on a Redis 6: it says so, retries, and close() stops it.
    await eventually(() => expect(errors[0]).toBeInstanceOf(RedisVersionError));
    await buffer.close();
  });
});
