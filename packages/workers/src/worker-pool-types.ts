// The types of WorkerPool's options, its figures, and what it attaches to.
import type { Clock, Subscriber } from '@dispenser/core';

/**
 * What a worker module default-exports: called with each batch, one batch at a time, in the
 * order the batches were sent. The worker asks for more once it returns (or its promise
 * resolves); a throw or a rejection takes the worker down.
 *
 * @example
 * ```ts
 * // resize-worker.ts
 * import type { WorkerHandler } from '@dispenser/workers';
 *
 * const handler: WorkerHandler<{ id: number; pixels: ArrayBuffer }> = async (images) => {
 *   for (const image of images) console.log(image.id, image.pixels.byteLength);
 * };
 * export default handler;
 * ```
 */
export type WorkerHandler<E> = (events: E[]) => void | PromiseLike<void>;

/** Limits of a worker thread's heap and stack; a worker that exceeds them goes down. */
export interface WorkerResourceLimits {
  /** Most megabytes of the main heap. */
  maxOldGenerationSizeMb?: number;
  /** Most megabytes of the heap space for recently created objects. */
  maxYoungGenerationSizeMb?: number;
  /** Megabytes reserved for generated code. */
  codeRangeSizeMb?: number;
  /** Most megabytes of stack. */
  stackSizeMb?: number;
}

/** Options of `WorkerPool`. */
export interface WorkerPoolOptions<E> {
  /**
   * The worker module, whose default export is the {@link WorkerHandler}: a path (relative to the
   * current directory) or a URL, such as `new URL('./worker.js', import.meta.url)`. ESM or
   * CommonJS JavaScript: the threads load it with Node's own loader, which a loader registered in
   * the main thread (`node --import tsx`) does not reach on Node 20. For a TypeScript handler,
   * compile it, or point here at a `.mjs` entry that registers the loader in the thread and then
   * imports the handler (see the README).
   */
  filename: string | URL;
  /** Workers to run; a safe integer ≥ 1 (one per core for CPU-bound handlers). */
  size: number;
  /**
   * Most events one worker holds: sent to it and not finished. It asks for this many when it
   * starts and again for each batch it finishes. A safe integer ≥ 1.
   * @default 100
   */
  maxDemand?: number;
  /**
   * Most workers replaced within `restartWindow`: one more going down in that window stops the
   * replacing (a {@link RestartLimitError} reaches `onError`). A safe integer ≥ 0.
   * @default 5
   */
  maxRestarts?: number;
  /**
   * The window of `maxRestarts`, in milliseconds.
   * @default 10_000
   */
  restartWindow?: number;
  /**
   * Most milliseconds a worker may hold batches without finishing one; past it the worker is
   * hung and goes down (`reason: 'timeout'`).
   * @default Infinity
   */
  batchTimeout?: number;
  /** Heap and stack limits of each worker thread. */
  resourceLimits?: WorkerResourceLimits;
  /**
   * Node flags of the worker threads.
   * @default the flags of this process (`process.execArgv`)
   */
  execArgv?: readonly string[];
  /**
   * Picks what to transfer instead of copying when a batch is sent (Node's `transferList`: the
   * `ArrayBuffer`s and `MessagePort`s inside the events). A transferred buffer is gone from
   * this thread: read it on the worker only, and know that a batch that fails cannot be sent
   * again with its content: the pool refuses to send a buffer it transferred before, so such a
   * batch (and one for which `transfer` throws or picks what cannot be transferred) is not sent,
   * and its events reach `onError` in a {@link WorkerCloneError}.
   * @default undefined (everything is copied)
   */
  transfer?: (events: readonly E[]) => readonly object[];
  /**
   * Told about every worker that goes down ({@link WorkerDownError}), about the restart limit
   * ({@link RestartLimitError}) and about events that could not be sent ({@link WorkerCloneError}).
   * An error it throws is reported on `console.error`.
   * @default report on `console.error`
   */
  onError?: (error: unknown) => void;
  /**
   * The clock of `batchTimeout` and of `restartWindow`.
   * @default systemClock
   */
  clock?: Clock;
}

/** What `WorkerPool.stats()` returns. */
export interface WorkerPoolStats {
  /** Workers up: starting or ready, not down or stopped. */
  workers: number;
  /** Workers holding at least one batch. */
  busy: number;
  /** Replacement workers started since the pool was made. */
  restarts: number;
}

/**
 * What `WorkerPool.metrics()` returns: running totals, with `sent = processed + failed + held`
 * (held: the events on workers now).
 */
export interface WorkerPoolMetrics {
  /** Events sent to workers. */
  sent: number;
  /** Events of the batches workers finished. */
  processed: number;
  /** Events a worker held when it went down: handed back to the server as failed batches. */
  failed: number;
  /** Events that could not be sent to a worker (see {@link WorkerCloneError}). */
  uncloneable: number;
}

/**
 * What a pool attaches to: any server whose subscribers ask for events, such as `BufferServer`,
 * `BatchingBufferServer` and `BroadcastServer` of `@dispenser/servers`.
 */
export interface AttachableServer<E> {
  /** Adds demand for `subscriber` (subscribing it when it is new). */
  ask(subscriber: Subscriber<E>, amount: number): void;
  /** Cancels the demand of `subscriber`; batches it holds stay its own. */
  unsubscribe(subscriber: Subscriber<E>): boolean;
}

/** Options of `WorkerPool.close()`. */
export interface PoolCloseOptions {
  /**
   * Aborting stops waiting for the workers to finish what they hold: they are terminated at
   * once, their batches fail with a {@link WorkerDownError} (`reason: 'closed'`) so that the
   * server accounts for them, and `close()` rejects with the signal's reason.
   */
  signal?: AbortSignal;
}
