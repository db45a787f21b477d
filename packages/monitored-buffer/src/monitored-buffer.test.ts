import { EventBuffer, type DemandBuffer } from '@dispenser/core';
import { bareDemandBuffer, fillInOrder, TestSubscriber } from '@dispenser/testing-utils';
import { describe, expect, it, vi } from 'vitest';
import type { Monitor } from './index';
import { MonitoredBuffer } from './index';

function create<S>(capacity = 10, options: ConstructorParameters<typeof MonitoredBuffer<string, S>>[1] = {}) {
  return new MonitoredBuffer<string, S>(new EventBuffer<string, S>({ strategy: fillInOrder, capacity }), options);
}

describe('MonitoredBuffer', () => {
  it('subscribes a subscriber that asks for more than 0', () => {
    const buffer = create<string>();
    buffer.ask('a', 3);
    expect(buffer.stats()).toEqual({ buffered: 0, subscribed: 1, demand: 3 });
    buffer.ask('a', 2);
    expect(buffer.stats()).toEqual({ buffered: 0, subscribed: 1, demand: 5 });
  });

  it('neither subscribes nor adds demand for an ask of 0', () => {
    const monitor = vi.fn<Monitor<string>>();
    const buffer = create<string>(10, { monitor });
    buffer.ask('a', 0);
    expect(buffer.stats()).toEqual({ buffered: 0, subscribed: 0, demand: 0 });
    expect(monitor).not.toHaveBeenCalled();
  });

  it('assigns buffered events and keeps the subscriber subscribed with no demand left', () => {
    const buffer = create<string>();
    expect(buffer.append(['a', 'b', 'c'])).toBe(0);
    buffer.ask('s', 2);
    expect(buffer.assignEvents()).toEqual([['s', ['a', 'b']]]);
    expect(buffer.size).toBe(1);
    expect(buffer.stats()).toEqual({ buffered: 1, subscribed: 1, demand: 0 });
  });

  it('returns the number of events dropped at capacity', () => {
    const buffer = create<string>(2);
    expect(buffer.append(['a', 'b', 'c'])).toBe(1);
    expect(buffer.stats()).toEqual({ buffered: 2, subscribed: 0, demand: 0 });
  });

  it('deletes a subscriber: stops monitoring and cancels its demand', () => {
    const cleanup = vi.fn();
    const buffer = create<string>(10, { monitor: () => cleanup });
    buffer.ask('a', 5);
    buffer.ask('b', 7);
    expect(buffer.delete('a')).toBe(true);
    expect(buffer.stats()).toEqual({ buffered: 0, subscribed: 1, demand: 7 });
    expect(cleanup).toHaveBeenCalledTimes(1);
    expect(buffer.delete('a')).toBe(false);
    expect(buffer.delete('b')).toBe(true);
    expect(buffer.stats()).toEqual({ buffered: 0, subscribed: 0, demand: 0 });
  });

  it('cancels the demand of a subscriber whose signal aborts, before calling onDown', () => {
    const seen: unknown[] = [];
    const buffer: MonitoredBuffer<string, TestSubscriber<string>> = create<TestSubscriber<string>>(10, {
      onDown: (subscriber, _ref, reason) => seen.push([subscriber === crashing, reason, buffer.stats()]),
    });
    const crashing = new TestSubscriber<string>();
    const staying = new TestSubscriber<string>();
    buffer.ask(crashing, 7);
    buffer.ask(staying, 3);
    crashing.crash('boom');
    expect(seen).toEqual([[true, 'boom', { buffered: 0, subscribed: 1, demand: 3 }]]);
    expect(buffer.has(crashing)).toBe(false);
    buffer.append(['a', 'b', 'c', 'd']);
    expect(buffer.assignEvents()).toEqual([[staying, ['a', 'b', 'c']]]);
  });

  it('leaves a subscriber whose signal is already aborted without demand', () => {
    const onDown = vi.fn();
    const buffer = create<{ signal: AbortSignal }>(10, { onDown });
    buffer.ask({ signal: AbortSignal.abort() }, 4);
    expect(buffer.stats()).toEqual({ buffered: 0, subscribed: 0, demand: 0 });
    expect(onDown).toHaveBeenCalledTimes(1);
  });

  it('answers down with not_subscribed, wrong_ref or ok, cancelling demand on ok', () => {
    const onDown = vi.fn();
    const buffer = create<string>(10, { onDown });
    expect(buffer.down('a', {})).toBe('not_subscribed');
    buffer.ask('a', 4);
    buffer.ask('b', 2);
    expect(buffer.down('a', {})).toBe('wrong_ref');
    expect(buffer.stats()).toEqual({ buffered: 0, subscribed: 2, demand: 6 });
    const ref = buffer.ref('a');
    expect(ref).toBeDefined();
    expect(buffer.down('a', ref as object)).toBe('ok');
    expect(buffer.stats()).toEqual({ buffered: 0, subscribed: 1, demand: 2 });
    expect(buffer.ref('a')).toBeUndefined();
    expect(onDown).not.toHaveBeenCalled();
  });

  it('ignores a second report for a monitoring that already went down', () => {
    const refs: object[] = [];
    const downs: Array<() => void> = [];
    const onDown = vi.fn((_s: string, ref: object) => refs.push(ref));
    const buffer = create<string>(10, {
      monitor: (_s, down) => {
        downs.push(() => down('x'));
      },
      onDown,
    });
    buffer.ask('a', 4);
    buffer.ask('b', 2);
    downs[0]?.();
    expect(buffer.stats()).toEqual({ buffered: 0, subscribed: 1, demand: 2 });
    // A second report for the same monitoring finds nothing to do.
    expect(buffer.down('a', refs[0] as object)).toBe('not_subscribed');
  });

  it('cancels the demand an ask added when the monitor throws', () => {
    const buffer = create<string>(10, {
      monitor: () => {
        throw new Error('no');
      },
    });
    expect(() => buffer.ask('a', 3)).toThrow('no');
    expect(buffer.stats()).toEqual({ buffered: 0, subscribed: 0, demand: 0 });
  });

  it('rejects bad demand without changing anything', () => {
    const buffer = create<string>();
    expect(() => buffer.ask('a', -1)).toThrow(RangeError);
    expect(() => buffer.ask('a', 1.5)).toThrow(RangeError);
    expect(() => buffer.ask('a', '2' as never)).toThrow(TypeError);
    expect(buffer.stats()).toEqual({ buffered: 0, subscribed: 0, demand: 0 });
  });

  it('is a complete DemandBuffer: capacity and prepend reach the wrapped buffer', () => {
    const buffer = create<string>(3);
    const asBuffer: DemandBuffer<string, string> = buffer;
    expect(asBuffer.capacity).toBe(3);
    buffer.append(['c']);
    expect(buffer.prepend(['a', 'b'])).toBe(0);
    expect(buffer.prepend(['z'])).toBe(1); // full, 'drop-newest': 'c' makes room
    buffer.ask('one', 5);
    expect(buffer.assignEvents()).toEqual([['one', ['z', 'a', 'b']]]);
  });

  it('passes drop reports, discard counts and the one-call append-and-assign through', () => {
    const buffer = create<string>(2);
    const drops: unknown[] = [];
    buffer.watchDrops((events, reason) => drops.push([events, reason]));
    buffer.append(['a', 'b', 'c']);
    expect(drops).toEqual([[['c'], 'drop-newest']]);
    expect([buffer.discarded, buffer.supportsRedelivery]).toEqual([undefined, true]);
    buffer.ask('one', 3);
    const pairs: Array<[string, string[]]> = [];
    expect(buffer.appendAndAssign(['d'], pairs)).toBe(1); // still full: 'd' is dropped
    expect(pairs).toEqual([['one', ['a', 'b']]]);
    expect(drops).toEqual([[['c'], 'drop-newest'], [['d'], 'drop-newest']]);
  });

  it('refuses prepend, naming the reason, when the wrapped buffer has none', () => {
    const buffer = new MonitoredBuffer(bareDemandBuffer(new EventBuffer<string, string>({ strategy: fillInOrder, capacity: 3 })));
    expect(buffer.capacity).toBeUndefined();
    expect(() => buffer.prepend(['a'])).toThrow(/no prepend method/);
    expect(() => buffer.watchDrops(undefined)).toThrow(/no watchDrops method/);
    expect(buffer.supportsRedelivery).toBe(false);
    buffer.ask('one', 1);
    const pairs: Array<[string, string[]]> = [];
    expect(buffer.appendAndAssign(['a', 'b'], pairs)).toBe(0);
    expect(pairs).toEqual([['one', ['a']]]);
  });

  it('rejects unknown option keys, listing the known ones', () => {
    expect(() => create<string>(1, { ondown: () => undefined } as never)).toThrow(/unknown key "ondown"; known keys: monitor, onDown/);
  });

  it('rejects something that is not a DemandBuffer', () => {
    expect(() => new MonitoredBuffer({} as never)).toThrow(TypeError);
    expect(() => new MonitoredBuffer(null as never)).toThrow(TypeError);
  });
});
