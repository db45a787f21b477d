import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { Demands } from './index';

type Op = { kind: 'add' | 'subtract'; who: number; amount: number } | { kind: 'delete'; who: number } | { kind: 'clone'; from: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constantFrom('add' as const, 'subtract' as const), who: fc.nat(6), amount: fc.nat(20) }),
  fc.record({ kind: fc.constant('delete' as const), who: fc.nat(6) }),
  fc.record({ kind: fc.constant('clone' as const), from: fc.nat(10) }),
);

test.prop([fc.array(fc.tuple(fc.nat(5), op), { maxLength: 80 })], { numRuns: 300 })(
  'every copy behaves like its own Map, however copies are interleaved',
  (script) => {
    const copies: Array<{ demands: Demands<number>; model: Map<number, number> }> = [{ demands: new Demands(), model: new Map() }];
    for (const [index, command] of script) {
      const target = copies[index % copies.length]!;
      if (command.kind === 'clone') {
        const source = copies[command.from % copies.length]!;
        copies.push({ demands: source.demands.clone(), model: new Map(source.model) });
        continue;
      }
      const current = target.model.get(command.who) ?? 0;
      if (command.kind === 'add') {
        target.demands.add(command.who, command.amount);
        if (command.amount > 0) target.model.set(command.who, current + command.amount);
      } else if (command.kind === 'subtract') {
        target.demands.subtract(command.who, command.amount);
        if (command.amount > 0 && current > 0) {
          if (current - command.amount <= 0) target.model.delete(command.who);
          else target.model.set(command.who, current - command.amount);
        }
      } else {
        target.demands.delete(command.who);
        target.model.delete(command.who);
      }
      for (const { demands, model } of copies) {
        expect(demands.subscribers()).toEqual(model);
        expect(demands.total).toBe([...model.values()].reduce((a, b) => a + b, 0));
        expect(demands.size).toBe(model.size);
        const slots = new Map<number, number>();
        for (let i = 0; i < demands.size; i++) slots.set(demands.subscriberAt(i), demands.amountAt(i));
        expect(slots).toEqual(model);
      }
    }
  },
);
