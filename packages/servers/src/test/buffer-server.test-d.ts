// Type tests (checked by `tsc -p tsconfig.json`, never run): an `EventBuffer` created inside a
// server's options takes the server's event type, and one with no type anywhere is a compile error.
import { EventBuffer, type Subscriber } from '@dispenser/core';
import { MonitoredBuffer } from '@dispenser/monitored-buffer';
import { even } from '@dispenser/strategies';
import { expectTypeOf } from 'vitest';
import { BatchingBufferServer } from '../batching-buffer-server';
import { BufferServer } from '../buffer-server';

type Job = { id: number };
declare const worker: Subscriber<Job>;

// The buffer option infers the buffer's types from the server's type argument.
const server = new BufferServer<Job>({ buffer: new EventBuffer({ strategy: even, capacity: 4 }) });
expectTypeOf(server).toEqualTypeOf<BufferServer<Job>>();
server.ask(worker, 1);
server.append([{ id: 1 }]);
// @ts-expect-error events are Jobs
server.append(['a']);

const batching = new BatchingBufferServer<Job>({ buffer: new EventBuffer({ strategy: even, capacity: 4 }), batchSize: 2, maxDelay: 10 });
batching.append([{ id: 1 }]);

// So does a buffer wrapped in a MonitoredBuffer.
const monitored = new BufferServer<Job>({ buffer: new MonitoredBuffer(new EventBuffer({ strategy: even, capacity: 4 })) });
monitored.append([{ id: 1 }]);

// With no type argument anywhere, the server's events are `never`: using it is a compile error
// instead of a BufferServer<unknown> that accepts anything.
const untyped = new BufferServer({ buffer: new EventBuffer({ strategy: even, capacity: 4 }) });
expectTypeOf(untyped).toEqualTypeOf<BufferServer<never>>();
// @ts-expect-error the event type was never given
untyped.append([{ id: 1 }]);

// A buffer made on its own without type arguments cannot be used directly, but a typed server may
// still take it over (it only ever holds that server's events).
const alone = new EventBuffer({ strategy: even, capacity: 4 });
// @ts-expect-error the event type was never given
alone.append([{ id: 1 }]);
expectTypeOf(new BufferServer<Job>({ buffer: alone })).toEqualTypeOf<BufferServer<Job>>();

// The capacity shorthand: the server makes the buffer, typed by its own type argument.
const quick = new BufferServer<Job>({ capacity: 100 });
quick.append([{ id: 1 }]);
// @ts-expect-error a buffer and a capacity are exclusive
void new BufferServer<Job>({ buffer: new EventBuffer({ strategy: even, capacity: 4 }), capacity: 4 });
