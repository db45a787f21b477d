// A see-through server between a WorkerPool and the real one, counting what each worker gets and finishes.
import type { Subscriber } from '@dispenser/core';
import type { DemandSide, DemoEvent } from './crew';

/**
 * One worker as the tap sees it: the subscriber that stands for it at the real server. It hands
 * each batch on to the pool's subscriber and counts the batch when its promise settles.
 */
export class TappedWorker implements Subscriber<DemoEvent> {
  /** Events handed to the worker, less those of the batches it failed on (as the server counts). */
  delivered = 0;
  /** Events of the batches it finished. */
  processed = 0;
  /** Events of the batches it failed on (they went back to the server's buffer). */
  failed = 0;
  /** Why it went down (the `reason` of the error its batch failed with), once it has. */
  down: string | undefined;
  /** Whether the pool cancelled its demand (it went down, or the pool closed). */
  unsubscribed = false;

  constructor(
    /** The name the pool gave it (`worker-1`…). */
    readonly name: string,
    private readonly inner: Subscriber<DemoEvent>,
  ) {}

  handleAssignedEvents(events: DemoEvent[], sender: unknown): Promise<void> {
    const count = events.length;
    this.delivered += count;
    const fail = (error: unknown): never => {
      this.delivered -= count;
      this.failed += count;
      this.down ??= reasonOf(error);
      throw error;
    };
    let handled: void | Promise<void>;
    try {
      handled = this.inner.handleAssignedEvents(events, sender);
    } catch (error) {
      return fail(error);
    }
    return Promise.resolve(handled).then(() => {
      this.processed += count;
    }, fail);
  }
}

/**
 * What a `WorkerPool` attaches to in the demo: it passes demand on to `server`, standing a
 * {@link TappedWorker} in for each of the pool's subscribers, so the demo can show each worker's
 * figures by the name the pool gave it, replacements included.
 *
 * @example
 * ```ts
 * const tap = new PoolTap(server);
 * pool.attach(tap);
 * await tap.untilWorkers(2);
 * tap.workers.map((w) => [w.name, w.processed]); // [['worker-1', 0], ['worker-2', 0]]
 * ```
 */
export class PoolTap implements DemandSide {
  /** Every worker that ever asked, in the order they first asked. */
  readonly workers: TappedWorker[] = [];
  readonly #server: DemandSide;
  readonly #byInner = new Map<Subscriber<DemoEvent>, TappedWorker>();
  #waiters: Array<() => void> = [];

  constructor(server: DemandSide) {
    this.#server = server;
  }

  ask(subscriber: Subscriber<DemoEvent>, amount: number): void {
    let tapped = this.#byInner.get(subscriber);
    if (tapped === undefined) {
      tapped = new TappedWorker(nameOf(subscriber, this.workers.length + 1), subscriber);
      this.#byInner.set(subscriber, tapped);
      this.workers.push(tapped);
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const wake of waiters) wake();
    }
    this.#server.ask(tapped, amount);
  }

  unsubscribe(subscriber: Subscriber<DemoEvent>): boolean {
    const tapped = this.#byInner.get(subscriber);
    if (tapped === undefined) return false;
    tapped.unsubscribed = true;
    return this.#server.unsubscribe(tapped);
  }

  /** Resolves once `count` workers have asked for events, or when `signal` aborts. */
  async untilWorkers(count: number, signal?: AbortSignal): Promise<void> {
    while (this.workers.length < count && signal?.aborted !== true) {
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        signal?.addEventListener('abort', () => resolve(), { once: true });
      });
    }
  }
}

function nameOf(subscriber: Subscriber<DemoEvent>, fallback: number): string {
  const { name } = subscriber as { name?: unknown };
  return typeof name === 'string' ? name : `worker-${fallback}`;
}

function reasonOf(error: unknown): string {
  const { reason } = (error ?? {}) as { reason?: unknown };
  return typeof reason === 'string' ? reason : 'failed';
}
