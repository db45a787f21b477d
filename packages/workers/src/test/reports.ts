// What the scripted test worker reports: the events handled (by id) and the batch sizes, per run.
import { randomUUID } from 'node:crypto';
import { BroadcastChannel } from 'node:worker_threads';

/** A message of `fixtures/scripted-worker.mjs`. */
type Report =
  | { type: 'handled'; id: number; bytes?: number; threadId: number }
  | { type: 'started'; id: number; threadId: number }
  | { type: 'batch'; size: number; threadId: number };

/** The reports of one run of a test: a fresh channel name to put in every event as `run`. */
export class Reports {
  readonly run = `dispenser-workers-${randomUUID()}`;
  /** How often each event id was handled. */
  readonly handled = new Map<number, number>();
  /** `byteLength` of each event's `buffer` as the worker saw it. */
  readonly bytes = new Map<number, number | undefined>();
  /** Ids of the `'hang'` events a worker started on. */
  readonly started = new Set<number>();
  /** The size of every batch, in arrival order. */
  readonly batches: number[] = [];
  /** The threads that handled events. */
  readonly threads = new Set<number>();
  readonly #channel = new BroadcastChannel(this.run);
  #waiters: Array<() => void> = [];

  constructor() {
    this.#channel.onmessage = (message) => {
      const report = (message as { data: Report }).data;
      this.threads.add(report.threadId);
      if (report.type === 'handled') {
        this.handled.set(report.id, (this.handled.get(report.id) ?? 0) + 1);
        this.bytes.set(report.id, report.bytes);
      } else if (report.type === 'started') {
        this.started.add(report.id);
      } else {
        this.batches.push(report.size);
      }
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const wake of waiters) wake();
    };
  }

  /** Resolves once `done()` holds, checked after each report. */
  async until(done: () => boolean): Promise<void> {
    while (!done()) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  /** Resolves once every id in `ids` was handled at least once. */
  untilHandled(ids: Iterable<number>): Promise<void> {
    const wanted = [...ids];
    return this.until(() => wanted.every((id) => this.handled.has(id)));
  }

  close(): void {
    this.#channel.close();
  }
}

/** The URL of a fixture module. */
export function fixture(name: string): URL {
  return new URL(`./fixtures/${name}`, import.meta.url);
}

/** A flag that is taken once across every thread (the scripted worker's `once`). */
export function onceFlag(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4));
}
