import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BufferClosedError, type Subscriber } from '@dispenser/core';
import { BatchingBufferServer, BroadcastServer, BufferServer, DeliveryError } from '@dispenser/servers';
import { ManualClock } from '@dispenser/testing-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { RestartLimitError, WorkerCloneError, WorkerDownError, WorkerPool, type WorkerPoolOptions } from './index';
import { fixture, onceFlag, Reports } from './test/reports';

/** An event of the scripted worker. */
interface Ev {
  run: string;
  id: number;
  action?: 'ok' | 'throw' | 'exit' | 'uncaught' | 'oom' | 'hang' | 'wait';
  once?: Int32Array;
  ms?: number;
  buffer?: ArrayBuffer;
  [key: string]: unknown;
}

const scripted = fixture('scripted-worker.mjs');
const run = promisify(execFile);
const open: Array<{ close(): Promise<void> | void }> = [];

/** Keeps `thing` to be closed after the test, and returns it. */
function closeLater<T extends { close(): Promise<void> | void }>(thing: T): T {
  open.push(thing);
  return thing;
}

afterEach(async () => {
  const things = open.splice(0).reverse();
  for (const thing of things) await thing.close();
});

/** The errors a pool reports, and a way to wait for them. */
function errorLog() {
  const errors: unknown[] = [];
  let wake: (() => void) | undefined;
  return {
    errors,
    onError(error: unknown) {
      errors.push(error);
      wake?.();
    },
    async until(done: (errors: unknown[]) => boolean): Promise<void> {
      while (!done(errors)) await new Promise<void>((resolve) => (wake = resolve));
    },
  };
}

function pool(options: Partial<WorkerPoolOptions<Ev>> = {}): WorkerPool<Ev> {
  return closeLater(new WorkerPool<Ev>({ filename: scripted, size: 2, ...options }));
}

function events(reports: Reports, count: number, extra: (id: number) => Partial<Ev> = () => ({})): Ev[] {
  return Array.from({ length: count }, (_, id) => ({ run: reports.run, id, ...extra(id) }));
}

function ids(count: number): number[] {
  return Array.from({ length: count }, (_, id) => id);
}

describe('WorkerPool', () => {
  it('makes each worker a subscriber that runs the handler on what the server appends', async () => {
    const reports = closeLater(new Reports());
    const server = closeLater(new BufferServer<Ev>({ capacity: 10_000 }));
    const workers = pool({ maxDemand: 10 });
    workers.attach(server);
    server.append(events(reports, 500));
    await reports.untilHandled(ids(500));
    await server.onIdle();
    expect([...reports.handled.values()].every((times) => times === 1)).toBe(true);
    expect(Math.max(...reports.batches)).toBeLessThanOrEqual(10);
    expect(server.metrics()).toEqual({ appended: 500, dropped: 0, delivered: 500, failed: 0 });
    expect(workers.metrics()).toEqual({ sent: 500, processed: 500, failed: 0, uncloneable: 0 });
    expect(workers.stats()).toEqual({ workers: 2, busy: 0, restarts: 0 });
  });

  it('loads a CommonJS handler module', async () => {
    const reports = closeLater(new Reports());
    const server = closeLater(new BufferServer<Ev>({ capacity: 100 }));
    pool({ filename: fixture('commonjs-worker.cjs'), size: 1 }).attach(server);
    const seen: number[] = [];
    const channel = new BroadcastChannel(reports.run);
    const done = new Promise<void>((resolve) => {
      channel.onmessage = (message) => {
        seen.push(...(message as { data: { ids: number[] } }).data.ids);
        if (seen.length === 3) resolve();
      };
    });
    server.append(events(reports, 3));
    await done;
    channel.close();
    expect(seen).toEqual([0, 1, 2]);
  });

  it('serves a BatchingBufferServer: a worker gets events when the batch is full or the delay is over', async () => {
    const reports = closeLater(new Reports());
    const clock = new ManualClock();
    const server = closeLater(new BatchingBufferServer<Ev>({ capacity: 1_000, batchSize: 20, maxDelay: 100, clock }));
    const workers = pool({ size: 1, maxDemand: 50 });
    workers.attach(server);
    await until(() => server.stats().demand === 50);
    server.append(events(reports, 10));
    expect(workers.metrics().sent).toBe(0);
    clock.advance(100);
    expect(workers.metrics().sent).toBe(10);
    server.append(events(reports, 30).slice(10));
    expect(workers.metrics().sent).toBe(30);
    await reports.untilHandled(ids(30));
    await server.onIdle();
    expect(reports.batches).toEqual([10, 20]);
    expect(workers.metrics()).toEqual({ sent: 30, processed: 30, failed: 0, uncloneable: 0 });
  });

  it('gives every worker every event when attached to a BroadcastServer', async () => {
    const reports = closeLater(new Reports());
    const server = closeLater(new BroadcastServer<Ev>({ capacity: 1_000 }));
    const workers = pool({ size: 2 });
    workers.attach(server);
    await until(() => server.stats().subscribed === 2);
    server.append(events(reports, 50));
    await reports.until(() => [...reports.handled.values()].reduce((sum, times) => sum + times, 0) === 100);
    expect([...reports.handled.values()]).toEqual(Array.from({ length: 50 }, () => 2));
    expect(reports.threads.size).toBe(2);
  });

  describe('demand', () => {
    it('never hands a worker more than maxDemand events at once, asking again for each batch it finishes', async () => {
      const reports = closeLater(new Reports());
      const server = new RecordingServer<Ev>();
      const workers = pool({ size: 2, maxDemand: 7 });
      workers.attach(server);
      server.queue(events(reports, 300, () => ({ action: 'wait', ms: 1 })));
      await reports.untilHandled(ids(300));
      expect(server.highest).toBeLessThanOrEqual(7);
      expect(server.highest).toBeGreaterThan(0);
      expect(server.handedOut).toBe(300);
    });

    it('leaves events in the server while the workers are busy, so its drop strategy decides', async () => {
      const reports = closeLater(new Reports());
      const server = closeLater(new BufferServer<Ev>({ capacity: 20, dropStrategy: 'drop-newest' }));
      const workers = pool({ size: 1, maxDemand: 5 });
      workers.attach(server);
      await until(() => server.stats().demand === 5);
      const dropped = server.append(events(reports, 100, () => ({ action: 'wait', ms: 1 })));
      // The worker took the 5 it asked for; the buffer holds at most its capacity; the rest were dropped and counted.
      expect(workers.metrics().sent).toBe(5);
      expect(server.stats().buffered).toBeLessThanOrEqual(20);
      expect(5 + server.stats().buffered + dropped).toBe(100);
      await server.onIdle();
      expect(reports.handled.size).toBe(100 - dropped);
      expect(server.metrics()).toEqual({ appended: 100, dropped, delivered: 100 - dropped, failed: 0 });
    });
  });

  describe('crashes', () => {
    it('redelivers what a worker held when its handler throws, and starts a replacement', async () => {
      const reports = closeLater(new Reports());
      const log = errorLog();
      const server = closeLater(new BufferServer<Ev>({ capacity: 1_000, redeliver: true, onError: () => undefined }));
      const workers = pool({ size: 2, maxDemand: 10, onError: log.onError });
      workers.attach(server);
      const once = onceFlag();
      server.append(events(reports, 100, (id) => (id === 50 ? { action: 'throw', once } : {})));
      await reports.untilHandled(ids(100));
      await server.onIdle();
      const down = log.errors.filter((error) => error instanceof WorkerDownError);
      expect(down).toHaveLength(1);
      expect(down[0]).toMatchObject({ reason: 'threw', code: 'WORKER_DOWN' });
      expect((down[0] as Error).message).toMatch(/^worker \d went down: its handler failed: event 50 throws$/);
      expect(workers.stats()).toEqual({ workers: 2, busy: 0, restarts: 1 });
      expect(server.metrics().failed).toBe(0);
      const { appended, delivered, dropped } = server.metrics();
      expect(appended).toBe(delivered + dropped + server.stats().buffered);
      const { sent, processed, failed } = workers.metrics();
      expect(sent).toBe(processed + failed);
      expect(failed).toBeGreaterThan(0);
    });

    it('fails the batches of a worker that exits, at a server without redelivery', async () => {
      const reports = closeLater(new Reports());
      const serverErrors = errorLog();
      const server = closeLater(new BufferServer<Ev>({ capacity: 1_000, onError: serverErrors.onError }));
      const workers = pool({ size: 1, maxDemand: 10, onError: () => undefined });
      workers.attach(server);
      server.append(events(reports, 40, (id) => (id === 15 ? { action: 'exit', once: onceFlag() } : {})));
      await serverErrors.until((errors) => errors.length > 0);
      await server.onIdle();
      const failure = serverErrors.errors[0] as DeliveryError<Ev>;
      expect(failure).toBeInstanceOf(DeliveryError);
      expect(failure.cause).toBeInstanceOf(WorkerDownError);
      expect((failure.cause as WorkerDownError).reason).toBe('exited');
      expect((failure.cause as Error).message).toContain('exited with code 3');
      expect(failure.events.map((event) => event.id)).toContain(15);
      const { appended, delivered, failed } = server.metrics();
      expect(appended).toBe(delivered + failed);
      expect(failed).toBe(workers.metrics().failed);
      expect(workers.metrics().sent).toBe(workers.metrics().processed + workers.metrics().failed);
      expect(workers.stats().restarts).toBe(1);
    });

    it('takes a worker down on an exception thrown outside its handler', async () => {
      const reports = closeLater(new Reports());
      const log = errorLog();
      const server = closeLater(new BufferServer<Ev>({ capacity: 100, redeliver: true, onError: () => undefined }));
      const workers = pool({ size: 1, onError: log.onError });
      workers.attach(server);
      server.append(events(reports, 10, (id) => (id === 4 ? { action: 'uncaught', once: onceFlag() } : {})));
      await reports.untilHandled(ids(10));
      const down = log.errors[0] as WorkerDownError;
      expect(down).toMatchObject({ reason: 'exited', message: 'worker 1 went down: its thread failed: event 4 throws outside the handler' });
      expect(workers.stats().restarts).toBe(1);
    });

    it('replaces a worker that runs out of memory under its resourceLimits', async () => {
      const reports = closeLater(new Reports());
      const log = errorLog();
      const server = closeLater(new BufferServer<Ev>({ capacity: 100, redeliver: true, onError: () => undefined }));
      const workers = pool({ size: 1, resourceLimits: { maxOldGenerationSizeMb: 16 }, onError: log.onError });
      workers.attach(server);
      server.append(events(reports, 10, (id) => (id === 3 ? { action: 'oom', once: onceFlag() } : {})));
      await reports.untilHandled(ids(10));
      const down = log.errors.find((error) => error instanceof WorkerDownError) as WorkerDownError;
      expect(down.reason).toBe('exited');
      expect((down.cause as { code?: string }).code).toBe('ERR_WORKER_OUT_OF_MEMORY');
      expect(workers.stats().restarts).toBe(1);
    });

    it('takes a worker that holds batches past batchTimeout as hung', async () => {
      const reports = closeLater(new Reports());
      const log = errorLog();
      const clock = new ManualClock();
      const server = closeLater(new BufferServer<Ev>({ capacity: 100, redeliver: true, onError: () => undefined }));
      const workers = pool({ size: 1, batchTimeout: 1_000, clock, onError: log.onError });
      workers.attach(server);
      server.append(events(reports, 5, (id) => (id === 0 ? { action: 'hang', once: onceFlag() } : {})));
      await reports.until(() => reports.started.has(0));
      clock.advance(999);
      expect(log.errors).toEqual([]);
      clock.advance(1);
      await reports.untilHandled(ids(5));
      expect(log.errors[0]).toMatchObject({ reason: 'timeout', message: 'worker 1 went down: it held 5 events for 1000 ms without finishing a batch' });
    });

    it('stops replacing workers past maxRestarts within restartWindow', async () => {
      const log = errorLog();
      const workers = pool({ filename: fixture('load-failure.mjs'), size: 1, maxRestarts: 2, onError: log.onError });
      await log.until((errors) => errors.some((error) => error instanceof RestartLimitError));
      const limit = log.errors.find((error) => error instanceof RestartLimitError) as RestartLimitError;
      expect(limit.message).toBe('3 workers went down within 10000 ms, more than maxRestarts allows: the pool stops replacing them');
      expect((limit.cause as Error).message).toBe('worker 3 went down: its handler module failed to load: this module cannot load');
      expect(log.errors.filter((error) => error instanceof WorkerDownError)).toHaveLength(3);
      expect(workers.stats()).toEqual({ workers: 0, busy: 0, restarts: 2 });
    });

    it('says what is wrong with a module that has no default export', async () => {
      const log = errorLog();
      pool({ filename: fixture('no-default.mjs'), size: 1, maxRestarts: 0, onError: log.onError });
      await log.until((errors) => errors.length >= 2);
      expect((log.errors[0] as Error).message).toMatch(/must default-export the handler, a function \(events\) => void \| Promise<void>; its default export is undefined$/);
      expect(log.errors[1]).toBeInstanceOf(RestartLimitError);
    });
  });

  describe('sending', () => {
    it('sends the events that can be copied and hands the others to onError, naming the first', async () => {
      const reports = closeLater(new Reports());
      const log = errorLog();
      const server = closeLater(new BufferServer<Ev>({ capacity: 100 }));
      const workers = pool({ size: 1, onError: log.onError });
      workers.attach(server);
      await until(() => server.stats().demand > 0);
      const batch = events(reports, 3);
      (batch[1] as Ev).callback = () => undefined;
      server.append(batch);
      await reports.untilHandled([0, 2]);
      await server.onIdle();
      const error = log.errors[0] as WorkerCloneError<Ev>;
      expect(error).toBeInstanceOf(WorkerCloneError);
      expect(error.events).toEqual([batch[1]]);
      expect(error.message).toMatch(/^1 event could not be sent to a worker \(the first: event 1 of the batch, an object: .*could not be cloned.*\); the other 2 of the batch were sent$/);
      expect(reports.handled.has(1)).toBe(false);
      expect(workers.metrics()).toEqual({ sent: 2, processed: 2, failed: 0, uncloneable: 1 });
      expect(server.metrics()).toEqual({ appended: 3, dropped: 0, delivered: 3, failed: 0 });
      // The worker asked again for the event it never got.
      expect(server.stats().demand).toBe(100);
    });

    it('transfers what options.transfer picks instead of copying it', async () => {
      const reports = closeLater(new Reports());
      const server = closeLater(new BufferServer<Ev>({ capacity: 100 }));
      const workers = pool({ size: 1, transfer: (batch) => batch.map((event) => event.buffer as ArrayBuffer) });
      workers.attach(server);
      const batch = events(reports, 4, () => ({ buffer: new ArrayBuffer(64) }));
      server.append(batch);
      await reports.untilHandled(ids(4));
      expect([...reports.bytes.values()]).toEqual([64, 64, 64, 64]);
      expect(batch.map((event) => (event.buffer as ArrayBuffer).byteLength)).toEqual([0, 0, 0, 0]);
    });
  });

  it('does not send again a buffer it transferred before, handing the redelivered batch to onError', async () => {
    const reports = closeLater(new Reports());
    const log = errorLog();
    const server = closeLater(new BufferServer<Ev>({ capacity: 100, redeliver: true, onError: () => undefined }));
    const workers = pool({ size: 1, onError: log.onError, transfer: (batch) => batch.map((event) => event.buffer as ArrayBuffer) });
    workers.attach(server);
    await until(() => server.stats().demand > 0);
    const once = onceFlag();
    server.append(events(reports, 3, (id) => ({ buffer: new ArrayBuffer(8), ...(id === 1 ? { action: 'throw', once } : {}) })));
    await log.until((errors) => errors.some((error) => error instanceof WorkerCloneError));
    await server.onIdle();
    const error = log.errors.find((e) => e instanceof WorkerCloneError) as WorkerCloneError<Ev>;
    expect(error.events.map((event) => event.id)).toEqual([0, 1, 2]);
    expect((error.cause as Error).message).toBe(
      'it holds a buffer that was transferred to a worker before (a batch sent again after a failure): its content is gone',
    );
    expect(workers.metrics()).toEqual({ sent: 3, processed: 0, failed: 3, uncloneable: 3 });
    expect(server.metrics()).toEqual({ appended: 3, dropped: 0, delivered: 3, failed: 0 });
  });

  it('hands a batch to onError when options.transfer throws, and keeps the worker', async () => {
    const reports = closeLater(new Reports());
    const log = errorLog();
    const server = closeLater(new BufferServer<Ev>({ capacity: 100 }));
    let calls = 0;
    const workers = pool({
      size: 1,
      onError: log.onError,
      transfer: () => {
        calls++;
        if (calls === 1) throw new Error('no transfer list today');
        return [];
      },
    });
    workers.attach(server);
    await until(() => server.stats().demand > 0);
    server.append(events(reports, 2));
    server.append([{ run: reports.run, id: 2 }]);
    await reports.untilHandled([2]);
    await server.onIdle();
    const error = log.errors[0] as WorkerCloneError<Ev>;
    expect(error.message).toBe('2 events could not be sent to a worker (the first: the batch as a whole); nothing of the batch was sent');
    expect((error.cause as Error).message).toBe('no transfer list today');
    expect(workers.metrics()).toEqual({ sent: 1, processed: 1, failed: 0, uncloneable: 2 });
    expect(workers.stats().restarts).toBe(0);
  });

  it('lets the server close while workers hold batches: it waits for them, then the workers idle', async () => {
    const reports = closeLater(new Reports());
    const server = new BufferServer<Ev>({ capacity: 100 });
    const workers = pool({ size: 2, maxDemand: 5 });
    workers.attach(server);
    await until(() => server.stats().demand === 10);
    server.append(events(reports, 10, () => ({ action: 'wait', ms: 2 })));
    await server.close();
    expect(server.metrics()).toEqual({ appended: 10, dropped: 0, delivered: 10, failed: 0 });
    await reports.untilHandled(ids(10));
    expect(workers.stats()).toEqual({ workers: 2, busy: 0, restarts: 0 });
  });

  describe('close', () => {
    it('waits for the batches the workers hold, then ends every thread', async () => {
      const reports = closeLater(new Reports());
      const server = closeLater(new BufferServer<Ev>({ capacity: 100 }));
      const workers = new WorkerPool<Ev>({ filename: scripted, size: 2, maxDemand: 5 });
      workers.attach(server);
      await until(() => server.stats().demand === 10);
      server.append(events(reports, 30, () => ({ action: 'wait', ms: 2 })));
      const closing = workers.close();
      expect(workers.close()).toBe(closing);
      await closing;
      // What the workers held was finished; the rest stays in the server for someone else.
      expect([...reports.handled.keys()].sort((a, b) => a - b)).toEqual(ids(10));
      expect(server.stats()).toEqual({ buffered: 20, subscribed: 0, demand: 0 });
      expect(workers.stats()).toEqual({ workers: 0, busy: 0, restarts: 0 });
      expect(() => workers.attach(server)).toThrow(BufferClosedError);
    });

    it('ends the threads at once on abort, failing what they held at the server', async () => {
      const reports = closeLater(new Reports());
      const server = closeLater(new BufferServer<Ev>({ capacity: 100, onError: () => undefined }));
      const workers = new WorkerPool<Ev>({ filename: scripted, size: 1, maxDemand: 4, onError: () => undefined });
      workers.attach(server);
      server.append(events(reports, 4, () => ({ action: 'hang' })));
      await reports.until(() => reports.started.size === 1);
      const controller = new AbortController();
      const closing = workers.close({ signal: controller.signal });
      controller.abort(new Error('shutting down'));
      await expect(closing).rejects.toThrow('shutting down');
      await server.onIdle();
      expect(server.metrics()).toEqual({ appended: 4, dropped: 0, delivered: 0, failed: 4 });
      expect(workers.metrics()).toEqual({ sent: 4, processed: 0, failed: 4, uncloneable: 0 });
      await expect(workers.close()).resolves.toBeUndefined();
    });

    it.each([
      ['after finishing the work', [], { appended: 200, dropped: 0, delivered: 200, failed: 0 }],
      ['after an abort while the workers hang', ['--abort'], { appended: 200, dropped: 0, delivered: 0, failed: 200 }],
    ])('leaves no thread running %s: the process exits by itself', async (_, flags, books) => {
      const script = fileURLToPath(new URL('./test/fixtures/close-and-exit.ts', import.meta.url));
      const { stdout } = await run(process.execPath, ['--conditions=@dispenser/source', '--import', 'tsx', script, ...flags], {
        timeout: 60_000,
      });
      const { server, pool, stats } = JSON.parse(stdout) as { server: unknown; pool: { sent: number; processed: number; failed: number }; stats: unknown };
      expect(server).toEqual(books);
      expect(pool.sent).toBe(pool.processed + pool.failed);
      expect(stats).toEqual({ workers: 0, busy: 0, restarts: 0 });
    });

    it('closes through await using', async () => {
      const server = closeLater(new BufferServer<Ev>({ capacity: 10 }));
      let seen: WorkerPool<Ev> | undefined;
      {
        await using workers = new WorkerPool<Ev>({ filename: scripted, size: 1 });
        workers.attach(server);
        seen = workers;
      }
      expect(seen.stats().workers).toBe(0);
    });
  });

  describe('with bad arguments', () => {
    it.each([
      [{}, TypeError, 'options.filename must be a path or a URL, received undefined'],
      [{ filename: '' }, RangeError, 'options.filename must not be empty'],
      [{ filename: 'w.js' }, TypeError, 'options.size must be a safe integer >= 1, received undefined'],
      [{ filename: 'w.js', size: 0 }, RangeError, 'options.size must be a safe integer >= 1, received 0 (number)'],
      [{ filename: 'w.js', size: 1, maxDemand: 1.5 }, RangeError, 'options.maxDemand must be a safe integer >= 1, received 1.5 (number)'],
      [{ filename: 'w.js', size: 1, maxRestarts: -1 }, RangeError, 'options.maxRestarts must be a safe integer >= 0, received -1 (number)'],
      [{ filename: 'w.js', size: 1, restartWindow: 0 }, RangeError, 'options.restartWindow must be a number > 0, received 0 (number)'],
      [{ filename: 'w.js', size: 1, batchTimeout: '1s' }, TypeError, 'options.batchTimeout must be a number > 0, received "1s"'],
      [{ filename: 'w.js', size: 1, resourceLimits: { heapMb: 1 } }, TypeError, 'options.resourceLimits has unknown key "heapMb"'],
      [{ filename: 'w.js', size: 1, execArgv: [1] }, TypeError, 'options.execArgv must be an array of strings, received an array'],
      [{ filename: 'w.js', size: 1, transfer: true }, TypeError, 'options.transfer must be a function, received true (boolean)'],
      [{ filename: 'w.js', size: 1, sizes: 2 }, TypeError, 'options has unknown key "sizes"'],
    ])('rejects %j', (options, kind, message) => {
      const attempt = () => new WorkerPool(options as unknown as WorkerPoolOptions<Ev>);
      expect(attempt).toThrow(kind);
      expect(attempt).toThrow(message);
    });

    it('rejects a server without ask and unsubscribe, and a second server', () => {
      const workers = pool({ size: 1 });
      expect(() => workers.attach({} as never)).toThrow(new TypeError('server.ask must be a function, received undefined'));
      const server = closeLater(new BufferServer<Ev>({ capacity: 10 }));
      workers.attach(server);
      expect(() => workers.attach(server)).toThrow('the pool is attached to a server already; a pool serves one server');
    });

    it('rejects bad close options without closing', async () => {
      const workers = pool({ size: 1 });
      await expect(workers.close({ signal: 'now' } as never)).rejects.toThrow(TypeError);
      expect(workers.stats().workers).toBe(1);
    });
  });
});

/** Resolves once `condition()` holds, checked on each turn of the event loop. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise<void>((resolve) => setImmediate(() => resolve()));
}

/**
 * A server that hands out queued events only within the demand asked, and records the most
 * events a subscriber ever held (handed out, handler not settled).
 */
class RecordingServer<E> {
  highest = 0;
  handedOut = 0;
  readonly #demand = new Map<Subscriber<E>, number>();
  readonly #held = new Map<Subscriber<E>, number>();
  readonly #queue: E[] = [];

  ask(subscriber: Subscriber<E>, amount: number): void {
    this.#demand.set(subscriber, (this.#demand.get(subscriber) ?? 0) + amount);
    this.#serve();
  }

  unsubscribe(subscriber: Subscriber<E>): boolean {
    return this.#demand.delete(subscriber);
  }

  queue(events: E[]): void {
    this.#queue.push(...events);
    this.#serve();
  }

  #serve(): void {
    for (const subscriber of this.#demand.keys()) {
      for (;;) {
        const demand = this.#demand.get(subscriber) ?? 0;
        const count = Math.min(demand, this.#queue.length, 3);
        if (count === 0) break;
        const batch = this.#queue.splice(0, count);
        this.#demand.set(subscriber, demand - count);
        const held = (this.#held.get(subscriber) ?? 0) + count;
        this.#held.set(subscriber, held);
        this.highest = Math.max(this.highest, held);
        this.handedOut += count;
        void Promise.resolve(subscriber.handleAssignedEvents(batch, this)).then(() => {
          this.#held.set(subscriber, (this.#held.get(subscriber) ?? 0) - count);
          this.#serve();
        });
      }
    }
  }
}
