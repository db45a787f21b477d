// One worker thread of a pool: the batches it holds, its channel, its hang timer, and how it goes down.
import { MessageChannel, Worker, type MessagePort, type TransferListItem } from 'node:worker_threads';
import type { Subscriber } from '@dispenser/core';
import { describeValue } from '@dispenser/core/internal';
import { WorkerDownError, type WorkerDownReason } from '../errors';
import { WORKER_PROGRAM, type BatchMessage, type WorkerBoot, type WorkerMessage } from './protocol';
import type { PoolSettings } from './options';

/** What a worker tells its pool. */
export interface WorkerHost<E> {
  readonly settings: PoolSettings<E>;
  /** What the pool's workers were sent by transfer: gone from this thread, never to be sent again. */
  readonly transferred: WeakSet<object>;
  /** The handler module loaded: the worker can take events. */
  ready(worker: PoolWorker<E>): void;
  /** `count` events were posted to the worker. */
  sent(count: number): void;
  /** The worker finished a batch of `count` events. */
  finished(worker: PoolWorker<E>, count: number): void;
  /**
   * `events` of a batch could not be sent (`first` describes the first of them, `cause` is what
   * failed); `sent` other events of the batch were.
   */
  unsendable(worker: PoolWorker<E>, events: E[], sent: number, first: string, cause: unknown): void;
  /** The worker went down holding `held` events; it rejects their batches right after this returns. */
  down(worker: PoolWorker<E>, error: WorkerDownError, held: number): void;
}

/** A batch on a worker, and the promise the server waits on. */
interface Held<E> {
  readonly events: E[];
  resolve(): void;
  reject(error: unknown): void;
}

type State = 'starting' | 'ready' | 'down' | 'stopped';

/**
 * A worker thread and the subscriber that stands for it at the server: each batch the server
 * hands to {@link PoolWorker.subscriber} is posted to the thread, and the promise returned
 * settles when the thread finishes it (or goes down).
 */
export class PoolWorker<E> {
  /** The pool's number of this worker. */
  readonly id: number;
  /** What the server sees: a subscriber named after the worker. */
  readonly subscriber: Subscriber<E>;
  /** Resolves once the thread has exited. */
  readonly exited: Promise<void>;
  readonly #host: WorkerHost<E>;
  readonly #thread: Worker;
  readonly #port: MessagePort;
  readonly #held = new Map<number, Held<E>>();
  #state: State = 'starting';
  #nextBatch = 0;
  #heldEvents = 0;
  #timer: unknown;

  constructor(host: WorkerHost<E>, id: number) {
    this.id = id;
    this.#host = host;
    this.subscriber = { name: `worker-${id}`, handleAssignedEvents: (events) => this.#send(events) } as Subscriber<E>;
    const { settings } = host;
    const channel = new MessageChannel();
    this.#port = channel.port1;
    const boot: WorkerBoot = { url: settings.url, port: channel.port2 };
    this.#thread = new Worker(WORKER_PROGRAM, {
      eval: true,
      workerData: boot,
      transferList: [channel.port2],
      ...(settings.resourceLimits === undefined ? {} : { resourceLimits: settings.resourceLimits }),
      ...(settings.execArgv === undefined ? {} : { execArgv: [...settings.execArgv] }),
    });
    this.exited = new Promise<void>((resolve) => this.#thread.once('exit', () => resolve()));
    this.#port.on('message', (message: WorkerMessage) => this.#receive(message));
    this.#thread.on('error', (error) => this.#goDown('exited', `its thread failed: ${messageOf(error)}`, error));
    this.#thread.on('exit', (code) => this.#goDown('exited', `its thread exited with code ${code}`));
  }

  /** Whether the thread is starting or ready (not down, not stopped). */
  get isUp(): boolean {
    return this.#state === 'starting' || this.#state === 'ready';
  }

  /** Whether the handler module loaded and the worker takes events. */
  get isReady(): boolean {
    return this.#state === 'ready';
  }

  /** Events sent to the thread and not finished. */
  get heldEvents(): number {
    return this.#heldEvents;
  }

  /**
   * Ends the thread. With a `reason`, first fails what it holds (`reason: 'closed'`), so the
   * server accounts for those events; without, it must hold nothing.
   */
  stop(reason?: unknown): Promise<void> {
    if (this.#state !== 'stopped') {
      const held = this.#state === 'down' ? [] : this.#takeHeld();
      this.#state = 'stopped';
      this.#release();
      if (held.length > 0) {
        const error = new WorkerDownError(this.id, 'closed', 'the pool was closed before it finished', reason);
        for (const batch of held) batch.reject(error);
      }
    }
    return this.exited;
  }

  #send(events: E[]): Promise<void> {
    if (this.#state !== 'ready') {
      // The pool cancels a worker's demand as it goes down, so a server should not get here.
      return Promise.reject(new WorkerDownError(this.id, 'exited', 'it was not taking events'));
    }
    const id = this.#nextBatch++;
    try {
      this.#post({ id, events });
    } catch (error) {
      return this.#sendWhatClones(id, events, error);
    }
    return this.#hold(id, events);
  }

  #post(message: BatchMessage<E>): void {
    const transfer = this.#host.settings.transfer;
    if (transfer === undefined) {
      this.#port.postMessage(message);
      return;
    }
    const list = transfer(message.events);
    const { transferred } = this.#host;
    // Node would deliver a buffer transferred before as an empty one, without an error.
    for (const item of list) if (transferred.has(item)) throw new TransferredBeforeError();
    this.#port.postMessage(message, list as readonly TransferListItem[]);
    for (const item of list) transferred.add(item);
  }

  /** Posting the batch failed: sends the events that can be copied, and hands the others to the pool. */
  #sendWhatClones(id: number, events: E[], failure: unknown): Promise<void> {
    let sendable: E[] = [];
    let unsendable: E[] = [];
    let first = 'the batch as a whole';
    let cause = failure;
    if (isCloneError(failure)) {
      for (let i = 0; i < events.length; i++) {
        const event = events[i] as E;
        const error = cloneError(event);
        if (error === undefined) {
          sendable.push(event);
          continue;
        }
        if (unsendable.length === 0) {
          first = `event ${i} of the batch, ${describeValue(event)}: ${messageOf(error)}`;
          cause = error;
        }
        unsendable.push(event);
      }
    }
    if (unsendable.length === 0) {
      // Each event copies alone: what failed is the transfer list (or `transfer` threw).
      sendable = [];
      unsendable = events;
    } else if (sendable.length > 0) {
      try {
        this.#post({ id, events: sendable });
      } catch (error) {
        sendable = [];
        unsendable = events;
        first = 'the batch as a whole';
        cause = error;
      }
    }
    this.#host.unsendable(this, unsendable, sendable.length, first, cause);
    return sendable.length > 0 ? this.#hold(id, sendable) : Promise.resolve();
  }

  #hold(id: number, events: E[]): Promise<void> {
    this.#host.sent(events.length);
    return new Promise<void>((resolve, reject) => {
      this.#held.set(id, { events, resolve, reject });
      if (this.#heldEvents === 0) this.#arm();
      this.#heldEvents += events.length;
    });
  }

  #receive(message: WorkerMessage): void {
    if (!this.isUp) return;
    switch (message.type) {
      case 'ready':
        this.#state = 'ready';
        this.#host.ready(this);
        return;
      case 'done': {
        const batch = this.#held.get(message.id);
        if (batch === undefined) return;
        this.#held.delete(message.id);
        this.#heldEvents -= batch.events.length;
        this.#disarm();
        if (this.#heldEvents > 0) this.#arm();
        batch.resolve();
        this.#host.finished(this, batch.events.length);
        return;
      }
      case 'failed':
        if (message.loading) this.#goDown('exited', `its handler module failed to load: ${messageOf(message.error)}`, message.error);
        else this.#goDown('threw', `its handler failed: ${messageOf(message.error)}`, message.error);
        return;
    }
  }

  /** Starts the hang timer: the worker must finish a batch within `batchTimeout`. */
  #arm(): void {
    const { batchTimeout, clock } = this.#host.settings;
    if (batchTimeout === Number.POSITIVE_INFINITY) return;
    this.#timer = clock.setTimeout(() => {
      this.#timer = undefined;
      this.#goDown('timeout', `it held ${this.#heldEvents} events for ${batchTimeout} ms without finishing a batch`);
    }, batchTimeout);
  }

  #disarm(): void {
    if (this.#timer === undefined) return;
    this.#host.settings.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #goDown(reason: WorkerDownReason, detail: string, cause?: unknown): void {
    if (!this.isUp) return;
    this.#state = 'down';
    const count = this.#heldEvents;
    const held = this.#takeHeld();
    this.#release();
    const error = new WorkerDownError(this.id, reason, detail, cause);
    this.#host.down(this, error, count);
    for (const batch of held) batch.reject(error);
  }

  /** Empties the batches held, oldest first, for rejecting them. */
  #takeHeld(): Held<E>[] {
    const held = [...this.#held.values()];
    this.#held.clear();
    this.#heldEvents = 0;
    return held;
  }

  /** Stops the timer, closes the channel and terminates the thread (if it still runs). */
  #release(): void {
    this.#disarm();
    this.#port.close();
    void this.#thread.terminate();
  }
}

/** A batch whose buffers went to a worker before (a batch that failed and came back): their content is gone. */
class TransferredBeforeError extends Error {
  constructor() {
    super('it holds a buffer that was transferred to a worker before (a batch sent again after a failure): its content is gone');
    this.name = 'TransferredBeforeError';
  }
}

/** Whether `error` is the `DataCloneError` that `postMessage` throws for a value it cannot copy. */
function isCloneError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'DataCloneError';
}

/** What copying `event` alone throws, or `undefined` when it copies. */
function cloneError(event: unknown): unknown {
  try {
    structuredClone(event);
    return undefined;
  } catch (error) {
    return error ?? new Error('it could not be copied');
  }
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : String(error);
}
