// Type tests (checked by `tsc -p tsconfig.json`, never run): what `new EventBuffer(...)` infers.
import { expectTypeOf } from 'vitest';
import type { AssignmentStrategy } from '../assignment-strategy';
import type { DemandBuffer } from '../demand-buffer';
import { EventBuffer } from '../event-buffer';

declare const strategy: AssignmentStrategy;

// Without type arguments or a typed context, both types are `never`: any use is a compile error
// (not a silent EventBuffer<unknown, unknown>).
const untyped = new EventBuffer({ strategy, capacity: 4 });
expectTypeOf(untyped).toEqualTypeOf<EventBuffer<never, never>>();
// @ts-expect-error the events' type was never given
untyped.append(['a']);
// @ts-expect-error the subscribers' type was never given
untyped.ask('one', 1);

// Explicit type arguments.
const explicit = new EventBuffer<string, number>({ strategy, capacity: 4 });
expectTypeOf(explicit).toEqualTypeOf<EventBuffer<string, number>>();
expectTypeOf(explicit.append).parameter(0).toEqualTypeOf<readonly string[]>();
expectTypeOf(explicit.assignEvents()).toEqualTypeOf<Array<[number, string[]]>>();
// @ts-expect-error events are strings
explicit.append([1]);

// Inferred from the declared type of a variable, a return type or a DemandBuffer.
const annotated: EventBuffer<string, number> = new EventBuffer({ strategy, capacity: 4 });
expectTypeOf(annotated.assignEvents()).toEqualTypeOf<Array<[number, string[]]>>();
const contract: DemandBuffer<{ id: number }, string> = new EventBuffer({ strategy, capacity: 4, dropStrategy: 'drop-oldest' });
contract.append([{ id: 1 }]);
function make(): DemandBuffer<Date, symbol> {
  return new EventBuffer({ strategy, capacity: 4 });
}
expectTypeOf(make().assignEvents()).toEqualTypeOf<Array<[symbol, Date[]]>>();

// A generic caller passes its own type parameters through.
function generic<T>(events: readonly T[]): EventBuffer<T, string> {
  const buffer = new EventBuffer<T, string>({ strategy, capacity: 4 });
  buffer.append(events);
  return buffer;
}
expectTypeOf(generic([1, 2])).toEqualTypeOf<EventBuffer<number, string>>();
