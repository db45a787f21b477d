// `--redis`: a RedisBuffer on a real Redis, the bursty producer in this process and 3 subscriber processes, one SIGKILLed mid-run.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RedisBuffer, type RedisBufferMetrics, type RedisBufferStats } from '@dispenser/redis';
import { BurstyLoad, type LoadPhase } from './bursty-load';
import type { WorkerSpec } from './simulated-crew';
import type { DemoOptions } from './options';
import { connectRedis, describeError, type DemoRedisClient, type ParentMessage, type RedisDemoEvent, type SubscriberConfig, type SubscriberMessage } from './redis-shared';

/** The three subscriber processes, each twice as slow as the one before. */
export const redisSubscriberSpecs: readonly WorkerSpec[] = [
  { name: 'fast', speed: 2_000 },
  { name: 'steady', speed: 1_000 },
  { name: 'slow', speed: 500 },
];

/** A subscriber holds at most this many milliseconds of work unacked (its `maxDemand`). */
const WINDOW_MS = 100;
/** Milliseconds between two appends of the producer. */
const TICK_MS = 10;
/** The kill comes once this fraction of the run has gone by (as soon as the victim holds events). */
export const killAt = 0.4;
/** After the producer stopped, the longest wait for the killed subscriber's events to come back. */
const GRACE_MS = 5_000;
/** The longest wait for the subscriber processes to load and connect. */
const START_TIMEOUT_MS = 30_000;
/** The longest wait for a subscriber to finish its batch and exit once told to stop. */
const STOP_TIMEOUT_MS = 10_000;
/** Between freezing the victim (SIGSTOP) and reading what it holds: lets an ack it already sent land. */
const SETTLE_MS = 50;

/** Node flags that run the subscriber's TypeScript from the workspace sources (what `npm run demo` uses). */
export const sourceExecArgv: readonly string[] = ['--conditions=@dispenser/source', '--import', 'tsx'];

const subscriberFile = fileURLToPath(new URL('./redis-subscriber.ts', import.meta.url));

/** The options of a `--redis` run. */
export type RedisDemoOptions = DemoOptions & { readonly redis: string };

/**
 * Where a subscriber process is: loading, reading, SIGKILLed by the demo, told to stop, exited
 * after closing its buffer, or exited otherwise (it failed, or did not stop in time).
 */
export type SubscriberState = 'starting' | 'running' | 'killed' | 'stopping' | 'closed' | 'failed';

/** A subscriber process in a snapshot. */
export interface RedisSubscriberFigures {
  readonly name: string;
  readonly speed: number;
  readonly pid: number | undefined;
  readonly state: SubscriberState;
  /** Events it finished handling (each counted once per delivery to it). */
  readonly handled: number;
  /** Of those, events delivered before (delivery count 2 or more): taken over from the killed one. */
  readonly redelivered: number;
  /** Events Redis counts as delivered to it and not acked (`XINFO CONSUMERS` pending). */
  readonly held: number;
  /** Events handled per second over the last second. */
  readonly rate: number;
  /** How the process ended: `exit 0`, `SIGKILL`…; absent while it runs. */
  readonly end?: string;
  /** Why it failed (state `failed`): its last words, or the last error line of its stderr. */
  readonly failure?: string;
}

/** The kill, once done. */
export interface KillFigures {
  readonly name: string;
  readonly pid: number | undefined;
  /** Milliseconds into the run. */
  readonly at: number;
  /** Events it held unacked when killed (its pending entries in the group). */
  readonly held: number;
  /** Of those, how many another subscriber has handled since (delivery count 2 or more). */
  readonly returned: number;
  /** Who handled them: subscriber name → count. */
  readonly returnedBy: Readonly<Record<string, number>>;
}

/** What the live view of `--redis` shows. */
export interface RedisSnapshot {
  /** Milliseconds since the producer started (past `duration` while waiting and stopping). */
  readonly elapsed: number;
  readonly duration: number;
  readonly options: RedisDemoOptions;
  /** The url, its password hidden. */
  readonly url: string;
  /** The buffer's name (unique per run). */
  readonly buffer: string;
  /**
   * Starting the subscriber processes; producing; waiting for the killed subscriber's events to
   * come back; stopping the subscribers; done.
   */
  readonly stage: 'starting' | 'running' | 'waiting' | 'stopping' | 'done';
  readonly phase: LoadPhase;
  /** The producer's current rate, events per second (0 once it stopped). */
  readonly producerRate: number;
  /** The producer's own counts: events it offered to `append`, and the drops `append` returned. */
  readonly appended: number;
  readonly dropped: number;
  /** `buffer.stats()` and `buffer.metrics()`, read together (see {@link readBooks}). */
  readonly stats: RedisBufferStats;
  readonly metrics: RedisBufferMetrics;
  /** Whether stats and metrics are from the same moment (no change in between). */
  readonly consistent: boolean;
  readonly subscribers: readonly RedisSubscriberFigures[];
  /** The subscriber to be killed, and when (ms into the run). */
  readonly victim: string;
  readonly killAt: number;
  readonly kill?: KillFigures;
  /** The last error the buffer or the clients reported (they retry). */
  readonly lastError?: string;
}

/** The books of a Redis buffer: `appended = acked + dropped + deadLettered + lost + buffered + inFlight`. */
export interface RedisBooks {
  readonly appended: number;
  readonly acked: number;
  readonly dropped: number;
  readonly deadLettered: number;
  readonly lost: number;
  readonly buffered: number;
  readonly inFlight: number;
  readonly balanced: boolean;
}

/** The end of a `--redis` run. */
export interface RedisSummary {
  readonly last: RedisSnapshot;
  readonly books: RedisBooks;
  /** Whether the producer's own counts (appended, and the drops `append` returned) equal `metrics()`'s. */
  readonly countsAgree: boolean;
  /** Whether a subscriber was killed holding events, and every one of them was handled again by another. */
  readonly redelivered: boolean;
  /** Whether the run was ended early (its signal aborted, Ctrl-C). */
  readonly interrupted: boolean;
  /** Whether every other subscriber closed its buffer and exited with 0. */
  readonly subscribersClean: boolean;
  /** Whether the buffer's keys were deleted. */
  readonly cleanedUp: boolean;
  /**
   * All of the above: the books balance, the counts agree, the other subscribers closed cleanly,
   * the keys are gone, and the killed subscriber's events all came back (or the run was
   * interrupted before the kill).
   */
  readonly balanced: boolean;
}

/** How a `--redis` run reports while it goes. */
export interface RedisRunHooks {
  /** Milliseconds between snapshots. */
  readonly every: number;
  readonly onSnapshot: (snapshot: RedisSnapshot) => void;
  /** Aborting ends the run early (the subscribers are stopped, the summary printed). */
  readonly signal?: AbortSignal;
  /**
   * Node flags of the subscriber processes, which run TypeScript.
   * @default process.execArgv (under `npm run demo`, {@link sourceExecArgv})
   */
  readonly execArgv?: readonly string[];
}

/** The run could not go on (Redis unreachable or failing, a subscriber process that did not start): one line for the user. */
export class RedisDemoError extends Error {
  override readonly name = 'RedisDemoError';
}

/** The books of `metrics` and `stats`. */
export function checkRedisBooks(metrics: RedisBufferMetrics, stats: RedisBufferStats): RedisBooks {
  const { appended, acked, dropped, deadLettered, lost } = metrics;
  const { buffered, inFlight } = stats;
  return { appended, acked, dropped, deadLettered, lost, buffered, inFlight, balanced: appended === acked + dropped + deadLettered + lost + buffered + inFlight };
}

/** `url` with its password hidden. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

function sameMetrics(a: RedisBufferMetrics, b: RedisBufferMetrics): boolean {
  return (Object.keys(a) as Array<keyof RedisBufferMetrics>).every((key) => a[key] === b[key]);
}

/**
 * `stats()` and `metrics()` of the same moment. They are two round trips, and the books mix
 * them: sent together (one pipeline: metrics, stats, metrics), they are consistent when both
 * metrics agree, since every change of `buffered` or `inFlight` (an append, a read, an ack, a
 * dead letter) also changes a counter. Tries a few times while others are busy.
 */
export async function readBooks<E>(buffer: RedisBuffer<E>): Promise<{ stats: RedisBufferStats; metrics: RedisBufferMetrics; consistent: boolean }> {
  for (let attempt = 1; ; attempt++) {
    const [before, stats, after] = await Promise.all([buffer.metrics(), buffer.stats(), buffer.metrics()]);
    const consistent = sameMetrics(before, after);
    if (consistent || attempt === 10) return { stats, metrics: after, consistent };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** One subscriber process, as the parent sees it. */
class SubscriberProcess {
  readonly name: string;
  readonly speed: number;
  readonly child: ChildProcess;
  state: SubscriberState = 'starting';
  /** Its consumer's name in the group, from its first batch. */
  consumer: string | undefined;
  handled = 0;
  redelivered = 0;
  end: string | undefined;
  /** Why it failed, from its `failed` message or its stderr. */
  failure: string | undefined;
  closed = false;
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;
  #stderr = '';

  constructor(spec: WorkerSpec, config: SubscriberConfig, execArgv: readonly string[], onMessage: (from: SubscriberProcess, message: SubscriberMessage) => void) {
    this.name = spec.name;
    this.speed = spec.speed;
    this.child = fork(subscriberFile, [JSON.stringify(config)], { execArgv: [...execArgv], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.#stderr = (this.#stderr + chunk).slice(-4_000)));
    let ready: () => void = () => undefined;
    let refused: (error: Error) => void = () => undefined;
    this.ready = new Promise<void>((resolve, reject) => {
      ready = resolve;
      refused = reject;
    });
    // Handled by start(); a process that fails later is only shown.
    this.ready.catch(() => undefined);
    this.child.on('message', (message: SubscriberMessage) => {
      if (message.type === 'ready') {
        if (this.state === 'starting') this.state = 'running';
        ready();
      } else if (message.type === 'consumer') {
        this.consumer = message.consumer;
      } else if (message.type === 'handled') {
        this.handled += message.count;
        this.redelivered += message.redelivered.length;
      } else if (message.type === 'failed') {
        this.failure = message.message;
      } else if (message.type === 'closed') {
        this.closed = true;
      }
      onMessage(this, message);
    });
    this.exited = new Promise<void>((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.end = signal ?? `exit ${code ?? '?'}`;
        if (this.state !== 'killed') this.state = code === 0 && this.closed ? 'closed' : 'failed';
        this.failure ??= this.#lastStderrLine();
        refused(new RedisDemoError(`subscriber ${this.name} exited before it was ready (${this.end})${this.failure === undefined ? '' : `: ${this.failure}`}`));
        resolve();
      });
      this.child.once('error', (error) => {
        this.failure ??= describeError(error);
        refused(new RedisDemoError(`subscriber ${this.name} could not start: ${this.failure}`));
      });
    });
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  send(message: ParentMessage): void {
    if (this.child.connected) this.child.send(message);
  }

  /** Sends `signal`; false where the platform refuses it. */
  signal(signal: NodeJS.Signals): boolean {
    try {
      return this.child.kill(signal);
    } catch {
      return false;
    }
  }

  /** Asks it to stop (or ends it when it never got ready) and waits for it to exit, killing it after a timeout. */
  async stop(): Promise<void> {
    if (!this.alive) return this.exited;
    if (this.state === 'running' && this.child.connected) {
      this.state = 'stopping';
      this.send({ type: 'stop' });
    } else {
      this.signal('SIGTERM');
    }
    const timer = setTimeout(() => this.signal('SIGKILL'), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
  }

  #lastStderrLine(): string | undefined {
    const lines = this.#stderr.split('\n').map((line) => line.trim()).filter((line) => line !== '');
    return lines.find((line) => /Error/.test(line)) ?? lines.at(-1);
  }
}

/**
 * Runs the `--redis` demo: connects to `options.redis`, makes a `RedisBuffer` with a unique
 * name, starts the subscriber processes of {@link redisSubscriberSpecs}, and appends a bursty
 * load for `options.duration` seconds. At {@link killAt} of the run, as soon as it holds unacked
 * events, it freezes one subscriber (chosen by the seed), reads what it holds from the group,
 * and SIGKILLs it; the others take those events over. After the producer stops it waits (at
 * most 5 s) for all of them to be handled again, stops the others, checks the books and
 * deletes the buffer's keys.
 *
 * @throws RedisDemoError when Redis cannot be reached or fails, or a subscriber cannot start
 */
export async function runRedisDemo(options: RedisDemoOptions, hooks: RedisRunHooks): Promise<RedisSummary> {
  const url = displayUrl(options.redis);
  let lastError: string | undefined;
  const remember = (error: unknown): void => void (lastError = describeError(error));
  let client: DemoRedisClient;
  try {
    client = await connectRedis(options.redis, remember);
  } catch (error) {
    throw new RedisDemoError(`cannot connect to Redis at ${url}: ${describeError(error)} (start one with redis-server, or pass --redis <url>)`, { cause: error });
  }

  const name = `demo-${process.pid}-${Date.now().toString(36)}`;
  const dropStrategy = options.drop === 'newest' ? 'drop-newest' : 'drop-oldest';
  const buffer = new RedisBuffer<RedisDemoEvent>({ client, name, capacity: options.capacity, dropStrategy, onError: remember });
  const keys = [buffer.key, `${buffer.key}:stats`, `${buffer.key}:leases`, `${buffer.key}:demand`, `${buffer.key}:dlq`];
  const victimIndex = options.seed % redisSubscriberSpecs.length;
  const victimName = (redisSubscriberSpecs[victimIndex] as WorkerSpec).name;
  const duration = options.duration * 1000;
  const killTime = duration * killAt;
  // Entry ids handled again by a subscriber other than the victim → who handled them.
  const handledAgain = new Map<string, string>();
  let held: ReadonlySet<string> | undefined;
  let kill: { at: number; pid: number | undefined } | undefined;

  const subscribers: SubscriberProcess[] = [];
  const onMessage = (from: SubscriberProcess, message: SubscriberMessage): void => {
    if (message.type === 'error') lastError = message.message;
    if (message.type === 'handled' && from.name !== victimName) for (const id of message.redelivered) if (!handledAgain.has(id)) handledAgain.set(id, from.name);
  };

  let result: { last: RedisSnapshot; appended: number; dropped: number } | undefined;
  let cleanedUp = false;
  try {
    const load = new BurstyLoad({ throughput: redisSubscriberSpecs.reduce((sum, s) => sum + s.speed, 0), seed: options.seed });
    let appended = 0;
    let dropped = 0;
    let nextId = 0;
    let group: string | undefined;

    const killFigures = (): KillFigures | undefined => {
      if (kill === undefined || held === undefined) return undefined;
      const returnedBy: Record<string, number> = {};
      let returned = 0;
      for (const id of held) {
        const by = handledAgain.get(id);
        if (by === undefined) continue;
        returned++;
        returnedBy[by] = (returnedBy[by] ?? 0) + 1;
      }
      return { name: victimName, pid: kill.pid, at: kill.at, held: held.size, returned, returnedBy };
    };

    // Each subscriber's handled count a second ago, for the rates.
    const history: Array<{ at: number; counts: Map<string, number> }> = [];
    const snapshot = async (elapsed: number, stage: RedisSnapshot['stage']): Promise<RedisSnapshot> => {
      const books = await readBooks(buffer);
      const pending = new Map<string, number>();
      if (group !== undefined) {
        for (const consumer of await client.xInfoConsumers(buffer.key, group)) pending.set(String(consumer.name), Number(consumer.pending));
      }
      history.push({ at: elapsed, counts: new Map(subscribers.map((s) => [s.name, s.handled])) });
      while (history.length > 1 && elapsed - (history[1] as { at: number }).at >= 1000) history.shift();
      const past = history[0] as { at: number; counts: Map<string, number> };
      const span = Math.max(elapsed - past.at, 1) / 1000;
      const figures = killFigures();
      return {
        elapsed,
        duration,
        options,
        url,
        buffer: name,
        stage,
        phase: load.phase,
        producerRate: stage === 'running' ? load.rate : 0,
        appended,
        dropped,
        ...books,
        subscribers: subscribers.map((s) => ({
          name: s.name,
          speed: s.speed,
          pid: s.child.pid,
          state: s.state,
          handled: s.handled,
          redelivered: s.redelivered,
          held: s.consumer === undefined ? 0 : (pending.get(s.consumer) ?? 0),
          rate: Math.max(0, (s.handled - (past.counts.get(s.name) ?? 0)) / span),
          ...(s.end === undefined ? {} : { end: s.end }),
          ...(s.state === 'failed' && s.failure !== undefined ? { failure: s.failure } : {}),
        })),
        victim: victimName,
        killAt: killTime,
        ...(figures === undefined ? {} : { kill: figures }),
        ...(lastError === undefined ? {} : { lastError }),
      };
    };

    /**
     * Kills the victim if it holds unacked events: freezes it (SIGSTOP), so that what it holds
     * cannot change, reads its pending entries from the group, then SIGKILLs it. Nothing to
     * kill yet when it holds none (it is let go on).
     */
    const tryKill = async (at: number): Promise<void> => {
      const victim = subscribers[victimIndex] as SubscriberProcess;
      if (victim.state !== 'running' || victim.consumer === undefined || group === undefined) return;
      const pendingOf = async (consumer: string): Promise<string[]> =>
        (await client.xPendingRange(buffer.key, group as string, '-', '+', 100_000, { consumer })).map((entry) => String(entry.id));
      // A first look without freezing it: in a calm phase it may hold nothing for a moment.
      if ((await pendingOf(victim.consumer)).length === 0) return;
      const frozen = victim.signal('SIGSTOP');
      if (frozen) await sleep(SETTLE_MS);
      const before = await pendingOf(victim.consumer);
      if (before.length === 0) {
        if (frozen) victim.signal('SIGCONT');
        return;
      }
      victim.state = 'killed';
      victim.signal('SIGKILL');
      kill = { at, pid: victim.child.pid };
      // A blocked read of the frozen process may still have been served just before the kill: read
      // again at once (the others take its entries over only once it has been idle for a while).
      held = new Set([...before, ...(await pendingOf(victim.consumer))]);
    };

    const config = (spec: WorkerSpec): SubscriberConfig => ({
      url: options.redis,
      buffer: name,
      capacity: options.capacity,
      dropStrategy,
      name: spec.name,
      speed: spec.speed,
      maxDemand: Math.max(10, Math.round((spec.speed * WINDOW_MS) / 1000)),
    });
    const execArgv = hooks.execArgv ?? process.execArgv;
    for (const spec of redisSubscriberSpecs) subscribers.push(new SubscriberProcess(spec, config(spec), execArgv, onMessage));
    // Loading TypeScript and connecting takes the processes a second or two: show them meanwhile.
    const started = startAll(subscribers, hooks.signal);
    let starting = true;
    started.then(
      () => (starting = false),
      () => (starting = false),
    );
    while (starting) {
      await Promise.race([started.catch(() => undefined), sleep(hooks.every)]);
      if (starting) hooks.onSnapshot(await snapshot(0, 'starting'));
    }
    await started;

    const start = performance.now();
    let last = start;
    let lastSnapshot = 0;
    let released = false;
    const aborted = (): boolean => hooks.signal?.aborted === true;
    for (;;) {
      if (aborted()) break;
      await sleep(TICK_MS);
      const now = performance.now();
      const elapsed = Math.min(now - start, duration);
      const step = now - last;
      last = now;
      const count = load.take(elapsed, step);
      if (count > 0) {
        const events = new Array<RedisDemoEvent>(count);
        for (let k = 0; k < count; k++) events[k] = { id: nextId++ };
        appended += count;
        dropped += await buffer.append(events);
        if (!released) {
          // The subscribers start reading once there is something to read, so that the kill
          // finds each of them busy.
          released = true;
          group = String((await client.xInfoGroups(buffer.key))[0]?.name);
          for (const s of subscribers) s.send({ type: 'go' });
        }
      }
      if (kill === undefined && elapsed >= killTime) await tryKill(elapsed);
      if (elapsed >= duration || aborted()) break;
      if (elapsed - lastSnapshot >= hooks.every) {
        lastSnapshot = elapsed;
        hooks.onSnapshot(await snapshot(elapsed, 'running'));
      }
    }

    // The producer stopped. The killed subscriber's events may still be on their way back.
    const waitStart = performance.now();
    while (!aborted() && performance.now() - waitStart < GRACE_MS) {
      if (kill === undefined) await tryKill(performance.now() - start);
      const figures = killFigures();
      if (figures !== undefined && figures.returned === figures.held) break;
      await sleep(TICK_MS);
      const elapsed = performance.now() - start;
      if (elapsed - lastSnapshot >= hooks.every) {
        lastSnapshot = elapsed;
        hooks.onSnapshot(await snapshot(elapsed, 'waiting'));
      }
    }

    // Each subscriber finishes the batch in hand (acked), gives back what it read beyond it, and exits.
    hooks.onSnapshot(await snapshot(performance.now() - start, 'stopping'));
    await Promise.all(subscribers.map((s) => s.stop()));
    const final = await snapshot(performance.now() - start, 'done');
    hooks.onSnapshot(final);
    result = { last: final, appended, dropped };
  } catch (error) {
    if (error instanceof RedisDemoError) throw error;
    throw new RedisDemoError(`the run against Redis at ${url} failed: ${describeError(error)}`, { cause: error });
  } finally {
    for (const s of subscribers) if (s.alive) s.signal('SIGKILL');
    await Promise.all(subscribers.map((s) => s.exited));
    await buffer.close();
    try {
      await client.del(keys);
      cleanedUp = (await client.exists(keys)) === 0;
    } catch (error) {
      remember(error);
    }
    await client.close().catch(() => client.destroy());
  }

  if (result === undefined) throw new RedisDemoError('the run ended without a result');
  const { last } = result;
  const books = checkRedisBooks(last.metrics, last.stats);
  const countsAgree = last.metrics.appended === result.appended && last.metrics.dropped === result.dropped;
  const redelivered = last.kill !== undefined && last.kill.held > 0 && last.kill.returned === last.kill.held;
  const subscribersClean = last.subscribers.every((s) => s.name === victimName || s.state === 'closed');
  const interrupted = hooks.signal?.aborted === true;
  const killShown = redelivered || (interrupted && last.kill === undefined);
  return {
    last,
    books,
    countsAgree,
    redelivered,
    interrupted,
    subscribersClean,
    cleanedUp,
    balanced: books.balanced && countsAgree && killShown && subscribersClean && cleanedUp,
  };
}

/** Waits for every subscriber process to be ready (or `signal` to abort). */
async function startAll(subscribers: readonly SubscriberProcess[], signal: AbortSignal | undefined): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisDemoError(`the subscriber processes did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
  });
  const aborted = new Promise<void>((resolve) => {
    onAbort = () => resolve();
    if (signal?.aborted === true) resolve();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([Promise.all(subscribers.map((s) => s.ready)), timeout, aborted]);
  } finally {
    clearTimeout(timer);
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
  }
}
