import { EventBuffer, type Subscriber } from '@dispenser/core';
import { BroadcastServer, BufferServer, DataBuffer } from '@dispenser/servers';
import { even } from '@dispenser/strategies';
import { AggregationTemporality } from '@opentelemetry/sdk-metrics';
import { describe, expect, it, vi } from 'vitest';
import { instrument, type InstrumentOptions, type InstrumentedServer } from './index';
import { collect, meterWithReader } from './test/metric-reader';

/** A server with room for `capacity` events and a subscriber that takes what it is given. */
function serverWithWorker(capacity = 10) {
  const server = new BufferServer<string>({ buffer: new EventBuffer({ strategy: even, capacity }), onError: () => undefined });
  const received: string[] = [];
  const worker: Subscriber<string> = { handleAssignedEvents: (events) => void received.push(...events) };
  return { server, worker, received };
}

/** A subscriber whose handler always throws, so what it is given counts as failed. */
const failing: Subscriber<string> = {
  handleAssignedEvents: () => {
    throw new Error('handler down');
  },
};

const serverInstruments = [
  'dispenser.server.appended',
  'dispenser.server.buffered',
  'dispenser.server.delivered',
  'dispenser.server.demand',
  'dispenser.server.dropped',
  'dispenser.server.failed',
  'dispenser.server.subscribed',
];

describe('instrument', () => {
  it('reports stats() as gauges and metrics() as counters of a BufferServer', async () => {
    const { reader, meter } = meterWithReader();
    const { server, worker } = serverWithWorker(3);
    instrument(server, { meter, name: 'orders' });
    server.ask(worker, 2);
    server.ask(failing, 1);
    server.append(['a', 'b', 'c', 'd', 'e', 'f']);
    server.ask(worker, 4); // the failing subscriber was unsubscribed

    const collected = await collect(reader);
    expect(collected.names()).toEqual(serverInstruments);
    expect(collected.values('orders')).toEqual({
      'dispenser.server.buffered': 0,
      'dispenser.server.subscribed': 1,
      'dispenser.server.demand': 4,
      'dispenser.server.appended': 6,
      'dispenser.server.dropped': 3,
      'dispenser.server.delivered': 2,
      'dispenser.server.failed': 1,
    });
    expect({ ...server.stats(), ...server.metrics() }).toEqual({
      buffered: 0,
      subscribed: 1,
      demand: 4,
      appended: 6,
      dropped: 3,
      delivered: 2,
      failed: 1,
    });
  });

  it('reports a BroadcastServer, whose counters count (event, subscriber) copies', async () => {
    const { reader, meter } = meterWithReader();
    const server = new BroadcastServer<string>({ capacity: 2, dropStrategy: 'drop-oldest', onError: () => undefined });
    const fast: string[] = [];
    const slow: string[] = [];
    server.ask({ handleAssignedEvents: (events) => void fast.push(...events) }, 10);
    server.ask({ handleAssignedEvents: (events) => void slow.push(...events) }, 1);
    instrument(server, { meter, name: 'prices' });
    server.append(['a', 'b', 'c', 'd']);

    const collected = await collect(reader);
    expect(collected.names()).toEqual(serverInstruments);
    // fast took all 4; slow took 'a', holds 'c' and 'd' (its bound is 2) and dropped 'b'.
    expect([fast, slow]).toEqual([['a', 'b', 'c', 'd'], ['a']]);
    expect(collected.values('prices')).toEqual({
      'dispenser.server.buffered': 2,
      'dispenser.server.subscribed': 2,
      'dispenser.server.demand': 6,
      'dispenser.server.appended': 4,
      'dispenser.server.dropped': 1,
      'dispenser.server.delivered': 5,
      'dispenser.server.failed': 0,
    });
  });

  it('names the instruments dispenser.server.<field> with the units and kinds of the conventions', async () => {
    const { reader, meter } = meterWithReader();
    instrument(serverWithWorker().server, { meter, name: 'orders' });
    const collected = await collect(reader);
    const described = Object.fromEntries(
      serverInstruments.map((name) => [name, [collected.kind(name), collected.metric(name).descriptor.unit]]),
    );
    expect(described).toEqual({
      'dispenser.server.buffered': ['gauge', '{event}'],
      'dispenser.server.subscribed': ['gauge', '{subscriber}'],
      'dispenser.server.demand': ['gauge', '{event}'],
      'dispenser.server.appended': ['counter', '{event}'],
      'dispenser.server.dropped': ['counter', '{event}'],
      'dispenser.server.delivered': ['counter', '{event}'],
      'dispenser.server.failed': ['counter', '{event}'],
    });
    for (const name of serverInstruments) {
      expect(collected.metric(name).descriptor.description).not.toBe('');
      expect(collected.metric(name).descriptor.valueType).toBe(0); // ValueType.INT
    }
  });

  it('sets dispenser.server.name and options.attributes on every data point', async () => {
    const { reader, meter } = meterWithReader();
    instrument(serverWithWorker().server, {
      meter,
      name: 'orders',
      attributes: { 'deployment.environment.name': 'test', 'service.shard': 3, tags: ['a', 'b'] },
    });
    const collected = await collect(reader);
    for (const name of serverInstruments) {
      expect(collected.attributes(name)).toEqual([
        { 'deployment.environment.name': 'test', 'service.shard': 3, tags: ['a', 'b'], 'dispenser.server.name': 'orders' },
      ]);
    }
  });

  it('reads the current values on every collection', async () => {
    const { reader, meter } = meterWithReader();
    const { server, worker } = serverWithWorker();
    instrument(server, { meter, name: 'orders' });
    server.append(['a', 'b']);
    expect((await collect(reader)).values('orders')).toMatchObject({
      'dispenser.server.buffered': 2,
      'dispenser.server.appended': 2,
      'dispenser.server.delivered': 0,
    });
    server.ask(worker, 5);
    server.append(['c']);
    expect((await collect(reader)).values('orders')).toMatchObject({
      'dispenser.server.buffered': 0,
      'dispenser.server.demand': 2,
      'dispenser.server.appended': 3,
      'dispenser.server.delivered': 3,
    });
  });

  it('calls stats() and metrics() once per collection and registers one batch callback', async () => {
    const { reader, meter } = meterWithReader();
    const { server } = serverWithWorker();
    const addBatch = vi.spyOn(meter, 'addBatchObservableCallback');
    instrument(server, { meter, name: 'orders' });
    expect(addBatch).toHaveBeenCalledTimes(1);
    expect(addBatch.mock.calls[0]?.[1]).toHaveLength(serverInstruments.length);
    const stats = vi.spyOn(server, 'stats');
    const metrics = vi.spyOn(server, 'metrics');
    await collect(reader);
    await collect(reader);
    expect(stats).toHaveBeenCalledTimes(2);
    expect(metrics).toHaveBeenCalledTimes(2);
  });

  it('tells servers on the same meter apart by dispenser.server.name', async () => {
    const { reader, meter } = meterWithReader();
    const orders = serverWithWorker().server;
    const payments = serverWithWorker().server;
    instrument(orders, { meter, name: 'orders' });
    instrument(payments, { meter, name: 'payments' });
    orders.append(['a']);
    payments.append(['a', 'b', 'c']);
    const collected = await collect(reader);
    expect(collected.names()).toEqual(serverInstruments);
    expect(collected.values('orders')['dispenser.server.appended']).toBe(1);
    expect(collected.values('payments')['dispenser.server.appended']).toBe(3);
  });

  it('reports a DataBuffer, whose metrics().buffered is a gauge', async () => {
    const { reader, meter } = meterWithReader();
    const flushed: Array<[string, number[]]> = [];
    const views = new DataBuffer<string, number>({ flush: (key, values) => void flushed.push([key, values]), maxSize: 2 });
    instrument(views, { meter, name: 'views' });
    views.insert('/home', 1);
    views.insert('/home', 2);
    views.insert('/about', 1);
    const collected = await collect(reader);
    expect(flushed).toEqual([['/home', [1, 2]]]);
    expect(collected.values('views')).toEqual({
      'dispenser.server.inserted': 3,
      'dispenser.server.flushed': 2,
      'dispenser.server.failed_attempts': 0,
      'dispenser.server.handed_to_on_error': 0,
      'dispenser.server.buffered': 1,
    });
    expect(collected.kind('dispenser.server.buffered')).toBe('gauge');
    expect(collected.kind('dispenser.server.inserted')).toBe('counter');
    expect(collected.metric('dispenser.server.failed_attempts').descriptor.unit).toBe('{attempt}');
    await views.close();
  });

  it('reports fields it does not know with a generic description, no unit and floating-point values', async () => {
    const { reader, meter } = meterWithReader();
    const custom: InstrumentedServer = {
      stats: () => ({ queueDepth: 1.5, label: 'not a number', 'not a name': 1 }),
      metrics: () => ({ retriedTotal: 4 }),
    };
    instrument(custom, { meter, name: 'custom' });
    const collected = await collect(reader);
    expect(collected.names()).toEqual(['dispenser.server.queue_depth', 'dispenser.server.retried_total']);
    expect(collected.values('custom')).toEqual({ 'dispenser.server.queue_depth': 1.5, 'dispenser.server.retried_total': 4 });
    expect(collected.kind('dispenser.server.retried_total')).toBe('counter');
    expect(collected.metric('dispenser.server.queue_depth').descriptor).toMatchObject({
      description: 'stats().queueDepth of a dispenser server.',
      unit: '',
      valueType: 1, // ValueType.DOUBLE
    });
  });

  it('reports a field found in stats() and metrics() once, as the gauge of stats()', async () => {
    const { reader, meter } = meterWithReader();
    instrument({ stats: () => ({ buffered: 2 }), metrics: () => ({ buffered: 7 }) }, { meter, name: 'both' });
    const collected = await collect(reader);
    expect(collected.values('both')).toEqual({ 'dispenser.server.buffered': 2 });
    expect(collected.kind('dispenser.server.buffered')).toBe('gauge');
  });

  it('skips a field that is not a finite number at a collection', async () => {
    const { reader, meter } = meterWithReader(AggregationTemporality.DELTA);
    let demand: unknown = 4;
    instrument({ stats: () => ({ buffered: 1, demand }), metrics: () => ({}) }, { meter, name: 'odd' });
    expect((await collect(reader)).values('odd')).toEqual({ 'dispenser.server.buffered': 1, 'dispenser.server.demand': 4 });
    demand = Number.NaN;
    expect((await collect(reader)).values('odd')).toEqual({ 'dispenser.server.buffered': 1 });
    demand = undefined;
    expect((await collect(reader)).values('odd')).toEqual({ 'dispenser.server.buffered': 1 });
  });

  it('reports nothing for a collection in which stats() throws, and carries on after', async () => {
    const { reader, meter } = meterWithReader(AggregationTemporality.DELTA);
    const broken = serverWithWorker().server;
    const healthy = serverWithWorker().server;
    instrument(broken, { meter, name: 'broken' });
    instrument(healthy, { meter, name: 'healthy' });
    const stats = vi.spyOn(broken, 'stats').mockImplementation(() => {
      throw new Error('stats down');
    });
    const during = await collect(reader); // would throw on a collection error
    expect(during.values('broken')).toEqual({});
    expect(during.names()).toEqual(serverInstruments);
    expect(Object.keys(during.values('healthy'))).toHaveLength(serverInstruments.length);

    stats.mockRestore();
    expect(Object.keys((await collect(reader)).values('broken'))).toHaveLength(serverInstruments.length);
  });

  it('reports nothing for a collection in which metrics() throws', async () => {
    const { reader, meter } = meterWithReader();
    const { server } = serverWithWorker();
    instrument(server, { meter, name: 'orders' });
    vi.spyOn(server, 'metrics').mockImplementation(() => {
      throw new Error('metrics down');
    });
    const collected = await collect(reader);
    expect(collected.values('orders')).toEqual({});
    expect(collected.names()).toEqual([]);
  });

  it('stops observing the server on close()', async () => {
    const { reader, meter } = meterWithReader();
    const { server } = serverWithWorker();
    const instrumentation = instrument(server, { meter, name: 'orders' });
    server.append(['a']);
    const before = (await collect(reader)).values('orders');
    expect(before['dispenser.server.appended']).toBe(1);

    instrumentation.close();
    const stats = vi.spyOn(server, 'stats');
    const metrics = vi.spyOn(server, 'metrics');
    server.append(['b', 'c']);
    // With cumulative temporality the SDK repeats the last values of a series; they no longer change.
    expect((await collect(reader)).values('orders')).toEqual(before);
    expect(stats).not.toHaveBeenCalled();
    expect(metrics).not.toHaveBeenCalled();
  });

  it('leaves no data point after close() with delta temporality', async () => {
    const { reader, meter } = meterWithReader(AggregationTemporality.DELTA);
    const instrumentation = instrument(serverWithWorker().server, { meter, name: 'orders' });
    expect((await collect(reader)).names()).toEqual(serverInstruments);
    instrumentation.close();
    expect((await collect(reader)).names()).toEqual([]);
  });

  it('removes the batch callback it added, once however often close() is called', () => {
    const { meter } = meterWithReader();
    const add = vi.spyOn(meter, 'addBatchObservableCallback');
    const remove = vi.spyOn(meter, 'removeBatchObservableCallback');
    const instrumentation = instrument(serverWithWorker().server, { meter, name: 'orders' });
    instrumentation.close();
    instrumentation.close();
    expect(remove).toHaveBeenCalledTimes(1);
    expect(remove.mock.calls[0]).toEqual(add.mock.calls[0]);
  });

  it('registers no callback for a server without numeric fields', () => {
    const { meter } = meterWithReader();
    const add = vi.spyOn(meter, 'addBatchObservableCallback');
    const remove = vi.spyOn(meter, 'removeBatchObservableCallback');
    instrument({ metrics: () => ({ state: 'open' }) }, { meter, name: 'empty' }).close();
    expect(add).not.toHaveBeenCalled();
    expect(remove).not.toHaveBeenCalled();
  });

  it('copies the attributes, leaving out undefined values', async () => {
    const { reader, meter } = meterWithReader();
    const attributes: NonNullable<InstrumentOptions['attributes']> = { region: 'eu', zone: undefined, tags: ['a'] };
    instrument(serverWithWorker().server, { meter, name: 'orders', attributes });
    attributes['region'] = 'us';
    (attributes['tags'] as string[]).push('b');
    expect((await collect(reader)).attributes('dispenser.server.buffered')).toEqual([
      { region: 'eu', tags: ['a'], 'dispenser.server.name': 'orders' },
    ]);
  });

  describe('with bad arguments', () => {
    const { meter } = meterWithReader();
    const server = serverWithWorker().server;

    it('rejects a server without metrics()', () => {
      expect(() => instrument(undefined as never, { meter, name: 'x' })).toThrow(
        new TypeError('server must have a metrics() method (a BufferServer, BatchingBufferServer or DataBuffer), received undefined'),
      );
      expect(() => instrument({ stats: () => ({}) } as never, { meter, name: 'x' })).toThrow(/^server must have a metrics\(\) method/);
    });

    it('rejects a stats that is not a function', () => {
      expect(() => instrument({ stats: 1, metrics: () => ({}) } as never, { meter, name: 'x' })).toThrow(
        new TypeError('server.stats must be a function when present, received 1 (number)'),
      );
    });

    it('rejects stats() or metrics() that do not return an object', () => {
      expect(() => instrument({ stats: () => null, metrics: () => ({}) } as never, { meter, name: 'x' })).toThrow(
        new TypeError('server.stats() must return an object, received null'),
      );
      expect(() => instrument({ metrics: () => 3 } as never, { meter, name: 'x' })).toThrow(
        new TypeError('server.metrics() must return an object, received 3 (number)'),
      );
    });

    it('passes on what stats() throws when first read', () => {
      const error = new Error('stats down');
      const broken = {
        stats: () => {
          throw error;
        },
        metrics: () => ({}),
      };
      expect(() => instrument(broken, { meter, name: 'x' })).toThrow(error);
    });

    it('rejects options that are not an object', () => {
      expect(() => instrument(server, undefined as never)).toThrow(new TypeError('options must be an object, received undefined'));
    });

    it('rejects unknown option keys, listing the known ones', () => {
      expect(() => instrument(server, { meter, name: 'x', prefix: 'app' } as never)).toThrow(
        new TypeError('options has unknown key "prefix"; known keys: meter, name, attributes'),
      );
    });

    it('rejects a meter without the methods it calls', () => {
      const message =
        'options.meter must be an OpenTelemetry Meter (with createObservableGauge, createObservableCounter, addBatchObservableCallback, removeBatchObservableCallback), received ';
      expect(() => instrument(server, { name: 'x' } as never)).toThrow(new TypeError(`${message}undefined`));
      const { addBatchObservableCallback: _, ...incomplete } = {
        createObservableGauge: () => undefined,
        createObservableCounter: () => undefined,
        addBatchObservableCallback: () => undefined,
        removeBatchObservableCallback: () => undefined,
      };
      expect(() => instrument(server, { meter: incomplete as never, name: 'x' })).toThrow(new TypeError(`${message}an object`));
    });

    it('rejects a name that is not a string, and an empty one', () => {
      expect(() => instrument(server, { meter, name: 7 } as never)).toThrow(
        new TypeError('options.name must be a non-empty string, received 7 (number)'),
      );
      expect(() => instrument(server, { meter } as never)).toThrow(TypeError);
      expect(() => instrument(server, { meter, name: '' })).toThrow(new RangeError('options.name must be a non-empty string, received ""'));
      expect(() => instrument(server, { meter, name: '  ' })).toThrow(RangeError);
    });

    it('rejects attributes that are not an object of attribute values', () => {
      expect(() => instrument(server, { meter, name: 'x', attributes: ['a'] as never })).toThrow(
        new TypeError('options.attributes must be an object of attribute values, received an array'),
      );
      expect(() => instrument(server, { meter, name: 'x', attributes: null as never })).toThrow(
        new TypeError('options.attributes must be an object of attribute values, received null'),
      );
      expect(() => instrument(server, { meter, name: 'x', attributes: { nested: {} as never } })).toThrow(
        new TypeError('options.attributes["nested"] must be a string, a number, a boolean or an array of one of them, received an object'),
      );
      expect(() => instrument(server, { meter, name: 'x', attributes: { mixed: ['a', 1] as never } })).toThrow(
        new TypeError('options.attributes["mixed"] must be a string, a number, a boolean or an array of one of them, received an array of string, number'),
      );
    });

    it('rejects attributes that set dispenser.server.name', () => {
      expect(() => instrument(server, { meter, name: 'x', attributes: { 'dispenser.server.name': 'y' } })).toThrow(
        new TypeError('options.attributes must not set "dispenser.server.name": it is options.name'),
      );
    });

    it('creates no instrument when an argument is bad', () => {
      const gauge = vi.spyOn(meter, 'createObservableGauge');
      const add = vi.spyOn(meter, 'addBatchObservableCallback');
      expect(() => instrument(server, { meter, name: '' })).toThrow(RangeError);
      expect(() => instrument({ metrics: () => null } as never, { meter, name: 'x' })).toThrow(TypeError);
      expect(gauge).not.toHaveBeenCalled();
      expect(add).not.toHaveBeenCalled();
    });
  });
});
