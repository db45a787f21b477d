import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { BufferEmptyError, BufferFullError, LimitedQueue, RingBuffer } from './index';
import type { DropStrategy } from './index';

type QueueCommand =
  | { kind: 'push'; value: number }
  | { kind: 'append'; values: number[] }
  | { kind: 'prepend'; values: number[] }
  | { kind: 'pop' }
  | { kind: 'split'; amount: number }
  | { kind: 'filter'; modulo: number };

const queueCommand: fc.Arbitrary<QueueCommand> = fc.oneof(
  fc.record({ kind: fc.constant('push' as const), value: fc.integer() }),
  fc.record({ kind: fc.constant('append' as const), values: fc.array(fc.integer(), { maxLength: 12 }) }),
  fc.record({ kind: fc.constant('prepend' as const), values: fc.array(fc.integer(), { maxLength: 6 }) }),
  fc.record({ kind: fc.constant('pop' as const) }),
  fc.record({ kind: fc.constant('split' as const), amount: fc.nat(12) }),
  fc.record({ kind: fc.constant('filter' as const), modulo: fc.integer({ min: 2, max: 4 }) }),
);

/** The array model of a LimitedQueue: what it must hold and drop. */
function modelStep(model: number[], capacity: number, strategy: DropStrategy, command: QueueCommand): { dropped: number; out?: unknown } {
  switch (command.kind) {
    case 'push':
    case 'append': {
      const values = command.kind === 'push' ? [command.value] : command.values;
      if (strategy === 'drop-newest') {
        const taken = values.slice(0, Math.max(0, capacity - model.length));
        model.push(...taken);
        return { dropped: values.length - taken.length };
      }
      model.push(...values);
      const dropped = Math.max(0, model.length - capacity);
      model.splice(0, dropped);
      return { dropped };
    }
    case 'prepend': {
      const all = [...command.values, ...model];
      const dropped = Math.max(0, all.length - capacity);
      const kept = strategy === 'drop-oldest' ? all.slice(dropped) : all.slice(0, all.length - dropped);
      model.splice(0, model.length, ...kept);
      return { dropped };
    }
    case 'pop':
      return { dropped: 0, out: model.shift() };
    case 'split':
      return { dropped: 0, out: model.splice(0, command.amount) };
    case 'filter': {
      const kept = model.filter((v) => v % command.modulo !== 0);
      const removed = model.length - kept.length;
      model.splice(0, model.length, ...kept);
      return { dropped: 0, out: removed };
    }
  }
}

function queueStep(queue: LimitedQueue<number>, command: QueueCommand): { dropped: number; out?: unknown } {
  switch (command.kind) {
    case 'push':
      return { dropped: queue.push(command.value) };
    case 'append':
      return { dropped: queue.append(command.values) };
    case 'prepend':
      return { dropped: queue.prepend(command.values) };
    case 'pop':
      return { dropped: 0, out: queue.pop() };
    case 'split':
      return { dropped: 0, out: queue.split(command.amount) };
    case 'filter':
      return { dropped: 0, out: queue.filter((v) => v % command.modulo !== 0) };
  }
}

test.prop(
  [fc.integer({ min: 1, max: 20 }), fc.constantFrom<DropStrategy>('drop-newest', 'drop-oldest'), fc.array(queueCommand, { maxLength: 60 })],
  { numRuns: 300 },
)('LimitedQueue behaves like its array model', (capacity, strategy, commands) => {
  const queue = new LimitedQueue<number>(capacity, strategy);
  const model: number[] = [];
  for (const command of commands) {
    expect(queueStep(queue, command)).toEqual(modelStep(model, capacity, strategy, command));
    expect(queue.toArray()).toEqual(model);
    expect(queue.size).toBe(model.length);
    expect(queue.size).toBeLessThanOrEqual(capacity);
  }
});

test.prop(
  [fc.integer({ min: 1, max: 10 }), fc.array(fc.oneof(fc.integer(), fc.constant<'read'>('read')), { maxLength: 80 })],
  { numRuns: 300 },
)('RingBuffer behaves like a bounded array that refuses', (capacity, commands) => {
  const ring = new RingBuffer<number>(capacity);
  const model: number[] = [];
  for (const command of commands) {
    if (command === 'read') {
      if (model.length === 0) expect(() => ring.read()).toThrow(BufferEmptyError);
      else expect(ring.read()).toBe(model.shift());
    } else if (model.length === capacity) {
      expect(() => ring.write(command)).toThrow(BufferFullError);
    } else {
      ring.write(command);
      model.push(command);
    }
    expect([...ring]).toEqual(model);
  }
});
