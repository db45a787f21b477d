// A model of BufferServer under random faults: the books balance after every command.
import { fc, test } from '@fast-check/vitest';
import { BufferClosedError, EventBuffer, type DropStrategy, type Subscriber } from '@dispenser/core';
import { createEven, createGreedy } from '@dispenser/strategies';
import { expect } from 'vitest';
import { BatchingBufferServer } from './batching-buffer-server';
import { BufferServer } from './buffer-server';
import { DeliveryError } from './errors';

/** What a probe does with one of the next batches it is handed. */
type Step =
  | { kind: 'throw' }
  | { kind: 'reject' }
  | { kind: 'late' }
  | { kind: 'append'; count: number }
  | { kind: 'ask'; amount: number }
  | { kind: 'unsubscribe'; other: number }
  | { kind: 'crash'; other: number }
  | { kind: 'close' };

type Command =
  | { kind: 'append'; count: number }
  | { kind: 'write'; count: number; abortable: boolean }
  | { kind: 'abortWrite'; which: number }
  | { kind: 'ask'; who: number; amount: number }
  | { kind: 'unsubscribe'; who: number }
  | { kind: 'crash'; who: number }
  | { kind: 'script'; who: number; step: Step }
  | { kind: 'settle'; which: number; ok: boolean }
  | { kind: 'subscribe'; maxDemand: number }
  | { kind: 'take'; which: number }
  | { kind: 'break'; which: number }
  | { kind: 'close'; abort: boolean }
  | { kind: 'tick' }
  | { kind: 'flush' };

const who = fc.nat(3);
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.constant({ kind: 'throw' as const }),
  fc.constant({ kind: 'reject' as const }),
  fc.constant({ kind: 'late' as const }),
  fc.record({ kind: fc.constant('append' as const), count: fc.nat(4) }),
  fc.record({ kind: fc.constant('ask' as const), amount: fc.nat(4) }),
  fc.record({ kind: fc.constant('unsubscribe' as const), other: who }),
  fc.record({ kind: fc.constant('crash' as const), other: who }),
  { arbitrary: fc.constant({ kind: 'close' as const }), weight: 1 },
);
const command: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('append' as const), count: fc.nat(6) }), weight: 3 },
  fc.record({ kind: fc.constant('write' as const), count: fc.nat(6), abortable: fc.boolean() }),
  fc.record({ kind: fc.constant('abortWrite' as const), which: fc.nat(3) }),
  { arbitrary: fc.record({ kind: fc.constant('ask' as const), who, amount: fc.nat(6) }), weight: 3 },
  fc.record({ kind: fc.constant('unsubscribe' as const), who }),
  fc.record({ kind: fc.constant('crash' as const), who }),
  { arbitrary: fc.record({ kind: fc.constant('script' as const), who, step }), weight: 3 },
  fc.record({ kind: fc.constant('settle' as const), which: fc.nat(4), ok: fc.boolean() }),
  fc.record({ kind: fc.constant('subscribe' as const), maxDemand: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ kind: fc.constant('take' as const), which: fc.nat(2) }),
  fc.record({ kind: fc.constant('break' as const), which: fc.nat(2) }),
  fc.record({ kind: fc.constant('close' as const), abort: fc.boolean() }),
  fc.constant({ kind: 'tick' as const }),
  fc.constant({ kind: 'flush' as const }),
);

/** A handler promise a probe returned and the test settles later. */
interface Late {
  readonly events: number[];
  readonly probe: Probe;
  resolve(): void;
  reject(error: unknown): void;
  /** Settled by the test, or given up by an aborted close. */
  done: boolean;
}

/** A consumer of a Subscription, driven one step at a time. */
interface Consumer {
  readonly iterator: AsyncIterator<number[]>;
  readonly seen: number[];
}

/** A subscriber that records what it accepted and follows a script of failures and re-entrant calls. */
class Probe implements Subscriber<number> {
  readonly controller = new AbortController();
  readonly signal = this.controller.signal;
  /** Events it took (its handler returned, or its promise resolved). */
  readonly accepted: number[] = [];
  /** Every event it was handed, in the order the server handed them over. */
  readonly received: number[] = [];
  readonly script: Step[] = [];
  constructor(private readonly world: World) {}

  handleAssignedEvents(events: number[]): void | Promise<void> {
    for (const event of events) this.received.push(event);
    const next = this.script.shift();
    if (next?.kind === 'throw') throw new Error('scripted throw');
    if (next?.kind === 'reject') {
      this.world.promised.push(...events);
      return Promise.reject(new Error('scripted rejection'));
    }
    if (next?.kind === 'late') {
      this.world.promised.push(...events);
      return this.world.late(this, events);
    }
    for (const event of events) this.accepted.push(event);
    if (next !== undefined) this.world.perform(this, next);
  }
}

/** The server under test plus everything the test needs to know about what went in and out. */
class World {
  readonly probes: Probe[];
  readonly retired: Probe[] = [];
  readonly appended: number[] = [];
  readonly consumers: Consumer[] = [];
  readonly lates: Late[] = [];
  readonly writes: AbortController[] = [];
  /** Events handed to a handler that returned a promise (an aborted close may give up on them). */
  readonly promised: number[] = [];
  /** Set once events may legitimately reach a subscriber after newer ones (given back or redelivered). */
  reordered = false;
  closing: Promise<void> | undefined;
  closeAborted = false;
  next = 0;

  constructor(
    readonly server: BufferServer<number> | BatchingBufferServer<number>,
    readonly flush: () => void,
  ) {
    this.probes = Array.from({ length: 4 }, () => new Probe(this));
  }

  /** Runs a call that throws `BufferClosedError` once the server is closed (and nothing else). */
  guard(call: () => void): void {
    try {
      call();
    } catch (error) {
      expect(error).toBeInstanceOf(BufferClosedError);
    }
  }

  append(count: number): void {
    const events = Array.from({ length: count }, () => this.next++);
    // Recorded before the call: handlers it runs may append too, and those come after.
    const at = this.appended.length;
    this.appended.push(...events);
    try {
      this.server.append(events);
    } catch (error) {
      expect(error).toBeInstanceOf(BufferClosedError);
      this.appended.splice(at, events.length);
    }
  }

  write(count: number, abortable: boolean): void {
    const events = Array.from({ length: count }, () => this.next++);
    let accepted = 0;
    const take = (total: number): void => {
      this.appended.push(...events.slice(accepted, total));
      accepted = total;
    };
    const controller = new AbortController();
    if (abortable) this.writes.push(controller);
    this.server.write(events, { onAccepted: take, signal: controller.signal }).catch(() => undefined);
  }

  late(probe: Probe, events: number[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const late: Late = {
        events,
        probe,
        done: false,
        resolve: () => {
          late.done = true;
          probe.accepted.push(...events);
          resolve();
        },
        reject: (error) => {
          late.done = true;
          reject(error);
        },
      };
      this.lates.push(late);
    });
  }

  close(abort: boolean): void {
    const controller = new AbortController();
    const closing = this.server.close({ signal: controller.signal });
    if (this.closing !== undefined) expect(closing).toBe(this.closing);
    this.closing = closing;
    closing.catch(() => undefined);
    if (abort) {
      // What is still pending when the close gives up counts as failed (or goes back): a late
      // handler settled afterwards must not count as accepted.
      const pending = this.lates.filter((late) => !late.done);
      controller.abort(new Error('stop waiting'));
      void closing.then(
        () => undefined,
        () => {
          this.closeAborted = true;
          for (const late of pending) late.done = true;
        },
      );
    }
  }

  take(consumer: Consumer): void {
    consumer.iterator.next().then(
      (result) => {
        if (result.done !== true) consumer.seen.push(...result.value);
      },
      () => undefined,
    );
  }

  crash(index: number): void {
    const probe = this.probes[index] as Probe;
    probe.controller.abort(new Error('crashed'));
    this.retired.push(probe);
    this.probes[index] = new Probe(this);
  }

  perform(self: Probe, action: Step): void {
    if (action.kind === 'append') this.append(action.count);
    else if (action.kind === 'ask') this.guard(() => this.server.ask(self, action.amount));
    else if (action.kind === 'unsubscribe') this.server.unsubscribe(this.probes[action.other] as Probe);
    else if (action.kind === 'crash') this.crash(action.other);
    else if (action.kind === 'close') this.close(false);
  }
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

const strategies = { even: createEven, greedy: createGreedy };

test.prop(
  [
    fc.constantFrom<keyof typeof strategies>('even', 'greedy'),
    fc.constantFrom<DropStrategy>('drop-newest', 'drop-oldest'),
    fc.integer({ min: 1, max: 8 }),
    fc.boolean(),
    fc.boolean(),
    fc.array(command, { maxLength: 30 }),
    fc.integer(),
  ],
  { numRuns: 10_000, timeout: 1_000 },
)(
  'BufferServer keeps appended = delivered + dropped + failed + buffered after every command, delivers each event at most once and in order, and loses none but counted drops and failures',
  async (strategyName, dropStrategy, capacity, batching, redeliver, commands, seed) => {
    let state = seed >>> 0;
    const random = (): number => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 2 ** 32;
    };
    const buffer = new EventBuffer<number, Subscriber<number>>({ strategy: strategies[strategyName]({ random }), capacity, dropStrategy });
    const reported: DeliveryError<number>[] = [];
    const dropped: number[] = [];
    const onError = (error: unknown): void => {
      expect(error).toBeInstanceOf(DeliveryError);
      reported.push(error as DeliveryError<number>);
    };
    const onDrop = (events: number[]): void => void dropped.push(...events);
    const timers: Array<() => void> = [];
    const clock = {
      now: () => 0,
      setTimeout: (fn: () => void) => timers.push(fn),
      clearTimeout: () => undefined,
    };
    const server = batching
      ? new BatchingBufferServer<number>({ buffer, batchSize: 3, maxDelay: 10, clock, redeliver, onError, onDrop })
      : new BufferServer<number>({ buffer, redeliver, onError, onDrop });
    const world = new World(server, () => timers.splice(0).forEach((fire) => fire()));
    const books = (): void => {
      const metrics = server.metrics();
      expect(metrics.appended).toBe(world.appended.length);
      expect(metrics.appended).toBe(metrics.delivered + metrics.dropped + metrics.failed + server.stats().buffered);
      expect(metrics.dropped).toBe(dropped.length);
    };

    for (const action of commands) {
      switch (action.kind) {
        case 'append':
          world.append(action.count);
          break;
        case 'write':
          world.write(action.count, action.abortable);
          break;
        case 'abortWrite':
          world.writes[action.which]?.abort(new Error('write aborted'));
          break;
        case 'ask':
          world.guard(() => server.ask(world.probes[action.who] as Probe, action.amount));
          break;
        case 'unsubscribe':
          server.unsubscribe(world.probes[action.who] as Probe);
          break;
        case 'crash':
          world.crash(action.who);
          break;
        case 'script':
          (world.probes[action.who] as Probe).script.push(action.step);
          break;
        case 'settle': {
          const late = world.lates.filter((candidate) => !candidate.done)[action.which];
          if (late !== undefined) {
            if (action.ok) late.resolve();
            else late.reject(new Error('late rejection'));
          }
          await settle();
          break;
        }
        case 'subscribe':
          world.guard(() =>
            world.consumers.push({ iterator: server.subscribe({ maxDemand: action.maxDemand })[Symbol.asyncIterator](), seen: [] }),
          );
          break;
        case 'take': {
          const consumer = world.consumers[action.which];
          if (consumer !== undefined) world.take(consumer);
          break;
        }
        case 'break': {
          const consumer = world.consumers[action.which];
          if (consumer !== undefined) {
            world.reordered = true;
            void consumer.iterator.return?.();
          }
          break;
        }
        case 'close':
          world.close(action.abort);
          await settle();
          break;
        case 'tick':
          await settle();
          break;
        case 'flush':
          world.flush();
          break;
      }
      books();
      const { buffered, demand } = server.stats();
      if (!batching && world.closing === undefined) expect(buffered === 0 || demand === 0).toBe(true);
    }

    // Finish: close, settle every late handler (the final round may add some), and let every
    // consumer read to the end.
    let closed = false;
    server.close().then(
      () => (closed = true),
      () => (closed = true),
    );
    for (let round = 0; round < 20 && !closed; round++) {
      for (const late of world.lates) if (!late.done) late.resolve();
      await settle();
    }
    expect(closed).toBe(true);
    books();
    for (const consumer of world.consumers) {
      for (;;) {
        const result = await consumer.iterator.next().catch(() => ({ done: true as const, value: undefined }));
        if (result.done === true) break;
        consumer.seen.push(...result.value);
      }
    }
    books();
    // What is still buffered after close: take it straight from the buffer.
    const collector: Subscriber<number> = { handleAssignedEvents: () => undefined };
    buffer.ask(collector, Number.MAX_SAFE_INTEGER - buffer.stats().demand);
    const remaining = buffer.assignEvents().flatMap(([, events]) => events);

    const probes = [...world.probes, ...world.retired];
    const streams = [...probes.map((probe) => probe.received), ...world.consumers.map((consumer) => consumer.seen)];
    const delivered = [...probes.flatMap((probe) => probe.accepted), ...world.consumers.flatMap((consumer) => consumer.seen)];
    if (!redeliver && !world.reordered) {
      // FIFO per subscriber: what each one accepted came in the order the server accepted it
      // (a waiting write's events are accepted after appends made while it waited).
      const position = new Map(world.appended.map((event, index) => [event, index]));
      for (const stream of streams) {
        const order = stream.map((event) => position.get(event) ?? -1);
        expect(order).toEqual([...order].sort((a, b) => a - b));
      }
    }
    const lost = reported.filter((error) => !error.redelivered).flatMap((error) => error.events);
    if (redeliver) expect(lost).toEqual([]);
    const accounted = [...delivered, ...lost, ...remaining, ...dropped];
    // Nothing delivered twice, nothing both delivered and failed, dropped or still buffered.
    expect(new Set(accounted).size).toBe(accounted.length);
    for (const event of accounted) expect(world.appended).toContain(event);
    // The rest is what an aborted close gave up on: handler promises still pending, counted as
    // failed without a report (with redeliver they went back to the buffer instead).
    const accountedSet = new Set(accounted);
    const abandoned = world.appended.filter((event) => !accountedSet.has(event));
    if (abandoned.length > 0) {
      expect([world.closeAborted, redeliver]).toEqual([true, false]);
      for (const event of abandoned) expect(world.promised).toContain(event);
    }
    const metrics = server.metrics();
    expect(metrics.delivered).toBe(delivered.length);
    expect(metrics.failed).toBe(lost.length + abandoned.length);
  },
  // 10,000 runs take several seconds; each run has its own 1 s limit (a hang is a counterexample).
  120_000,
);
