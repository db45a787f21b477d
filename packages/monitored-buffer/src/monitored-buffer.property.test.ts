import { fc, test } from '@fast-check/vitest';
import { EventBuffer } from '@dispenser/core';
import { expect } from 'vitest';
import { MonitoredBuffer } from './index';
import { fillInOrder } from '@dispenser/testing-utils';

type Command =
  | { kind: 'append'; count: number }
  | { kind: 'ask'; who: number; demand: number }
  | { kind: 'assign' }
  | { kind: 'delete'; who: number }
  | { kind: 'crash'; who: number }
  | { kind: 'revive'; who: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('append' as const), count: fc.nat(6) }),
  fc.record({ kind: fc.constant('ask' as const), who: fc.nat(3), demand: fc.nat(5) }),
  fc.record({ kind: fc.constant('assign' as const) }),
  fc.record({ kind: fc.constant('delete' as const), who: fc.nat(3) }),
  fc.record({ kind: fc.constant('crash' as const), who: fc.nat(3) }),
  fc.record({ kind: fc.constant('revive' as const), who: fc.nat(3) }),
);

interface Worker {
  readonly id: number;
  controller: AbortController;
  readonly signal: AbortSignal;
}

test.prop([fc.array(command, { maxLength: 60 })], { numRuns: 200 })(
  'MonitoredBuffer subscribes exactly the live askers, drops the demand of the gone, and cleans up every monitoring once',
  (commands) => {
    const workers: Worker[] = Array.from({ length: 4 }, (_, id) => {
      const worker = {
        id,
        controller: new AbortController(),
        get signal() {
          return worker.controller.signal;
        },
      };
      return worker;
    });
    let withCleanup = 0;
    let cleaned = 0;
    const buffer = new MonitoredBuffer<number, Worker>(new EventBuffer({ strategy: fillInOrder, capacity: 8 }), {
      monitor: (worker, down) => {
        if (worker.signal.aborted) return down(worker.signal.reason);
        withCleanup++;
        const onAbort = (): void => down(worker.signal.reason);
        worker.signal.addEventListener('abort', onAbort);
        return () => {
          cleaned++;
          worker.signal.removeEventListener('abort', onAbort);
        };
      },
    });
    const subscribed = new Set<Worker>();
    const demand = new Map<Worker, number>();
    let buffered = 0;
    let next = 0;
    for (const step of commands) {
      if (step.kind === 'append') {
        const events = Array.from({ length: step.count }, () => next++);
        const dropped = buffer.append(events);
        buffered += step.count - dropped;
      } else if (step.kind === 'ask') {
        const worker = workers[step.who] as Worker;
        buffer.ask(worker, step.demand);
        if (step.demand > 0 && !worker.signal.aborted) {
          subscribed.add(worker);
          demand.set(worker, (demand.get(worker) ?? 0) + step.demand);
        }
      } else if (step.kind === 'assign') {
        for (const [worker, events] of buffer.assignEvents()) {
          expect(subscribed.has(worker)).toBe(true);
          expect(events.length).toBeLessThanOrEqual(demand.get(worker) ?? 0);
          demand.set(worker, (demand.get(worker) ?? 0) - events.length);
          buffered -= events.length;
        }
      } else if (step.kind === 'delete') {
        const worker = workers[step.who] as Worker;
        expect(buffer.delete(worker)).toBe(subscribed.has(worker));
        subscribed.delete(worker);
        demand.delete(worker);
      } else if (step.kind === 'crash') {
        const worker = workers[step.who] as Worker;
        worker.controller.abort();
        subscribed.delete(worker);
        demand.delete(worker);
      } else {
        // A crashed worker comes back with a fresh signal (a live one keeps the signal it is watched by).
        const worker = workers[step.who] as Worker;
        if (worker.signal.aborted) worker.controller = new AbortController();
      }
      let total = 0;
      for (const amount of demand.values()) total += amount;
      expect(buffer.stats()).toEqual({ buffered, subscribed: subscribed.size, demand: total });
      for (const worker of workers) expect(buffer.has(worker)).toBe(subscribed.has(worker));
    }
    // Every monitoring that returned a cleanup is cleaned up exactly once by the end.
    for (const worker of workers) buffer.delete(worker);
    expect(cleaned).toBe(withCleanup);
    expect(buffer.stats()).toEqual({ buffered, subscribed: 0, demand: 0 });
  },
);
