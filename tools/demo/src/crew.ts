// What handles the demo's events: four simulated subscribers in this thread, or a WorkerPool's threads.
import type { Subscriber } from '@dispenser/core';

/** What the producer appends: a number, in order. */
export interface DemoEvent {
  readonly id: number;
  /**
   * Only on the rare poison events of `--workers`: a flag in shared memory (a `SharedArrayBuffer`
   * is shared, not copied, between threads), so the event fails the first time any thread
   * handles it and succeeds when it is redelivered.
   */
  readonly fault?: Int32Array;
}

/** Per-subscriber figures of a snapshot or the summary. */
export interface WorkerFigures {
  readonly name: string;
  /** Events per second it can handle (measured on this machine for worker threads). */
  readonly speed: number;
  /** Events handed to it (for a worker thread: not counting the batches it failed on). */
  readonly delivered: number;
  /** Events it has finished. */
  readonly processed: number;
  /** Events per second over the last second: delivered (simulated) or processed (threads). */
  readonly rate: number;
  /** Events of the batches it failed on, which went back to the buffer (worker threads only). */
  readonly failed?: number;
  /**
   * Worker threads only: `'up'` while it serves, `'closed'` once the pool closed, or why it went
   * down (`WorkerDownError.reason`, such as `'threw'`).
   */
  readonly state?: string;
}

/** What a crew needs of the server: the demand side, which `BufferServer` and `BatchingBufferServer` share. */
export interface DemandSide {
  ask(subscriber: Subscriber<DemoEvent>, amount: number): void;
  unsubscribe(subscriber: Subscriber<DemoEvent>): boolean;
}

/** The subscribers of a run, and what the run needs to know about them. */
export interface Crew {
  /** Events per second all of them handle together: the producer's load is shaped on it. */
  readonly throughput: number;
  /** Most events one subscriber asks for at once (the `demand` strategy's `maxDemand`). */
  readonly maxDemand: number;
  /** Which count each subscriber's `rate` is taken from. */
  readonly rateOf: 'delivered' | 'processed';
  /** Subscribes to `server`; resolves once every subscriber has asked for events (or `signal` aborts). */
  start(server: DemandSide, signal?: AbortSignal): Promise<void>;
  /** The event the producer appends as number `id` (called for 0, 1, 2… in order). */
  event(id: number): DemoEvent;
  /** `elapsed` ms of the run went by. */
  work(elapsed: number): void;
  /** Each subscriber's figures, `rate` left at 0 (the run measures it). */
  figures(): WorkerFigures[];
  /** Stops taking events; resolves once no subscriber holds any. */
  stop(): Promise<void>;
}
