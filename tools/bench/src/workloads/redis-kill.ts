// W8's crash figure: a child process takes a batch and is SIGKILLed; the time until a surviving consumer has that batch.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { RedisBuffer } from '@dispenser/redis';
import type { RedisBufferMetrics } from '@dispenser/redis';
import { expectEqual } from './books';
import { atMost } from './loop';
import { KEY_PREFIX, connectClient, deleteKeys, runName, untilReading } from './redis';
import type { RedisSizes } from './redis';
import { redisBatches } from './redis-events';
import type { RedisEv } from './redis-events';

/** The child's module, run with the bench's own execArgv (tsx and the source condition). */
const childModule = new URL('./redis-kill-child.ts', import.meta.url);

/** Longest a child may take to start (tsx included) and take its batch. */
const CHILD_TIMEOUT_MS = 30_000;

/** Longest the survivor may wait for the dead child's events before the run fails. */
const REDELIVERY_TIMEOUT_MS = 30_000;

/** What the child reports of the batch it took. */
interface Taken {
  readonly ids: string[];
  readonly deliveryCounts: number[];
}

/** The times of one SIGKILL run, in milliseconds. */
export interface Redelivery {
  /** From the child's `'exit'` event in this process to the survivor holding the child's whole batch. */
  readonly fromExitMs: number;
  /**
   * From the moment this process told the child to kill itself: an upper bound, as the
   * `'exit'` event can come after the survivor has the events (the kill closes the child's
   * sockets, which Redis sees, before this process handles SIGCHLD).
   */
  readonly fromKillMs: number;
}

/** One SIGKILL run. */
async function killOnce(url: string, s: RedisSizes): Promise<Redelivery> {
  const client = await connectClient(url);
  const name = runName('kill');
  // Every option at its default but the capacity and the key prefix (reaperInterval 200 ms, detectDisconnects on).
  const buffer = new RedisBuffer<RedisEv>({ client, name, capacity: s.capacity, prefix: KEY_PREFIX });
  let child: ChildProcess | undefined;
  try {
    const [events] = redisBatches(s.maxDemand, s.maxDemand);
    await buffer.append(events as RedisEv[]);
    child = fork(childModule, [url, name, KEY_PREFIX, String(s.capacity)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const exited = new Promise<number>((resolve) => child?.once('exit', () => resolve(performance.now())));
    const taken = await withTimeout(
      new Promise<Taken>((resolve, reject) => {
        child?.once('message', (message) => resolve(message as Taken));
        child?.once('exit', (code, signal) => reject(new Error(`the child exited (${signal ?? `code ${code}`}) before taking a batch`)));
      }),
      CHILD_TIMEOUT_MS,
      'the child took a batch',
    );
    expectEqual('events the child took', taken.ids.length, s.maxDemand);
    expectEqual('first deliveries among them', taken.deliveryCounts.filter((count) => count === 1).length, s.maxDemand);

    // The survivor: subscribed with the defaults while the child holds the batch, reading.
    const wanted = new Set(taken.ids);
    const survivor = buffer.subscribe();
    let receivedAt = Number.NaN;
    const received = (async () => {
      for await (const batch of survivor) {
        const delivery = survivor.delivery;
        delivery?.ids.forEach((id, k) => {
          if (delivery.deliveryCounts[k] === 2) wanted.delete(id);
        });
        if (batch.length > 0 && wanted.size === 0) {
          receivedAt = performance.now();
          break;
        }
      }
    })();
    await untilReading(client, name, 2);
    // Killed at a random point of the survivor's reaper period, so the runs sample its phase.
    await new Promise((resolve) => setTimeout(resolve, 250 + Math.random() * 200));
    const killedAt = performance.now();
    child.send('die');
    const diedAt = await exited;
    await atMost(received, REDELIVERY_TIMEOUT_MS);
    if (wanted.size > 0) throw new Error(`${wanted.size} of the dead child's ${s.maxDemand} events never reached the survivor (with delivery count 2)`);
    await buffer.close();
    checkMetrics(await buffer.metrics(), s.maxDemand);
    return { fromExitMs: receivedAt - diedAt, fromKillMs: receivedAt - killedAt };
  } finally {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await buffer.close();
    await deleteKeys(client, `${KEY_PREFIX}:{${name}}*`);
    client.destroy();
  }
}

/** The books of one SIGKILL run: every event delivered twice (once to the child, once to the survivor) and acked once. */
function checkMetrics(metrics: RedisBufferMetrics, events: number): void {
  expectEqual('metrics.appended', metrics.appended, events);
  expectEqual('metrics.delivered', metrics.delivered, events);
  expectEqual('metrics.redelivered', metrics.redelivered, events);
  expectEqual('metrics.acked', metrics.acked, events);
  expectEqual('metrics.dropped + deadLettered + lost', metrics.dropped + metrics.deadLettered + metrics.lost, 0);
}

/** Rejects with `what: not so after ms` when `promise` takes longer than `ms`. */
async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not so after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * W8's SIGKILL figure, `s.kills` times: a child process subscribes to a fresh buffer (default
 * options), takes a batch of `maxDemand` and is SIGKILLed without acking; a consumer of this
 * process, subscribed with the defaults before the kill, must then receive all of those events
 * with delivery count 2. Returns the times of each run (see {@link Redelivery}).
 */
export async function measureRedelivery(url: string, s: RedisSizes, log: (line: string) => void): Promise<Redelivery[]> {
  const runs: Redelivery[] = [];
  for (let k = 0; k < s.kills; k++) {
    const run = await killOnce(url, s);
    log(`W8: SIGKILL ${k + 1} of ${s.kills}: redelivered ${run.fromExitMs.toFixed(0)} ms after the exit, ${run.fromKillMs.toFixed(0)} ms after the kill order`);
    runs.push(run);
  }
  return runs;
}
