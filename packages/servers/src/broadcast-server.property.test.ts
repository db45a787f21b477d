// BroadcastServer against a model with one array per subscriber, and its books under re-entrant faults.
import { fc, test } from '@fast-check/vitest';
import type { DropStrategy, Subscriber } from '@dispenser/core';
import { expect } from 'vitest';
import { BroadcastServer } from './broadcast-server';

/** What one subscriber holds in the model: everything it has not received, oldest first. */
interface ModelReader {
  held: number[];
  demand: number;
  received: number[];
  dropped: number;
  failed: number;
  readonly capacity: number;
  readonly dropStrategy: DropStrategy;
}

/** The obvious implementation: every subscriber keeps its own array. */
class Model {
  readonly readers = new Map<number, ModelReader>();
  readonly history: number[] = [];

  constructor(
    readonly capacity: number,
    readonly dropStrategy: DropStrategy,
    readonly replay: number,
  ) {}

  append(events: number[]): void {
    this.history.push(...events);
    for (const reader of this.readers.values()) {
      reader.held.push(...events);
      this.#serve(reader);
      this.#bound(reader);
    }
  }

  ask(who: number, amount: number, capacity: number | undefined, dropStrategy: DropStrategy | undefined): void {
    let reader = this.readers.get(who);
    if (reader === undefined) {
      if (amount === 0) return;
      reader = {
        held: this.history.slice(Math.max(0, this.history.length - this.replay)),
        demand: 0,
        received: [],
        dropped: 0,
        failed: 0,
        capacity: capacity ?? this.capacity,
        dropStrategy: dropStrategy ?? this.dropStrategy,
      };
      this.readers.set(who, reader);
    }
    reader.demand += amount;
    this.#serve(reader);
    this.#bound(reader);
  }

  leave(who: number): void {
    const reader = this.readers.get(who);
    if (reader === undefined) return;
    reader.dropped += reader.held.length;
    reader.held = [];
    this.readers.delete(who);
  }

  #serve(reader: ModelReader): void {
    const count = Math.min(reader.demand, reader.held.length);
    reader.received.push(...reader.held.splice(0, count));
    reader.demand -= count;
  }

  #bound(reader: ModelReader): void {
    const excess = reader.held.length - reader.capacity;
    if (excess <= 0) return;
    reader.dropped += excess;
    if (reader.dropStrategy === 'drop-oldest') reader.held.splice(0, excess);
    else reader.held.splice(reader.capacity, excess);
  }
}

type Command =
  | { kind: 'append'; count: number }
  | { kind: 'ask'; who: number; amount: number; capacity: number | undefined; dropStrategy: DropStrategy | undefined }
  | { kind: 'leave'; who: number };

const dropStrategy = fc.constantFrom<DropStrategy>('drop-newest', 'drop-oldest');
const command: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('append' as const), count: fc.nat(7) }), weight: 3 },
  {
    arbitrary: fc.record({
      kind: fc.constant('ask' as const),
      who: fc.nat(4),
      amount: fc.nat(6),
      capacity: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
      dropStrategy: fc.option(dropStrategy, { nil: undefined }),
    }),
    weight: 3,
  },
  fc.record({ kind: fc.constant('leave' as const), who: fc.nat(4) }),
);

test.prop([fc.integer({ min: 1, max: 6 }), dropStrategy, fc.nat(4), fc.array(command, { maxLength: 40 })], { numRuns: 1500 })(
  'BroadcastServer hands every subscriber the same events, in the same order, with the same drops as one array per subscriber',
  (capacity, strategy, replay, commands) => {
    const model = new Model(capacity, strategy, replay);
    const server = new BroadcastServer<number>({ capacity, dropStrategy: strategy, replay });
    const subscribers = new Map<number, Subscriber<number> & { received: number[] }>();
    const subscriberOf = (who: number) => {
      let subscriber = subscribers.get(who);
      if (subscriber === undefined) {
        const received: number[] = [];
        subscriber = { received, handleAssignedEvents: (events: number[]) => void received.push(...events) };
        subscribers.set(who, subscriber);
      }
      return subscriber;
    };
    const bounds = new Map<number, string>();
    let next = 0;
    for (const step of commands) {
      if (step.kind === 'append') {
        const events = Array.from({ length: step.count }, () => next++);
        const before = server.metrics().dropped;
        const dropped = server.append(events);
        model.append(events);
        expect(dropped).toBe(server.metrics().dropped - before);
      } else if (step.kind === 'ask') {
        // A subscriber's bound is fixed by its first ask: later asks name none.
        const known = model.readers.has(step.who);
        const bound = known ? undefined : { capacity: step.capacity, dropStrategy: step.dropStrategy };
        const clean = bound === undefined ? undefined : Object.fromEntries(Object.entries(bound).filter(([, v]) => v !== undefined));
        server.ask(subscriberOf(step.who), step.amount, clean);
        model.ask(step.who, step.amount, known ? undefined : step.capacity, known ? undefined : step.dropStrategy);
        if (!known && step.amount > 0) bounds.set(step.who, JSON.stringify(clean));
      } else {
        const subscriber = subscribers.get(step.who);
        expect(server.unsubscribe(subscriber ?? { handleAssignedEvents: () => undefined })).toBe(model.readers.has(step.who));
        model.leave(step.who);
        // A subscriber that left and asks again is a new one.
        subscribers.delete(step.who);
        if (subscriber !== undefined) model.readers.delete(step.who);
      }
      for (const [who, reader] of model.readers) {
        const subscriber = subscriberOf(who);
        expect(subscriber.received).toEqual(reader.received);
        expect(server.subscriberStats(subscriber)).toEqual({
          lag: reader.held.length,
          dropped: reader.dropped,
          delivered: reader.received.length,
          demand: reader.demand,
        });
      }
      const held = new Set([...model.readers.values()].flatMap((reader) => reader.held));
      let demand = 0;
      for (const reader of model.readers.values()) demand += reader.demand;
      expect(server.stats()).toEqual({ buffered: held.size, subscribed: model.readers.size, demand });
    }
  },
);

/** What a probe does with one of the next batches it is handed. */
type Act =
  | { kind: 'take' }
  | { kind: 'throw' }
  | { kind: 'reject' }
  | { kind: 'append'; count: number }
  | { kind: 'ask'; amount: number }
  | { kind: 'leave'; other: number }
  | { kind: 'close' };

type Step =
  | { kind: 'append'; count: number }
  | { kind: 'ask'; who: number; amount: number }
  | { kind: 'leave'; who: number }
  | { kind: 'script'; who: number; act: Act }
  | { kind: 'crash'; who: number }
  | { kind: 'tick' };

const act: fc.Arbitrary<Act> = fc.oneof(
  fc.constant({ kind: 'take' as const }),
  fc.constant({ kind: 'throw' as const }),
  fc.constant({ kind: 'reject' as const }),
  fc.record({ kind: fc.constant('append' as const), count: fc.nat(4) }),
  fc.record({ kind: fc.constant('ask' as const), amount: fc.nat(4) }),
  fc.record({ kind: fc.constant('leave' as const), other: fc.nat(3) }),
  fc.constant({ kind: 'close' as const }),
);
const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('append' as const), count: fc.nat(6) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('ask' as const), who: fc.nat(3), amount: fc.nat(5) }), weight: 3 },
  fc.record({ kind: fc.constant('leave' as const), who: fc.nat(3) }),
  { arbitrary: fc.record({ kind: fc.constant('script' as const), who: fc.nat(3), act }), weight: 2 },
  fc.record({ kind: fc.constant('crash' as const), who: fc.nat(3) }),
  fc.constant({ kind: 'tick' as const }),
);

/** A subscriber that records what it was handed and follows a script of faults and re-entrant calls. */
class Probe implements Subscriber<number> {
  readonly controller = new AbortController();
  readonly signal = this.controller.signal;
  readonly received: number[] = [];
  readonly failed: number[] = [];
  readonly script: Act[] = [];
  /** Whether it has been subscribed: once out again, it stays out (a new probe takes its place). */
  joined = false;
  constructor(readonly act: (probe: Probe, action: Act) => void) {}

  handleAssignedEvents(events: number[]): void | Promise<void> {
    const next = this.script.shift();
    if (next?.kind === 'throw') {
      this.failed.push(...events);
      throw new Error('scripted throw');
    }
    if (next?.kind === 'reject') {
      this.failed.push(...events);
      return Promise.reject(new Error('scripted rejection'));
    }
    this.received.push(...events);
    if (next !== undefined) this.act(this, next);
  }
}

test.prop([fc.integer({ min: 1, max: 6 }), dropStrategy, fc.nat(3), fc.array(step, { maxLength: 40 })], { numRuns: 1000 })(
  'BroadcastServer keeps every subscriber FIFO, never hands an event twice, and balances each one’s books under re-entrant calls, faults and close',
  async (capacity, strategy, replay, steps) => {
    const server = new BroadcastServer<number>({ capacity, dropStrategy: strategy, replay, onError: () => undefined });
    let next = 0;
    const appended: number[] = [];
    const append = (count: number): void => {
      const events = Array.from({ length: count }, () => next++);
      // Recorded before the call: handlers it runs may append too, and those come after.
      const at = appended.length;
      appended.push(...events);
      try {
        server.append(events);
      } catch {
        appended.splice(at, events.length);
        expect(() => server.append([])).toThrow(); // only a closed server refuses
      }
    };
    const probes: Probe[] = [];
    const all: Probe[] = [];
    const ask = (probe: Probe, amount: number): void => {
      // A subscriber that is out (left, failed, went down) would come back as a new one, with
      // replayed events it may have had: the test retires it instead.
      if (probe.joined && server.subscriberStats(probe) === undefined) return;
      try {
        server.ask(probe, amount);
        if (amount > 0) probe.joined = true;
      } catch {
        expect(() => server.ask(probe, 1)).toThrow(); // only a closed server refuses
      }
    };
    const perform = (self: Probe, action: Act): void => {
      if (action.kind === 'append') append(action.count);
      else if (action.kind === 'ask') ask(self, action.amount);
      else if (action.kind === 'leave') server.unsubscribe(probes[action.other] as Probe);
      else if (action.kind === 'close') void server.close();
    };
    for (let i = 0; i < 4; i++) {
      const probe = new Probe(perform);
      probes.push(probe);
      all.push(probe);
    }
    /** A subscribed probe's counters, as the server keeps them. */
    const books = (probe: Probe): void => {
      const stats = server.subscriberStats(probe);
      if (stats === undefined) return;
      // A rejected promise counts as delivered until it settles.
      expect(stats.delivered).toBeGreaterThanOrEqual(probe.received.length);
      expect(stats.delivered).toBeLessThanOrEqual(probe.received.length + probe.failed.length);
      expect(stats.lag).toBeLessThanOrEqual(capacity);
    };
    for (const action of steps) {
      if (action.kind === 'append') append(action.count);
      else if (action.kind === 'ask') ask(probes[action.who] as Probe, action.amount);
      else if (action.kind === 'leave') server.unsubscribe(probes[action.who] as Probe);
      else if (action.kind === 'script') (probes[action.who] as Probe).script.push(action.act);
      else if (action.kind === 'crash') {
        const probe = probes[action.who] as Probe;
        probe.controller.abort(new Error('crashed'));
        probes[action.who] = new Probe(perform);
        all.push(probes[action.who] as Probe);
      } else {
        for (let i = 0; i < 3; i++) await Promise.resolve();
      }
      for (const probe of all) books(probe);
      const metrics = server.metrics();
      expect(metrics.appended).toBe(appended.length);
      const received = all.reduce((sum, probe) => sum + probe.received.length, 0);
      const failed = all.reduce((sum, probe) => sum + probe.failed.length, 0);
      // A rejected promise is counted as delivered until it settles.
      expect(metrics.delivered + metrics.failed).toBe(received + failed);
    }
    await server.close();
    for (let i = 0; i < 3; i++) await Promise.resolve();
    const metrics = server.metrics();
    const received = all.reduce((sum, probe) => sum + probe.received.length, 0);
    const failed = all.reduce((sum, probe) => sum + probe.failed.length, 0);
    expect([metrics.delivered, metrics.failed]).toEqual([received, failed]);
    expect(server.stats()).toEqual({ buffered: 0, subscribed: 0, demand: 0 });
    const position = new Map(appended.map((event, index) => [event, index]));
    for (const probe of all) {
      const handed = [...probe.received, ...probe.failed].sort((a, b) => a - b);
      // Never twice, and only events that were appended.
      expect(new Set(handed).size).toBe(handed.length);
      for (const event of handed) expect(position.has(event)).toBe(true);
      // FIFO: what it took came in append order.
      const order = probe.received.map((event) => position.get(event) as number);
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
  },
);
