import { fc, test } from '@fast-check/vitest';
import { EventBuffer, type DropStrategy, type Subscriber } from '@dispenser/core';
import { createEven, createGreedy } from '@dispenser/strategies';
import { expect } from 'vitest';
import { BatchingBufferServer } from './batching-buffer-server';
import { BufferServer } from './buffer-server';
import { DeliveryError } from './errors';

/** What a probe does with one of the next batches it is handed. */
type Step =
  | { kind: 'throw' }
  | { kind: 'reject' }
  | { kind: 'append'; count: number }
  | { kind: 'ask'; amount: number }
  | { kind: 'unsubscribe'; other: number }
  | { kind: 'crash'; other: number };

type Command =
  | { kind: 'append'; count: number }
  | { kind: 'write'; count: number }
  | { kind: 'ask'; who: number; amount: number }
  | { kind: 'unsubscribe'; who: number }
  | { kind: 'crash'; who: number }
  | { kind: 'script'; who: number; step: Step }
  | { kind: 'subscribe'; maxDemand: number }
  | { kind: 'take'; which: number }
  | { kind: 'break'; which: number }
  | { kind: 'tick' }
  | { kind: 'flush' };

const who = fc.nat(3);
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.constant({ kind: 'throw' as const }),
  fc.constant({ kind: 'reject' as const }),
  fc.record({ kind: fc.constant('append' as const), count: fc.nat(4) }),
  fc.record({ kind: fc.constant('ask' as const), amount: fc.nat(4) }),
  fc.record({ kind: fc.constant('unsubscribe' as const), other: who }),
  fc.record({ kind: fc.constant('crash' as const), other: who }),
);
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('append' as const), count: fc.nat(6) }),
  fc.record({ kind: fc.constant('write' as const), count: fc.nat(6) }),
  fc.record({ kind: fc.constant('ask' as const), who, amount: fc.nat(6) }),
  fc.record({ kind: fc.constant('unsubscribe' as const), who }),
  fc.record({ kind: fc.constant('crash' as const), who }),
  fc.record({ kind: fc.constant('script' as const), who, step }),
  fc.record({ kind: fc.constant('subscribe' as const), maxDemand: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ kind: fc.constant('take' as const), which: fc.nat(2) }),
  fc.record({ kind: fc.constant('break' as const), which: fc.nat(2) }),
  fc.constant({ kind: 'tick' as const }),
  fc.constant({ kind: 'flush' as const }),
);

/** A consumer of a Subscription, driven one step at a time. */
interface Consumer {
  readonly iterator: AsyncIterator<number[]>;
  readonly seen: number[];
}

/** A subscriber that records what it accepted and follows a script of failures and re-entrant calls. */
class Probe implements Subscriber<number> {
  readonly controller = new AbortController();
  readonly signal = this.controller.signal;
  readonly accepted: number[] = [];
  readonly script: Step[] = [];
  constructor(private readonly world: World) {}

  handleAssignedEvents(events: number[]): void | Promise<void> {
    const next = this.script.shift();
    if (next?.kind === 'throw') throw new Error('scripted throw');
    if (next?.kind === 'reject') return Promise.reject(new Error('scripted rejection'));
    for (const event of events) this.accepted.push(event);
    if (next !== undefined) this.world.perform(this, next);
  }
}

/** The server under test plus everything the test needs to know about what went in and out. */
class World {
  readonly probes: Probe[];
  readonly retired: Probe[] = [];
  readonly failed: number[] = [];
  readonly appended: number[] = [];
  readonly consumers: Consumer[] = [];
  /** Set once events may legitimately reach a subscriber after newer ones (given back or redelivered). */
  reordered = false;
  next = 0;

  constructor(
    readonly server: BufferServer<number> | BatchingBufferServer<number>,
    readonly flush: () => void,
  ) {
    this.probes = Array.from({ length: 4 }, () => new Probe(this));
  }

  append(count: number): void {
    const events = Array.from({ length: count }, () => this.next++);
    this.appended.push(...events);
    this.server.append(events);
  }

  write(count: number): void {
    const events = Array.from({ length: count }, () => this.next++);
    let accepted = 0;
    const take = (total: number): void => {
      this.appended.push(...events.slice(accepted, total));
      accepted = total;
    };
    this.server.write(events, { onAccepted: take }).catch(() => undefined);
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
    else if (action.kind === 'ask') this.server.ask(self, action.amount);
    else if (action.kind === 'unsubscribe') this.server.unsubscribe(this.probes[action.other] as Probe);
    else if (action.kind === 'crash') this.crash(action.other);
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
    fc.array(command, { maxLength: 40 }),
    fc.integer(),
  ],
  { numRuns: 300 },
)(
  'BufferServer delivers every event at most once, in order per subscriber, and loses none but counted drops and reported failures',
  async (strategyName, dropStrategy, capacity, batching, redeliver, commands, seed) => {
    let state = seed >>> 0;
    const random = (): number => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 2 ** 32;
    };
    const buffer = new EventBuffer<number, Subscriber<number>>({ strategy: strategies[strategyName]({ random }), capacity, dropStrategy });
    const reported: DeliveryError<number>[] = [];
    const onError = (error: unknown): void => {
      expect(error).toBeInstanceOf(DeliveryError);
      reported.push(error as DeliveryError<number>);
    };
    const timers: Array<() => void> = [];
    const clock = {
      now: () => 0,
      setTimeout: (fn: () => void) => timers.push(fn),
      clearTimeout: () => undefined,
    };
    const server = batching
      ? new BatchingBufferServer<number>({ buffer, batchSize: 3, maxDelay: 10, clock, redeliver, onError })
      : new BufferServer<number>({ buffer, redeliver, onError });
    const world = new World(server, () => timers.splice(0).forEach((fire) => fire()));

    for (const action of commands) {
      switch (action.kind) {
        case 'append':
          world.append(action.count);
          break;
        case 'write':
          world.write(action.count);
          break;
        case 'ask':
          server.ask(world.probes[action.who] as Probe, action.amount);
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
        case 'subscribe':
          world.consumers.push({ iterator: server.subscribe({ maxDemand: action.maxDemand })[Symbol.asyncIterator](), seen: [] });
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
        case 'tick':
          await settle();
          break;
        case 'flush':
          world.flush();
          break;
      }
      const { buffered, demand } = server.stats();
      if (!batching) expect(buffered === 0 || demand === 0).toBe(true);
    }

    await server.close();
    await settle();
    // Subscriptions end after the batches they hold: let every consumer read to the end.
    for (const consumer of world.consumers) {
      for (;;) {
        const result = await consumer.iterator.next().catch(() => ({ done: true as const, value: undefined }));
        if (result.done === true) break;
        consumer.seen.push(...result.value);
      }
    }
    // What is still buffered after close: take it straight from the buffer.
    const collector: Subscriber<number> = { handleAssignedEvents: () => undefined };
    buffer.ask(collector, Number.MAX_SAFE_INTEGER - buffer.stats().demand);
    const remaining = buffer.assignEvents().flatMap(([, events]) => events);

    const probes = [...world.probes, ...world.retired];
    const streams = [...probes.map((probe) => probe.accepted), ...world.consumers.map((consumer) => consumer.seen)];
    const delivered = streams.flat();
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
    const accounted = [...delivered, ...lost, ...remaining];
    // Nothing delivered twice, nothing both delivered and failed or still buffered.
    expect(new Set(accounted).size).toBe(accounted.length);
    // Everything accounted for came in; the rest of what came in is exactly the counted drops.
    const appended = new Set(world.appended);
    for (const event of accounted) expect(appended.has(event)).toBe(true);
    const metrics = server.metrics();
    expect(metrics.appended).toBe(world.appended.length);
    expect(metrics.delivered).toBe(delivered.length);
    expect(world.appended.length - accounted.length).toBe(metrics.dropped);
  },
);
