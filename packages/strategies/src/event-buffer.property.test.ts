import { fc, test } from '@fast-check/vitest';
import { EventBuffer } from '@dispenser/core';
import type { DropStrategy } from '@dispenser/core';
import { expect } from 'vitest';
import { createEven, createGreedy } from './index';

type Command =
  | { kind: 'append'; count: number }
  | { kind: 'ask'; who: number; demand: number }
  | { kind: 'assign' }
  | { kind: 'delete'; who: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('append' as const), count: fc.nat(15) }),
  fc.record({ kind: fc.constant('ask' as const), who: fc.nat(4), demand: fc.nat(8) }),
  fc.record({ kind: fc.constant('assign' as const) }),
  fc.record({ kind: fc.constant('delete' as const), who: fc.nat(4) })
);

const strategies = { even: createEven, greedy: createGreedy };

/** A buffer whose strategy draws from its own seeded generator, so two built alike decide alike. */
function seededBuffer(name: keyof typeof strategies, seed: number, capacity: number, dropStrategy: DropStrategy) {
  let state = seed >>> 0;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  return new EventBuffer<number, number>({ strategy: strategies[name]({ random }), capacity, dropStrategy });
}

/** The inputs both properties run on: strategy, drop strategy, capacity, commands and seed. */
const scenario = [
  fc.constantFrom<keyof typeof strategies>('even', 'greedy'),
  fc.constantFrom<DropStrategy>('drop-newest', 'drop-oldest'),
  fc.integer({ min: 1, max: 12 }),
  fc.array(command, { maxLength: 60 }),
  fc.integer(),
] as const;

test.prop([...scenario], { numRuns: 250 })(
  'EventBuffer loses nothing but counted drops, never duplicates, and keeps FIFO and demand',
  (name, dropStrategy, capacity, commands, seed) => {
    const buffer = seededBuffer(name, seed, capacity, dropStrategy);
    const demand = new Map<number, number>();
    const received = new Map<number, number[]>();
    let next = 0;
    let dropped = 0;
    let delivered = 0;
    for (const step of commands) {
      if (step.kind === 'append') {
        const events = Array.from({ length: step.count }, () => next++);
        dropped += buffer.append(events);
      } else if (step.kind === 'ask') {
        buffer.ask(step.who, step.demand);
        if (step.demand > 0) demand.set(step.who, (demand.get(step.who) ?? 0) + step.demand);
      } else if (step.kind === 'delete') {
        buffer.delete(step.who);
        demand.delete(step.who);
      } else {
        const before = buffer.size;
        const totalDemand = [...demand.values()].reduce((a, b) => a + b, 0);
        const assignments = buffer.assignEvents();
        const sent = assignments.reduce((n, [, events]) => n + events.length, 0);
        expect(sent).toBe(Math.min(before, totalDemand));
        for (const [who, events] of assignments) {
          expect(events.length).toBeGreaterThan(0);
          expect(events.length).toBeLessThanOrEqual(demand.get(who) ?? 0);
          const left = (demand.get(who) ?? 0) - events.length;
          if (left === 0) demand.delete(who);
          else demand.set(who, left);
          const log = received.get(who) ?? [];
          // FIFO per subscriber: every event newer than the ones it already has.
          if (log.length > 0 && events.length > 0) expect(events[0]).toBeGreaterThan(log[log.length - 1]!);
          for (let i = 1; i < events.length; i++) expect(events[i]).toBeGreaterThan(events[i - 1]!);
          log.push(...events);
          received.set(who, log);
        }
        delivered += sent;
      }
      const totalDemand = [...demand.values()].reduce((a, b) => a + b, 0);
      expect(buffer.stats()).toEqual({ buffered: buffer.size, demand: totalDemand });
      expect(buffer.size).toBeLessThanOrEqual(capacity);
      // The books balance: every appended event is buffered, delivered or counted as dropped.
      expect(buffer.size + delivered + dropped).toBe(next);
    }
    const all = [...received.values()].flat();
    expect(new Set(all).size).toBe(all.length);
  }
);

test.prop([...scenario], { numRuns: 250 })(
  'appendAndAssign hands out exactly what append then assignEvents would',
  (name, dropStrategy, capacity, commands, seed) => {
    const direct = seededBuffer(name, seed, capacity, dropStrategy);
    const stepwise = seededBuffer(name, seed, capacity, dropStrategy);
    let next = 0;
    for (const step of commands) {
      if (step.kind === 'append') {
        const events = Array.from({ length: step.count }, () => next++);
        const pairs: Array<[number, number[]]> = [];
        const dropped = direct.appendAndAssign(events, pairs);
        expect(dropped).toBe(stepwise.append(events));
        expect(pairs).toEqual(stepwise.assignEvents());
        events.fill(-1); // the caller reuses its array: nothing handed out or kept may change
        for (const [, handed] of pairs) expect(handed).not.toContain(-1);
      } else if (step.kind === 'ask') {
        direct.ask(step.who, step.demand);
        stepwise.ask(step.who, step.demand);
      } else if (step.kind === 'delete') {
        direct.delete(step.who);
        stepwise.delete(step.who);
      } else {
        expect(direct.assignEvents()).toEqual(stepwise.assignEvents());
      }
      expect(direct.stats()).toEqual(stepwise.stats());
    }
    const rest = (buffer: EventBuffer<number, number>) => {
      buffer.ask(-1, capacity);
      return buffer.assignEvents();
    };
    expect(rest(direct)).toEqual(rest(stepwise));
  }
);
