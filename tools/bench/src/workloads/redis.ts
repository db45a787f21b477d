// W8: across processes on Redis, appended to acked: RedisBuffer, the raw streams floor (same client) and BullMQ.
import { RedisBuffer } from '@dispenser/redis';
import { Queue, Worker } from 'bullmq';
import { createClient } from 'redis';
import type { Contender, Trial } from '../harness';
import { expectEqual } from './books';
import { atMost, deferred, waitUntil } from './loop';
import type { Profile } from './profile';
import { Tally, produce, redisBatches, redisEvent } from './redis-events';
import type { RedisEv } from './redis-events';
import type { TimedWorkload } from './types';

/** W8's sizes. */
export type RedisSizes = NonNullable<Profile['redis']>;

/** Longest a W8 run may take before its books say what was missing. */
const REDIS_TIMEOUT_MS = 300_000;

/** The prefix of every key W8 makes (all deleted after each run). */
export const KEY_PREFIX = 'dispenser-bench-w8';

/** A node-redis client with its defaults (RESP 3 in node-redis 6). */
const newClient = (url: string) => createClient({ url });
type Client = ReturnType<typeof newClient>;

/** A connected node-redis client; connection errors are reported by the commands that fail. */
export async function connectClient(url: string): Promise<Client> {
  const client = newClient(url);
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** The event appended before a RedisBuffer run's consumers subscribe (not counted in the run). */
const PRIMER = redisEvent(-1);

let runSerial = 0;

/** A name no other run (of this or another bench process) uses. */
export function runName(kind: string): string {
  runSerial += 1;
  return `${kind}-${process.pid}-${runSerial}`;
}

/**
 * dispenser: a `RedisBuffer` (capacity above the run's events, so nothing is dropped; every
 * other option at its default), `consumers` subscriptions asking `maxDemand` each, subscribed
 * (their reading connections open) before the clock. A batch is acked when its loop asks for
 * the next; once every event was received the loops end (the last batch acked, the consumers
 * gone), which stops the clock.
 */
function redisBufferContender(url: string, s: RedisSizes): Contender {
  return {
    name: `dispenser RedisBuffer (${s.consumers} subscriptions, maxDemand ${s.maxDemand})`,
    role: 'dispenser',
    async prepare(): Promise<Trial> {
      const client = await connectClient(url);
      const name = runName('buffer');
      const errors: unknown[] = [];
      const buffer = new RedisBuffer<RedisEv>({ client, name, capacity: s.capacity, prefix: KEY_PREFIX, onError: (error) => errors.push(error) });
      const tally = new Tally(s.events);
      // Once a consumer has taken the primer and every reading connection is open, the consumers
      // are in their steady loop. (It also makes the stream and its group, which the first version
      // of the buffer benchmarked made on the first append only: see the README.)
      await buffer.append([PRIMER]);
      let primed = false;
      const subscriptions = Array.from({ length: s.consumers }, () => buffer.subscribe({ maxDemand: s.maxDemand }));
      const stopAll = (): void => {
        for (const subscription of subscriptions) subscription.unsubscribe();
      };
      const loops = subscriptions.map(async (subscription) => {
        for await (const batch of subscription) {
          for (const event of batch) {
            if (event.i === PRIMER.i) primed = true;
            else tally.record(event.i);
          }
          if (tally.received >= s.events) {
            stopAll();
            break;
          }
        }
      });
      await untilReading(client, name, s.consumers);
      await waitUntil(() => primed, 10_000, 'a consumer received the primer');
      let dropped = 0;
      let metrics: Awaited<ReturnType<RedisBuffer<RedisEv>['metrics']>> | undefined;
      return {
        async run() {
          const producing = produce(redisBatches(s.events, s.batchSize), s.inFlight, async (batch) => {
            dropped += await buffer.append(batch);
          });
          await atMost(Promise.all([producing, ...loops]).then(() => undefined), REDIS_TIMEOUT_MS);
        },
        async finish() {
          metrics = await buffer.metrics();
        },
        check() {
          if (errors.length > 0) throw new Error(`the buffer reported ${errors.length} errors, the first: ${String(errors[0])}`);
          tally.check();
          expectEqual('dropped by append', dropped, 0);
          // The run's events and the primer.
          expectEqual('metrics.appended', metrics?.appended ?? -1, s.events + 1);
          expectEqual('metrics.dropped', metrics?.dropped ?? -1, 0);
          expectEqual('metrics.delivered', metrics?.delivered ?? -1, s.events + 1);
          expectEqual('metrics.redelivered', metrics?.redelivered ?? -1, 0);
          expectEqual('metrics.acked', metrics?.acked ?? -1, s.events + 1);
          expectEqual('metrics.ownershipLost + lost + deadLettered', (metrics?.ownershipLost ?? 0) + (metrics?.lost ?? 0) + (metrics?.deadLettered ?? 0), 0);
        },
        async release() {
          stopAll();
          await buffer.close();
          await Promise.allSettled(loops);
          await deleteKeys(client, `${KEY_PREFIX}:{${name}}*`);
          client.destroy();
        },
      };
    },
  };
}

/**
 * The floor with the same client: `XADD` one event per command, a batch's 100 sent as one
 * pipeline (`multi().execAsPipeline()`: no MULTI/EXEC; 3–4 × faster here than 100 concurrent
 * `sendCommand`s, which node-redis 6 also pipelines), into a stream with one consumer group;
 * `consumers` loops, each on its own connection, `XREADGROUP COUNT maxDemand BLOCK 1000` then
 * `XACK` of the batch. Events are JSON-encoded and decoded, as RedisBuffer's codec does. No
 * scripts, no bound, no counters, no leases, no recovery of a dead consumer's events.
 */
function rawFloorContender(url: string, s: RedisSizes): Contender {
  return {
    name: `raw floor: node-redis pipelined XADD, XREADGROUP COUNT ${s.maxDemand} + XACK (${s.consumers} consumers)`,
    role: 'reference',
    async prepare(): Promise<Trial> {
      const client = await connectClient(url);
      const key = `${KEY_PREFIX}:${runName('raw')}`;
      await client.sendCommand(['XGROUP', 'CREATE', key, 'g', '$', 'MKSTREAM']);
      const readers = await Promise.all(Array.from({ length: s.consumers }, () => client.duplicate().connect()));
      for (const reader of readers) reader.on('error', () => undefined);
      const tally = new Tally(s.events);
      const allAcked = deferred();
      let acked = 0;
      let stopped = false;
      const failures: unknown[] = [];
      const loops = readers.map(async (reader, k) => {
        const read = ['XREADGROUP', 'GROUP', 'g', `c${k}`, 'COUNT', String(s.maxDemand), 'BLOCK', '1000', 'STREAMS', key, '>'];
        while (!stopped) {
          try {
            const reply = await reader.sendCommand<RawRead>(read);
            if (reply === null) continue;
            const entries = Object.values(reply)[0] ?? [];
            const ids: string[] = [];
            for (const [id, fields] of entries) {
              tally.record((JSON.parse(fields[1] as string) as RedisEv).i);
              ids.push(id);
            }
            if (ids.length === 0) continue;
            await reader.sendCommand(['XACK', key, 'g', ...ids]);
            acked += ids.length;
            if (acked >= s.events) allAcked.resolve();
          } catch (error) {
            if (!stopped) failures.push(error);
            return;
          }
        }
      });
      let pending = -1;
      let length = -1;
      return {
        async run() {
          const producing = produce(redisBatches(s.events, s.batchSize), s.inFlight, (batch) => {
            const pipeline = client.multi();
            for (const event of batch) pipeline.addCommand(['XADD', key, '*', 'e', JSON.stringify(event)]);
            return pipeline.execAsPipeline();
          });
          await atMost(Promise.all([producing, allAcked.promise]).then(() => undefined), REDIS_TIMEOUT_MS);
        },
        async finish() {
          const summary = await client.sendCommand<[number, ...unknown[]]>(['XPENDING', key, 'g']);
          pending = Number(summary[0]);
          length = Number(await client.sendCommand(['XLEN', key]));
        },
        check() {
          if (failures.length > 0) throw new Error(`a consumer failed: ${String(failures[0])}`);
          tally.check();
          expectEqual('acked', acked, s.events);
          expectEqual('pending after the run', pending, 0);
          expectEqual('stream length', length, s.events);
        },
        async release() {
          stopped = true;
          for (const reader of readers) reader.destroy();
          await Promise.allSettled(loops);
          await client.sendCommand(['DEL', key]);
          client.destroy();
        },
      };
    },
  };
}

/** An `XREADGROUP` reply of one stream with RESP 3 (node-redis 6's default): `null` after a timed-out block. */
type RawRead = Record<string, Array<[string, string[]]>> | null;

/**
 * BullMQ: `Queue.addBulk` of each batch (jobs removed on completion and on failure), one
 * `Worker` with `concurrency` and a processor that only tallies the event, started before the
 * clock; the clock stops at the last `completed` event. BullMQ runs on ioredis (its own
 * connections, `maxRetriesPerRequest: null`).
 */
function bullMqContender(url: string, s: RedisSizes): Contender {
  return {
    name: `bullmq 6.7.0 addBulk + Worker (concurrency ${s.bullConcurrency}, no-op processor)`,
    role: 'peer',
    async prepare(): Promise<Trial> {
      const { hostname, port } = new URL(url);
      const connection = { host: hostname, port: Number(port || 6379), maxRetriesPerRequest: null };
      const name = runName('bull');
      const prefix = KEY_PREFIX;
      const tally = new Tally(s.events);
      const queue = new Queue(name, { connection, prefix, defaultJobOptions: { removeOnComplete: true, removeOnFail: true } });
      await queue.waitUntilReady();
      const allCompleted = deferred();
      let completed = 0;
      let failed = 0;
      const worker = new Worker<RedisEv>(
        name,
        (job) => {
          tally.record(job.data.i);
          return Promise.resolve();
        },
        { connection, prefix, concurrency: s.bullConcurrency },
      );
      worker.on('completed', () => {
        completed += 1;
        if (completed >= s.events) allCompleted.resolve();
      });
      worker.on('failed', () => {
        failed += 1;
      });
      worker.on('error', () => undefined);
      await worker.waitUntilReady();
      let counts: Record<string, number> = {};
      return {
        async run() {
          const producing = produce(redisBatches(s.events, s.batchSize), s.inFlight, (batch) =>
            queue.addBulk(batch.map((event) => ({ name: 'e', data: event }))),
          );
          await atMost(Promise.all([producing, allCompleted.promise]).then(() => undefined), REDIS_TIMEOUT_MS);
        },
        async finish() {
          counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
        },
        check() {
          tally.check();
          expectEqual('jobs completed', completed, s.events);
          expectEqual('jobs failed', failed, 0);
          for (const [state, count] of Object.entries(counts)) expectEqual(`jobs ${state} after the run`, count, 0);
        },
        async release() {
          await worker.close();
          await queue.obliterate({ force: true });
          await queue.close();
        },
      };
    },
  };
}

/**
 * Resolves once `count` reading connections of the buffer `buffer` are open: a consumer names its
 * connection after the buffer (`dispenser:<buffer>:<consumer>`, what `detectDisconnects` looks
 * for in `CLIENT LIST`) before its first read.
 */
export async function untilReading(client: Client, buffer: string, count: number): Promise<void> {
  const deadline = performance.now() + 10_000;
  for (;;) {
    const list = String(await client.sendCommand(['CLIENT', 'LIST', 'TYPE', 'normal']));
    const open = [...list.matchAll(/ name=(\S+)/g)].filter((match) => (match[1] as string).includes(`:${buffer}:`)).length;
    if (open >= count) return;
    if (performance.now() > deadline) throw new Error(`only ${open} of ${count} subscriptions are reading after 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Deletes the keys matching `pattern` (`SCAN`, then `DEL` in chunks). */
export async function deleteKeys(client: Client, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.sendCommand<[string, string[]]>(['SCAN', cursor, 'MATCH', pattern, 'COUNT', '1000']);
    cursor = next;
    if (keys.length > 0) await client.sendCommand(['DEL', ...keys]);
  } while (cursor !== '0');
}

/**
 * W8 at the sizes of `s`, on the server at `url`: dispenser's `RedisBuffer` against BullMQ,
 * with the raw streams floor (same client) as the reference.
 */
export function redisWorkload(s: RedisSizes, url: string): TimedWorkload {
  return {
    id: 'W8',
    title: 'across processes on Redis, appended to acked',
    events: s.events,
    contenders: [redisBufferContender(url, s), rawFloorContender(url, s), bullMqContender(url, s)],
    rounds: s.rounds,
  };
}
