// The crew of `--workers N`: a WorkerPool of N threads hashing each event, where rare poison events take a thread down.
import { availableParallelism } from 'node:os';
import type { Clock } from '@dispenser/core';
import { createSeededRandom } from '@dispenser/testing-utils';
import { RestartLimitError, WorkerDownError, WorkerPool, type WorkerPoolMetrics, type WorkerPoolStats } from '@dispenser/workers';
import type { Crew, DemandSide, DemoEvent, WorkerFigures } from './crew';
import { PoolTap } from './pool-tap';
import { measureSpeed, poisonFlag } from './thread-work';

/** Options of {@link ThreadCrew}. */
export interface ThreadCrewOptions {
  /** Worker threads. */
  readonly size: number;
  /** Seed of which events are poison. */
  readonly seed: number;
  /** The pool's clock (of its restart window). */
  readonly clock: Clock;
  /**
   * Milliseconds between poison events: the first is the first event appended after half of it,
   * the next ones 0.75–1.25 times it apart (drawn from the seed).
   * @default 2000
   */
  readonly poisonEvery?: number;
}

/** The pool's side of a snapshot. */
export interface PoolFigures {
  /** Threads asked for (`--workers`). */
  readonly size: number;
  /** `pool.stats()`: threads up, busy, and replacements started. */
  readonly stats: WorkerPoolStats;
  /** `pool.metrics()`: events sent to threads, processed, failed (held by a thread that went down). */
  readonly metrics: WorkerPoolMetrics;
  /** Milliseconds between poison events, on average. */
  readonly poisonEvery: number;
  /** Poison events appended so far. */
  readonly poisoned: number;
  /** Threads that went down (`WorkerDownError`s the pool reported). */
  readonly downs: number;
  /** The message of the last error the pool reported. */
  readonly lastError: string | undefined;
  /** Whether the pool stopped replacing threads (`RestartLimitError`). */
  readonly gaveUp: boolean;
}

/** The worker threads could not start: the pool stopped replacing them before they all asked for events. */
export class ThreadStartError extends Error {
  override readonly name = 'ThreadStartError';
}

/** Most replacements within the pool's 10-second window: generous, the demo's crashes are planned. */
const MAX_RESTARTS = 20;
/** A thread holds at most this many milliseconds of work (its `maxDemand`). */
const WINDOW_MS = 100;
/** Milliseconds between poison events, on average: one shows in a 3-second run. */
const POISON_EVERY_MS = 2_000;

/**
 * N worker threads of a `WorkerPool` as the server's subscribers. Each hashes every event it
 * gets (see `thread-work.ts`); the pool asks for more as they finish, so when they fall behind
 * the server's buffer fills and its drop strategy decides. About every `poisonEvery` ms an event is
 * poison and takes the thread that meets it down: the pool starts a replacement, and the server
 * (`redeliver: true`) puts that thread's batches back in its buffer, where the poison event now
 * passes.
 */
export class ThreadCrew implements Crew {
  readonly rateOf = 'processed';
  /** Events per second one thread handles, measured on this machine. */
  readonly speed: number;
  readonly throughput: number;
  readonly maxDemand: number;
  readonly poisonEvery: number;
  readonly #size: number;
  readonly #pool: WorkerPool<DemoEvent>;
  readonly #random: () => number;
  #tap: PoolTap | undefined;
  /** Milliseconds of the run so far, and when the next poison event is due. */
  #now = 0;
  #nextPoison: number;
  #poisoned = 0;
  #downs = 0;
  #lastError: string | undefined;
  #gaveUp: RestartLimitError | undefined;
  #onGiveUp: (() => void) | undefined;

  constructor(options: ThreadCrewOptions) {
    this.#size = options.size;
    this.speed = measureSpeed();
    // At most one busy thread per core. On a busy machine this is more than they manage: more drops.
    this.throughput = this.speed * Math.min(options.size, availableParallelism());
    this.maxDemand = Math.max(10, Math.round((this.speed * WINDOW_MS) / 1000));
    this.poisonEvery = options.poisonEvery ?? POISON_EVERY_MS;
    // Mod 2^32: the generator only uses the low 32 bits, and the sum may leave the safe range.
    this.#random = createSeededRandom((options.seed + 0x9e3779b9) % 2 ** 32);
    // The first inside the load's first calm phase (at least 1.5 s), while events still go out.
    this.#nextPoison = this.poisonEvery / 2;
    this.#pool = new WorkerPool<DemoEvent>({
      filename: new URL('./thread-entry.mjs', import.meta.url),
      size: options.size,
      maxDemand: this.maxDemand,
      maxRestarts: MAX_RESTARTS,
      clock: options.clock,
      onError: (error) => this.#report(error),
    });
  }

  /** @throws (rejects) ThreadStartError when the pool gives up before every thread has asked for events */
  async start(server: DemandSide, signal?: AbortSignal): Promise<void> {
    const tap = new PoolTap(server);
    this.#tap = tap;
    this.#pool.attach(tap);
    const gaveUp = new Promise<never>((_, reject) => {
      this.#onGiveUp = () => reject(new ThreadStartError(`the worker threads could not start: ${this.#lastError ?? 'unknown error'}`));
    });
    try {
      await Promise.race([tap.untilWorkers(this.#size, signal), gaveUp]);
    } catch (error) {
      await this.#pool.close();
      throw error;
    } finally {
      this.#onGiveUp = undefined;
    }
  }

  event(id: number): DemoEvent {
    if (this.#now < this.#nextPoison) return { id };
    this.#nextPoison += this.poisonEvery * (0.75 + this.#random() / 2);
    this.#poisoned++;
    return { id, fault: poisonFlag() };
  }

  work(elapsed: number): void {
    // The threads work on their own, and the pool asks for more as they finish: only the time counts here.
    this.#now += elapsed;
  }

  figures(): WorkerFigures[] {
    const workers = [...(this.#tap?.workers ?? [])].sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
    return workers.map((w) => ({
      name: w.name,
      speed: this.speed,
      delivered: w.delivered,
      processed: w.processed,
      rate: 0,
      failed: w.failed,
      state: w.down ?? (w.unsubscribed ? 'closed' : 'up'),
    }));
  }

  /** The pool's figures now. */
  pool(): PoolFigures {
    return {
      size: this.#size,
      stats: this.#pool.stats(),
      metrics: this.#pool.metrics(),
      poisonEvery: this.poisonEvery,
      poisoned: this.#poisoned,
      downs: this.#downs,
      lastError: this.#lastError,
      gaveUp: this.#gaveUp !== undefined,
    };
  }

  /** Closes the pool: the threads finish the batches they hold, then exit. */
  stop(): Promise<void> {
    return this.#pool.close();
  }

  #report(error: unknown): void {
    if (error instanceof WorkerDownError) this.#downs++;
    if (error instanceof RestartLimitError) {
      this.#gaveUp = error;
      this.#onGiveUp?.();
    }
    this.#lastError = error instanceof Error ? error.message : String(error);
  }
}
