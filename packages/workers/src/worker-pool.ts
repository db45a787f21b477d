// WorkerPool: worker threads as subscribers of a server, with demand carried to each thread and crashes recovered.
import { BufferClosedError } from '@dispenser/core';
import { assertFunction, assertObject, readSignal } from '@dispenser/core/internal';
import { RestartBudget } from './internal/restart-budget';
import { PoolWorker, type WorkerHost } from './internal/pool-worker';
import { resolvePoolOptions, type PoolSettings } from './internal/options';
import { RestartLimitError, WorkerCloneError, type WorkerDownError } from './errors';
import type {
  AttachableServer,
  PoolCloseOptions,
  WorkerPoolMetrics,
  WorkerPoolOptions,
  WorkerPoolStats,
} from './worker-pool-types';

type State = 'open' | 'closing' | 'closed';

/**
 * Runs `size` worker threads, each a subscriber of the server the pool is attached to. A worker
 * is sent a batch only when it has asked for it: it asks for `maxDemand` events when its handler
 * module has loaded, and again for each batch it finishes. So the pool never queues more than
 * the workers asked for; when they fall behind, the server's buffer fills and its drop strategy
 * decides (and counts), instead of `postMessage` queues growing without bound.
 *
 * A worker whose handler throws or rejects, whose thread exits or runs out of memory, or that
 * holds batches for longer than `batchTimeout` without finishing one, is **down**: the batches it
 * held fail at the server (with `redeliver: true` they go back to the server's buffer for the
 * other workers; otherwise they count as `failed` and reach the server's `onError`), the pool's
 * `onError` is told, and a replacement starts, up to `maxRestarts` within `restartWindow`.
 *
 * **When to use:** CPU-heavy handlers (parsing, hashing, image work) that would stall the event
 * loop, spread over the machine's cores with the server's bounds and books intact.
 *
 * **Gotchas:**
 * - Events are copied to the workers (structured clone); pass `transfer` to move `ArrayBuffer`s
 *   instead. Events that cannot be copied (functions, symbols…) are not sent: the pool hands
 *   them to `onError` in a {@link WorkerCloneError}, and the server counts them as delivered.
 * - A worker runs one batch at a time; `maxDemand` bounds what waits on it.
 * - Close the pool (or `await using` it): its threads keep the process alive.
 *
 * @example
 * ```ts
 * import { BufferServer } from '@dispenser/servers';
 * import { WorkerPool } from '@dispenser/workers';
 *
 * // hash-worker.js: export default (events) => { for (const event of events) hash(event); };
 * const server = new BufferServer<string>({ capacity: 10_000, redeliver: true });
 * const pool = new WorkerPool<string>({ filename: new URL('./hash-worker.js', import.meta.url), size: 2 });
 * pool.attach(server);
 * server.append(['a', 'b', 'c']);
 * await server.onIdle();
 * await pool.close();
 * await server.close();
 * ```
 */
export class WorkerPool<E> {
  readonly #settings: PoolSettings<E>;
  readonly #host: WorkerHost<E>;
  readonly #workers = new Set<PoolWorker<E>>();
  readonly #budget: RestartBudget;
  #server: AttachableServer<E> | undefined;
  #state: State = 'open';
  #nextWorker = 1;
  #restarts = 0;
  #gaveUp = false;
  #sent = 0;
  #processed = 0;
  #failed = 0;
  #uncloneable = 0;
  #closing: Promise<void> | undefined;
  /** Called whenever a worker finishes or goes down while the pool waits to close. */
  #onDrained: (() => void) | undefined;

  /**
   * Starts `options.size` worker threads, each loading `options.filename`.
   *
   * @param options - see {@link WorkerPoolOptions}
   * @throws TypeError or RangeError for bad options, naming the option (`options.size`…)
   */
  constructor(options: WorkerPoolOptions<E>) {
    this.#settings = resolvePoolOptions<E>(options, reportError);
    this.#budget = new RestartBudget(this.#settings.maxRestarts, this.#settings.restartWindow);
    this.#host = {
      settings: this.#settings,
      transferred: new WeakSet(),
      ready: (worker) => this.#ask(worker, this.#settings.maxDemand),
      sent: (count) => {
        this.#sent += count;
      },
      finished: (worker, count) => this.#finished(worker, count),
      unsendable: (worker, events, sent, first, cause) => this.#unsendable(worker, events, sent, first, cause),
      down: (worker, error, held) => this.#down(worker, error, held),
    };
    for (let i = 0; i < this.#settings.size; i++) this.#start();
  }

  /**
   * Makes every worker a subscriber of `server` (each asks for `maxDemand` events once ready);
   * replacements subscribe too. A pool serves one server.
   *
   * @throws TypeError when `server` has no `ask` and `unsubscribe` methods
   * @throws Error when the pool is attached already
   * @throws BufferClosedError after `close()`
   */
  attach(server: AttachableServer<E>): void {
    assertObject('server', server);
    assertFunction('server.ask', (server as { ask?: unknown }).ask);
    assertFunction('server.unsubscribe', (server as { unsubscribe?: unknown }).unsubscribe);
    if (this.#state !== 'open') throw new BufferClosedError('the pool was closed; make a new one');
    if (this.#server !== undefined) throw new Error('the pool is attached to a server already; a pool serves one server');
    this.#server = server;
    for (const worker of this.#workers) if (worker.isReady) this.#ask(worker, this.#settings.maxDemand);
  }

  /** Exactly `{ workers, busy, restarts }`: workers up, workers holding a batch, replacements started. */
  stats(): WorkerPoolStats {
    let busy = 0;
    for (const worker of this.#workers) if (worker.heldEvents > 0) busy++;
    return { workers: this.#workers.size, busy, restarts: this.#restarts };
  }

  /** Running totals: exactly `{ sent, processed, failed, uncloneable }` (see {@link WorkerPoolMetrics}). */
  metrics(): WorkerPoolMetrics {
    return { sent: this.#sent, processed: this.#processed, failed: this.#failed, uncloneable: this.#uncloneable };
  }

  /**
   * Shuts the pool down: cancels the workers' demand at the server, waits until they finished
   * every batch they hold, then terminates the threads and resolves once all have exited. Every
   * call returns the same promise. Aborting `options.signal` terminates them at once instead:
   * what they held fails at the server (a {@link WorkerDownError} with `reason: 'closed'`) and
   * the promise rejects with the signal's reason, once the threads have exited.
   *
   * @throws (rejects) TypeError for bad options
   */
  close(options: PoolCloseOptions = {}): Promise<void> {
    let signal: AbortSignal | undefined;
    try {
      signal = readSignal(options);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#closing === undefined) {
      this.#state = 'closing';
      for (const worker of this.#workers) this.#unsubscribe(worker);
      this.#closing = this.#drain().then(() => this.#stopAll());
    }
    if (signal === undefined) return this.#closing;
    return this.#abortable(this.#closing, signal);
  }

  /** Same as {@link WorkerPool.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #start(): void {
    const worker = new PoolWorker<E>(this.#host, this.#nextWorker++);
    this.#workers.add(worker);
  }

  #ask(worker: PoolWorker<E>, amount: number): void {
    const server = this.#server;
    if (server === undefined || this.#state !== 'open' || !worker.isReady || amount === 0) return;
    try {
      server.ask(worker.subscriber, amount);
    } catch (error) {
      // A closed server takes no more demand: the worker just stays idle.
      if ((error as { code?: unknown } | null)?.code !== 'BUFFER_CLOSED') this.#report(error);
    }
  }

  #finished(worker: PoolWorker<E>, count: number): void {
    this.#processed += count;
    // After the server has seen the batch settle: the worker asks for what it finished.
    queueMicrotask(() => this.#ask(worker, count));
    this.#onDrained?.();
  }

  #unsendable(worker: PoolWorker<E>, events: E[], sent: number, first: string, cause: unknown): void {
    this.#uncloneable += events.length;
    this.#report(new WorkerCloneError(events, first, sent, cause));
    // The worker never got these: its demand for them is asked again, outside the server's call.
    queueMicrotask(() => this.#ask(worker, events.length));
  }

  #down(worker: PoolWorker<E>, error: WorkerDownError, held: number): void {
    this.#workers.delete(worker);
    this.#failed += held;
    this.#unsubscribe(worker);
    this.#report(error);
    this.#onDrained?.();
    if (this.#state !== 'open' || this.#gaveUp) return;
    if (this.#budget.take(this.#settings.clock.now())) {
      this.#restarts++;
      try {
        this.#start();
      } catch (startError) {
        // Node could not start a thread (out of resources): reported, and the slot stays empty.
        this.#report(startError);
      }
      return;
    }
    this.#gaveUp = true;
    this.#report(new RestartLimitError(this.#budget.used + 1, this.#settings.restartWindow, error));
  }

  #unsubscribe(worker: PoolWorker<E>): void {
    const server = this.#server;
    if (server === undefined) return;
    try {
      server.unsubscribe(worker.subscriber);
    } catch (error) {
      this.#report(error);
    }
  }

  /** Resolves once no worker holds a batch. */
  #drain(): Promise<void> {
    return new Promise<void>((resolve) => {
      const check = (): void => {
        for (const worker of this.#workers) if (worker.heldEvents > 0) return;
        this.#onDrained = undefined;
        resolve();
      };
      this.#onDrained = check;
      check();
    });
  }

  async #stopAll(reason?: unknown): Promise<void> {
    const exits = [...this.#workers].map((worker) => {
      this.#failed += worker.heldEvents;
      return worker.stop(reason);
    });
    this.#workers.clear();
    this.#state = 'closed';
    await Promise.all(exits);
  }

  /** `closing`, or a rejection with the signal's reason once an abort has stopped every thread. */
  #abortable(closing: Promise<void>, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let aborted = false;
      const onAbort = (): void => {
        aborted = true;
        void this.#stopAll(signal.reason).then(() => reject(signal.reason));
        // Nothing is held any more: the shared close settles too.
        this.#onDrained?.();
      };
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      closing.then(
        () => {
          signal.removeEventListener('abort', onAbort);
          if (!aborted) resolve();
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          if (!aborted) reject(error);
        },
      );
    });
  }

  #report(error: unknown): void {
    try {
      this.#settings.onError(error);
    } catch (thrown) {
      reportError(thrown);
    }
  }
}

/** The default `onError`: report on `console.error` and keep running. */
function reportError(error: unknown): void {
  console.error(error);
}
