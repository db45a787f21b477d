// Type tests (checked by `tsc -p tsconfig.json`, never run): which servers and options `instrument` takes.
import { EventBuffer } from '@dispenser/core';
import { BatchingBufferServer, BufferServer, DataBuffer } from '@dispenser/servers';
import { even } from '@dispenser/strategies';
import type { Meter } from '@opentelemetry/api';
import { expectTypeOf } from 'vitest';
import { instrument, type Instrumentation } from '../index';

declare const meter: Meter;
const server = new BufferServer<string>({ buffer: new EventBuffer({ strategy: even, capacity: 4 }) });

// Every dispenser server, and a DataBuffer, which has metrics() but no stats().
expectTypeOf(instrument(server, { meter, name: 'a' })).toEqualTypeOf<Instrumentation>();
instrument(new BatchingBufferServer<number>({ buffer: new EventBuffer({ strategy: even, capacity: 4 }), batchSize: 2, maxDelay: 10 }), {
  meter,
  name: 'b',
  attributes: { region: 'eu', shard: 1, primary: true, tags: ['x', 'y'] },
});
instrument(new DataBuffer<string, number>({ flush: () => undefined }), { meter, name: 'c' });

// The fixed signature: an object with stats() and metrics() is accepted as it was.
declare const both: { stats(): object; metrics(): object };
instrument(both, { meter, name: 'd' });

// @ts-expect-error metrics() is required
instrument({ stats: () => ({}) }, { meter, name: 'e' });
// @ts-expect-error an unknown option
instrument(server, { meter, name: 'f', prefix: 'app' });
// @ts-expect-error name is required
instrument(server, { meter });
// @ts-expect-error attribute values are strings, numbers, booleans or arrays of one of them
instrument(server, { meter, name: 'g', attributes: { nested: { a: 1 } } });
// @ts-expect-error close() is all the handle has
instrument(server, { meter, name: 'h' }).stop();
