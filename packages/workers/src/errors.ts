// Errors defined by @dispenser/workers, each a DispenserError with a stable `code`.
import { DispenserError } from '@dispenser/core';

/**
 * The stable codes of the errors this package defines (it also throws core's
 * `BufferClosedError`, code `BUFFER_CLOSED`, for a pool used after `close()`).
 *
 * | code | class | when |
 * | --- | --- | --- |
 * | `WORKER_DOWN` | {@link WorkerDownError} | a worker's handler threw, the worker exited, ran out of memory, hung past `batchTimeout`, or was stopped by an aborted `close` |
 * | `RESTART_LIMIT` | {@link RestartLimitError} | more than `maxRestarts` workers went down within `restartWindow`: the pool stops replacing them |
 * | `NOT_CLONEABLE` | {@link WorkerCloneError} | events could not be copied (or transferred) to a worker |
 */
export const WorkersErrorCode = {
  /** A worker went down ({@link WorkerDownError}). */
  WORKER_DOWN: 'WORKER_DOWN',
  /** The pool stopped replacing workers ({@link RestartLimitError}). */
  RESTART_LIMIT: 'RESTART_LIMIT',
  /** Events could not be sent to a worker ({@link WorkerCloneError}). */
  NOT_CLONEABLE: 'NOT_CLONEABLE',
} as const;

/** One of the codes in {@link WorkersErrorCode}. */
export type WorkersErrorCode = (typeof WorkersErrorCode)[keyof typeof WorkersErrorCode];

/**
 * Why a worker went down: its handler threw or rejected (`'threw'`), its thread exited or failed
 * outside the handler (`'exited'`, an out-of-memory included), it held batches for longer than
 * `batchTimeout` without finishing one (`'timeout'`), or `close` was aborted while it held
 * batches (`'closed'`).
 */
export type WorkerDownReason = 'threw' | 'exited' | 'timeout' | 'closed';

/**
 * The rejection of the batches a worker held when it went down. The server they came from takes
 * it as the failure of those batches: with `redeliver: true` they go back to its buffer for the
 * other workers, otherwise they count as `failed` and reach the server's `onError` inside a
 * `DeliveryError` whose `cause` is this error. The pool's `onError` gets it too, once per worker.
 *
 * @example
 * ```ts
 * const server = new BufferServer<Job>({
 *   capacity: 10_000,
 *   onError(error) {
 *     if (error instanceof DeliveryError && error.cause instanceof WorkerDownError) log.warn(error.cause.reason);
 *   },
 * });
 * ```
 */
export class WorkerDownError extends DispenserError {
  /** Why the worker went down. */
  readonly reason: WorkerDownReason;
  /** The pool's number of the worker (1 to `size` for the first ones; replacements count on). */
  readonly worker: number;

  /**
   * @param worker - the pool's number of the worker
   * @param reason - why it went down
   * @param detail - what happened, for the message
   * @param cause - what the handler threw, the thread's error, or the abort reason
   */
  constructor(worker: number, reason: WorkerDownReason, detail: string, cause?: unknown) {
    super(WorkersErrorCode.WORKER_DOWN, `worker ${worker} went down: ${detail}`, cause === undefined ? undefined : { cause });
    this.name = 'WorkerDownError';
    this.reason = reason;
    this.worker = worker;
  }
}

/**
 * Handed to the pool's `onError` once when more than `maxRestarts` workers went down within
 * `restartWindow` milliseconds (a crash loop, such as a handler module that fails to load): the
 * pool stops replacing workers that go down. The workers still up keep working. `cause` is the
 * last worker's {@link WorkerDownError}.
 */
export class RestartLimitError extends DispenserError {
  /**
   * @param restarts - the restarts counted in the window
   * @param window - the window, in milliseconds
   * @param cause - the failure that crossed the limit
   */
  constructor(restarts: number, window: number, cause: unknown) {
    super(
      WorkersErrorCode.RESTART_LIMIT,
      `${restarts} workers went down within ${window} ms, more than maxRestarts allows: the pool stops replacing them`,
      { cause },
    );
    this.name = 'RestartLimitError';
  }
}

/**
 * Handed to the pool's `onError` with the events of a batch that could not be copied (or
 * transferred) to a worker, such as functions, symbols or class instances holding them. The
 * rest of the batch went to the worker; these events were not sent anywhere and are only here:
 * the server counts them as delivered (the pool took them), the pool's `metrics()` as
 * `uncloneable`.
 *
 * @example
 * ```ts
 * const pool = new WorkerPool<Job>({
 *   filename: new URL('./job-worker.js', import.meta.url),
 *   size: 2,
 *   onError(error) {
 *     if (error instanceof WorkerCloneError) deadLetters.push(...error.events);
 *   },
 * });
 * ```
 */
export class WorkerCloneError<E = unknown> extends DispenserError {
  /** The events that could not be sent, in batch order. */
  readonly events: E[];

  /**
   * @param events - the events that could not be sent
   * @param first - how the first of them is described in the message
   * @param sent - how many other events of the batch were sent
   * @param cause - what `postMessage` (or `transfer`) threw
   */
  constructor(events: E[], first: string, sent: number, cause: unknown) {
    const what = events.length === 1 ? '1 event' : `${events.length} events`;
    const rest = sent === 0 ? 'nothing of the batch was sent' : `the other ${sent} of the batch were sent`;
    super(WorkersErrorCode.NOT_CLONEABLE, `${what} could not be sent to a worker (the first: ${first}); ${rest}`, { cause });
    this.name = 'WorkerCloneError';
    this.events = events;
  }
}
