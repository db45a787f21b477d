import { BufferClosedError, DispenserError } from '@dispenser/core';
import { ManualClock } from '@dispenser/testing-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DataBuffer, type DataBufferOptions } from './data-buffer';
import { FlushError } from './errors';
import { settle } from './test/settle';

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Checks that `promise` stays pending until `gate` is resolved, then waits for it. */
async function expectHeldUntilOpened(gate: Deferred, promise: Promise<unknown>): Promise<void> {
  let done = false;
  const tracked = promise.then(() => {
    done = true;
  });
  await settle();
  expect(done).toBe(false);
  gate.resolve();
  await tracked;
}

/** A DataBuffer on a ManualClock whose flush records every call (synchronously, successfully). */
function recording<K = string, V = number>(options: Partial<DataBufferOptions<K, V>> = {}) {
  const clock = new ManualClock();
  const calls: Array<{ key: K; values: V[]; at: number }> = [];
  const buffer = new DataBuffer<K, V>({
    flush: (key, values) => {
      calls.push({ key, values: [...values], at: clock.now() });
    },
    clock,
    ...options,
  });
  return { clock, calls, buffer };
}

/** A buffer whose only flush attempt throws, so its values go to `onError` at once. */
function failingOnce(onError: NonNullable<DataBufferOptions<string, number>['onError']>): DataBuffer<string, number> {
  return new DataBuffer<string, number>({
    clock: new ManualClock(),
    retryMax: 1,
    flush: () => {
      throw new Error('down');
    },
    onError,
  });
}

describe('DataBuffer', () => {
  describe('constructor', () => {
    const flush = (): void => undefined;

    it.each([
      ['interval', -1],
      ['interval', 1.5],
      ['interval', Number.NaN],
      ['interval', Number.POSITIVE_INFINITY],
      ['jitter', -5],
      ['maxSize', 0],
      ['maxSize', 2.5],
      ['maxSize', Number.NaN],
      ['maxSize', Number.NEGATIVE_INFINITY],
      ['partitions', 0],
      ['partitions', 1.5],
      ['partitions', Number.POSITIVE_INFINITY],
      ['retryDelay', -1],
      ['retryMax', 0],
      ['retryMax', Number.NaN],
    ])('throws a RangeError naming options.%s for %s', (name, value) => {
      const make = () => new DataBuffer({ flush, [name]: value });
      expect(make).toThrow(RangeError);
      expect(make).toThrow(new RegExp(`^options\\.${name} must be .*received ${String(value)}`));
    });

    it.each([
      ['flush', { flush: 'nope' }],
      ['onError', { flush, onError: 42 }],
      ['interval', { flush, interval: '10' }],
      ['maxSize', { flush, maxSize: '10' }],
      ['clock', { flush, clock: {} }],
      ['clock', { flush, clock: null }],
      ['random', { flush, random: 0.5 }],
    ])('throws a TypeError naming options.%s', (name, options) => {
      const make = () => new DataBuffer(options as unknown as DataBufferOptions<string, number>);
      expect(make).toThrow(TypeError);
      expect(make).toThrow(new RegExp(`^options\\.${name} must be`));
    });

    it('throws a TypeError when options are missing', () => {
      expect(() => new DataBuffer(undefined as unknown as DataBufferOptions<string, number>)).toThrow(/options/);
    });

    it('throws a TypeError listing the known keys for an unknown option', () => {
      const make = () => new DataBuffer({ flush, intervall: 10 } as unknown as DataBufferOptions<string, number>);
      expect(make).toThrow(TypeError);
      expect(make).toThrow(
        'options has unknown key "intervall"; known keys: flush, onError, interval, jitter, maxSize, partitions, retryDelay, retryMax, clock, random'
      );
    });

    it('ignores keys whose value is undefined', () => {
      const options = { flush, onError: undefined, interval: undefined } as unknown as DataBufferOptions<string, number>;
      expect(() => new DataBuffer(options)).not.toThrow();
    });

    it('accepts maxSize Infinity and zero interval, jitter and retryDelay', () => {
      expect(
        () => new DataBuffer({ flush, maxSize: Number.POSITIVE_INFINITY, interval: 0, jitter: 0, retryDelay: 0 })
      ).not.toThrow();
    });
  });

  describe('insert / count', () => {
    it('counts values per key and returns undefined for keys without values', () => {
      const { buffer } = recording();
      buffer.insert('a', 1);
      buffer.insert('a', 2);
      buffer.insert('b', 3);
      expect(buffer.count('a')).toBe(2);
      expect(buffer.count('b')).toBe(1);
      expect(buffer.count('c')).toBeUndefined();
    });

    it('takes keys of any type with Map semantics', () => {
      const { buffer, clock, calls } = recording<unknown, string>({ partitions: 3 });
      const object = { id: 1 };
      const symbol = Symbol('s');
      const keys: unknown[] = [object, { id: 1 }, symbol, 1, '1', Number.NaN, null, undefined, 0n, true, () => 1];
      for (const key of keys) buffer.insert(key, String(key === symbol ? 'symbol' : typeof key));
      buffer.insert(-0, 'minus zero');
      buffer.insert(Number.NaN, 'another NaN');
      expect(buffer.count(object)).toBe(1);
      expect(buffer.count({ id: 1 })).toBeUndefined();
      expect(buffer.count(symbol)).toBe(1);
      expect(buffer.count(0)).toBe(1);
      expect(buffer.count(Number.NaN)).toBe(2);
      expect(buffer.count(1)).toBe(1);
      expect(buffer.count('1')).toBe(1);
      clock.advance(5000);
      expect(calls).toHaveLength(keys.length + 1);
      expect(calls.find((call) => call.key === object)?.values).toEqual(['object']);
      expect(calls.find((call) => Number.isNaN(call.key))?.values).toEqual(['number', 'another NaN']);
    });

    it('keeps two buffers with the same key independent', () => {
      const one = recording();
      const two = recording();
      one.buffer.insert('k', 1);
      two.buffer.insert('k', 2);
      two.buffer.insert('k', 3);
      expect(one.buffer.count('k')).toBe(1);
      expect(two.buffer.count('k')).toBe(2);
      one.clock.advance(5000);
      expect(one.calls.map((c) => c.values)).toEqual([[1]]);
      expect(two.calls).toEqual([]);
      expect(two.buffer.count('k')).toBe(2);
    });
  });

  describe('interval', () => {
    it('flushes all values of a key in one call once the interval after its first insert has passed', () => {
      const { buffer, clock, calls } = recording({ interval: 1000 });
      buffer.insert('a', 1);
      clock.advance(400);
      buffer.insert('a', 2);
      buffer.insert('b', 10);
      clock.advance(599);
      expect(calls).toEqual([]);
      clock.advance(1);
      expect(calls).toEqual([{ key: 'a', values: [1, 2], at: 1000 }]);
      expect(buffer.count('a')).toBeUndefined();
      clock.advance(400);
      expect(calls[1]).toEqual({ key: 'b', values: [10], at: 1400 });
    });

    it('arms a new timer for the first insert after a flush', () => {
      const { buffer, clock, calls } = recording({ interval: 100 });
      buffer.insert('a', 1);
      clock.advance(100);
      clock.advance(30);
      buffer.insert('a', 2);
      clock.advance(99);
      expect(calls).toHaveLength(1);
      clock.advance(1);
      expect(calls[1]).toEqual({ key: 'a', values: [2], at: 230 });
    });

    it.each([
      [0, 1000],
      [0.5, 1050],
      [0.999_999, 1100],
      [1, 1100],
      [Number.NaN, 1000],
    ])('adds jitter within 0..jitter (random() = %s flushes at %s)', (random, at) => {
      const { buffer, clock, calls } = recording({ interval: 1000, jitter: 100, random: () => random });
      buffer.insert('a', 1);
      clock.advance(at - 1);
      expect(calls).toEqual([]);
      clock.advance(1);
      expect(calls.map((c) => c.at)).toEqual([at]);
    });

    it('draws the jitter separately for each key', () => {
      const draws = [0, 0.999];
      const { buffer, clock, calls } = recording({ interval: 10, jitter: 10, random: () => draws.shift() ?? 0 });
      buffer.insert('a', 1);
      buffer.insert('b', 1);
      clock.advance(30);
      expect(calls.map((c) => [c.key, c.at])).toEqual([
        ['a', 10],
        ['b', 20],
      ]);
    });
  });

  describe('maxSize', () => {
    it('flushes a key at once when it reaches maxSize and cancels its timer', () => {
      const { buffer, clock, calls } = recording({ interval: 5000, maxSize: 3 });
      buffer.insert('a', 1);
      clock.advance(1000);
      buffer.insert('a', 2);
      buffer.insert('a', 3);
      expect(calls).toEqual([{ key: 'a', values: [1, 2, 3], at: 1000 }]);
      clock.advance(1000);
      buffer.insert('a', 4); // a new batch: its own timer, due at 7000
      clock.advance(3000); // the cancelled timer (due at 5000) must not flush it early
      expect(calls).toHaveLength(1);
      clock.advance(2000);
      expect(calls[1]).toEqual({ key: 'a', values: [4], at: 7000 });
      expect(clock.pending).toBe(0);
    });

    it('never hands more than maxSize values to one flush, even when values piled up', async () => {
      const clock = new ManualClock();
      const gate = deferred();
      const calls: number[][] = [];
      const buffer = new DataBuffer<string, number>({
        clock,
        maxSize: 2,
        flush: (_key, values) => {
          calls.push([...values]);
          return gate.promise;
        },
      });
      for (let i = 0; i < 7; i++) buffer.insert('a', i);
      expect(calls).toEqual([[0, 1]]);
      gate.resolve();
      await buffer.flush('a');
      expect(calls).toEqual([[0, 1], [2, 3], [4, 5], [6]]);
    });
  });

  describe('flush / flushAll', () => {
    it('flushes one key now and resolves when it is done', async () => {
      const { buffer, calls } = recording();
      buffer.insert('a', 1);
      buffer.insert('b', 2);
      await buffer.flush('a');
      expect(calls.map((c) => c.key)).toEqual(['a']);
      expect(buffer.count('b')).toBe(1);
      await buffer.flush('missing');
    });

    it('waits for an async flush to finish', async () => {
      const gate = deferred();
      const buffer = new DataBuffer<string, number>({ clock: new ManualClock(), flush: () => gate.promise });
      buffer.insert('a', 1);
      await expectHeldUntilOpened(gate, buffer.flush('a'));
      expect(buffer.metrics().flushed).toBe(1);
    });

    it('flushes every key with flushAll and cancels their timers', async () => {
      const { buffer, calls, clock } = recording();
      buffer.insert('a', 1);
      buffer.insert('b', 2);
      await buffer.flushAll();
      expect(calls.map((c) => [c.key, c.values])).toEqual([
        ['a', [1]],
        ['b', [2]],
      ]);
      expect(clock.pending).toBe(0);
    });
  });

  describe('ordering', () => {
    it('delivers values of a key in insertion order and never runs two flushes of a key at once', async () => {
      const clock = new ManualClock();
      const gates: Deferred[] = [];
      const calls: number[][] = [];
      let running = 0;
      let overlap = false;
      const buffer = new DataBuffer<string, number>({
        clock,
        interval: 100,
        partitions: 4,
        flush: (_key, values) => {
          calls.push([...values]);
          running++;
          if (running > 1) overlap = true;
          const gate = deferred();
          gates.push(gate);
          return gate.promise.finally(() => running--);
        },
      });
      buffer.insert('a', 1);
      buffer.insert('a', 2);
      clock.advance(100);
      expect(calls).toEqual([[1, 2]]);
      buffer.insert('a', 3); // inserted while the first flush runs
      buffer.insert('a', 4);
      clock.advance(100); // its timer fires, but the key is still being flushed
      const second = buffer.flush('a');
      expect(calls).toHaveLength(1);
      expect(buffer.count('a')).toBe(2);
      gates[0]?.resolve();
      await settle();
      expect(calls).toEqual([
        [1, 2],
        [3, 4],
      ]);
      gates[1]?.resolve();
      await second;
      expect(overlap).toBe(false);
    });
  });

  describe('partitions', () => {
    it('runs at most `partitions` flushes at once, one per lane', async () => {
      const clock = new ManualClock();
      const gates: Deferred[] = [];
      let running = 0;
      let peak = 0;
      const buffer = new DataBuffer<string, number>({
        clock,
        partitions: 3,
        flush: () => {
          running++;
          peak = Math.max(peak, running);
          const gate = deferred();
          gates.push(gate);
          return gate.promise.finally(() => running--);
        },
      });
      for (let k = 0; k < 30; k++) buffer.insert(`key-${k}`, k);
      const all = buffer.flushAll();
      let released = 0;
      while (released < 30) {
        await settle();
        expect(running).toBeLessThanOrEqual(3);
        expect(gates.length - released).toBe(running);
        gates[released++]?.resolve();
      }
      await all;
      expect(peak).toBeGreaterThan(1);
      expect(peak).toBeLessThanOrEqual(3);
      expect(buffer.metrics().flushed).toBe(30);
    });

    it('runs flushes one at a time with a single partition', async () => {
      const gates: Deferred[] = [];
      const buffer = new DataBuffer<number, number>({
        clock: new ManualClock(),
        flush: () => {
          const gate = deferred();
          gates.push(gate);
          return gate.promise;
        },
      });
      buffer.insert(1, 1);
      buffer.insert(2, 2);
      const all = buffer.flushAll();
      await settle();
      expect(gates).toHaveLength(1);
      gates[0]?.resolve();
      await settle();
      expect(gates).toHaveLength(2);
      gates[1]?.resolve();
      await all;
    });

    it('spreads object keys over the lanes in turn', async () => {
      const gates: Deferred[] = [];
      const buffer = new DataBuffer<object, number>({
        clock: new ManualClock(),
        partitions: 2,
        flush: () => {
          const gate = deferred();
          gates.push(gate);
          return gate.promise;
        },
      });
      buffer.insert({}, 1);
      buffer.insert({}, 2);
      const all = buffer.flushAll();
      expect(gates).toHaveLength(2); // two lanes, both busy at once
      for (const gate of gates) gate.resolve();
      await all;
    });
  });

  describe('retries', () => {
    it('makes exactly retryMax attempts retryDelay apart, then hands the values to onError', async () => {
      const clock = new ManualClock();
      const attempts: Array<{ at: number; values: number[] }> = [];
      const onError = vi.fn();
      const failure = new Error('database down');
      const buffer = new DataBuffer<string, number>({
        clock,
        interval: 100,
        retryDelay: 50,
        retryMax: 3,
        onError,
        flush: async (_key, values) => {
          attempts.push({ at: clock.now(), values: [...values] });
          throw failure;
        },
      });
      buffer.insert('a', 1);
      buffer.insert('a', 2);
      await clock.advanceAsync(1_000);
      expect(attempts).toEqual([
        { at: 100, values: [1, 2] },
        { at: 150, values: [1, 2] },
        { at: 200, values: [1, 2] },
      ]);
      expect(onError).toHaveBeenCalledExactlyOnceWith('a', [1, 2], failure);
      expect(buffer.metrics()).toEqual({ inserted: 2, flushed: 0, failedAttempts: 3, handedToOnError: 2, buffered: 0 });
      expect(buffer.count('a')).toBeUndefined();
    });

    it('stops retrying once an attempt succeeds', async () => {
      const clock = new ManualClock();
      let attempts = 0;
      const onError = vi.fn();
      const buffer = new DataBuffer<string, number>({
        clock,
        retryDelay: 10,
        onError,
        flush: () => {
          attempts++;
          if (attempts < 2) throw new Error('flaky');
        },
      });
      buffer.insert('a', 1);
      const flushing = buffer.flush('a');
      await clock.advanceAsync(10);
      await flushing;
      expect(attempts).toBe(2);
      expect(onError).not.toHaveBeenCalled();
      expect(buffer.metrics()).toEqual({ inserted: 1, flushed: 1, failedAttempts: 1, handedToOnError: 0, buffered: 0 });
    });

    it('keeps the values ahead of newer ones for the next interval when there is no onError', async () => {
      const clock = new ManualClock();
      const calls: Array<{ at: number; values: number[] }> = [];
      let healthy = false;
      const buffer = new DataBuffer<string, number>({
        clock,
        interval: 1000,
        retryDelay: 100,
        retryMax: 2,
        flush: (_key, values) => {
          calls.push({ at: clock.now(), values: [...values] });
          if (!healthy) throw new Error('down');
        },
      });
      buffer.insert('a', 1);
      clock.advance(1000); // attempt 1 fails
      buffer.insert('a', 2);
      clock.advance(100); // attempt 2 fails: [1] goes back ahead of [2]
      expect(buffer.count('a')).toBe(2);
      expect(buffer.metrics()).toEqual({ inserted: 2, flushed: 0, failedAttempts: 2, handedToOnError: 0, buffered: 2 });
      healthy = true;
      clock.advance(1899); // the timer armed by the insert of 2 (due at 2000) flushes both
      expect(calls.map((c) => c.at)).toEqual([1000, 1100, 2000]);
      expect(calls[2]?.values).toEqual([1, 2]);
      expect(buffer.metrics()).toMatchObject({ flushed: 2, buffered: 0 });
    });

    it('arms a timer for kept values when no newer value did', () => {
      const clock = new ManualClock();
      const calls: number[] = [];
      let healthy = false;
      const buffer = new DataBuffer<string, number>({
        clock,
        interval: 1000,
        retryMax: 1,
        flush: () => {
          calls.push(clock.now());
          if (!healthy) throw new Error('down');
        },
      });
      buffer.insert('a', 1);
      clock.advance(1000);
      healthy = true;
      clock.advance(1000);
      expect(calls).toEqual([1000, 2000]);
      expect(buffer.count('a')).toBeUndefined();
    });

    it('rejects flush(key) with a FlushError listing the kept values when there is no onError', async () => {
      const failure = new Error('down');
      const buffer = new DataBuffer<string, number>({
        clock: new ManualClock(),
        retryMax: 1,
        flush: () => Promise.reject(failure),
      });
      buffer.insert('a', 1);
      const error = await buffer.flush('a').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FlushError);
      expect(error).toBeInstanceOf(DispenserError);
      expect((error as FlushError).code).toBe('FLUSH_FAILED');
      expect((error as FlushError).failures).toEqual([{ key: 'a', values: [1], error: failure }]);
      expect((error as FlushError).cause).toBe(failure);
      expect(buffer.count('a')).toBe(1);
    });

    it('keeps the values when onError itself fails', async () => {
      const handlerFailure = new Error('disk full too');
      const buffer = failingOnce(() => {
        throw handlerFailure;
      });
      buffer.insert('a', 1);
      await expect(buffer.flush('a')).rejects.toMatchObject({ failures: [{ key: 'a', values: [1], error: handlerFailure }] });
      expect(buffer.count('a')).toBe(1);
      expect(buffer.metrics()).toMatchObject({ handedToOnError: 0, buffered: 1 });
    });

    it('waits for an async onError before a flush resolves', async () => {
      const gate = deferred();
      const buffer = new DataBuffer<string, number>({
        clock: new ManualClock(),
        retryMax: 1,
        flush: () => Promise.reject(new Error('down')),
        onError: () => gate.promise,
      });
      buffer.insert('a', 1);
      await expectHeldUntilOpened(gate, buffer.flush('a'));
      expect(buffer.metrics().handedToOnError).toBe(1);
    });
  });

  describe('close', () => {
    it('flushes every key, waits for running flushes and resolves when all is done', async () => {
      const clock = new ManualClock();
      const gate = deferred();
      const calls: Array<[string, number[]]> = [];
      const buffer = new DataBuffer<string, number>({
        clock,
        maxSize: 2,
        partitions: 2,
        flush: (key, values) => {
          calls.push([key, [...values]]);
          return key === 'slow' ? gate.promise : undefined;
        },
      });
      buffer.insert('slow', 1);
      buffer.insert('slow', 2); // maxSize: in flight now
      buffer.insert('a', 1);
      buffer.insert('b', 1);
      let closed = false;
      const closing = buffer.close().then(() => (closed = true));
      await settle();
      expect(closed).toBe(false);
      gate.resolve();
      await closing;
      expect(calls).toEqual(
        expect.arrayContaining([
          ['slow', [1, 2]],
          ['a', [1]],
          ['b', [1]],
        ])
      );
      expect(buffer.metrics()).toEqual({ inserted: 4, flushed: 4, failedAttempts: 0, handedToOnError: 0, buffered: 0 });
      expect(clock.pending).toBe(0);
    });

    it('retries during close and hands the values to onError', async () => {
      const clock = new ManualClock();
      const onError = vi.fn();
      const buffer = new DataBuffer<string, number>({
        clock,
        retryDelay: 10,
        retryMax: 2,
        onError,
        flush: () => {
          throw new Error('down');
        },
      });
      buffer.insert('a', 1);
      const closing = buffer.close();
      await clock.advanceAsync(10);
      await closing;
      expect(onError).toHaveBeenCalledOnce();
      expect(buffer.metrics()).toMatchObject({ failedAttempts: 2, handedToOnError: 1, buffered: 0 });
    });

    it('throws BufferClosedError on insert after close', async () => {
      const { buffer } = recording();
      await buffer.close();
      expect(buffer.isClosed).toBe(true);
      expect(() => buffer.insert('a', 1)).toThrow(BufferClosedError);
      expect(buffer.metrics().inserted).toBe(0);
    });

    it('rejects with a FlushError listing values nobody took, which stay counted', async () => {
      const buffer = new DataBuffer<string, number>({
        clock: new ManualClock(),
        retryMax: 1,
        flush: (key) => {
          if (key === 'bad') throw new Error('down');
        },
      });
      buffer.insert('bad', 1);
      buffer.insert('good', 2);
      const error = await buffer.close().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FlushError);
      expect((error as FlushError).failures).toEqual([{ key: 'bad', values: [1], error: expect.any(Error) }]);
      expect(buffer.count('bad')).toBe(1);
      expect(buffer.metrics()).toMatchObject({ flushed: 1, buffered: 1 });
    });

    it('returns the same promise when called twice, and Symbol.asyncDispose closes', async () => {
      const { buffer, calls } = recording();
      buffer.insert('a', 1);
      const first = buffer[Symbol.asyncDispose]();
      expect(buffer.close()).toBe(first);
      await first;
      expect(calls).toHaveLength(1);
    });
  });

  describe('on the system clock', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('waits an interval above 2^31-1 ms in full', () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const calls: number[][] = [];
      const buffer = new DataBuffer<string, number>({ flush: (_key, values) => void calls.push([...values]), interval: 2 ** 31 });
      buffer.insert('a', 1);
      vi.advanceTimersByTime(2);
      expect(calls).toEqual([]);
      vi.advanceTimersByTime(2 ** 31 - 3);
      expect(calls).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(calls).toEqual([[1]]);
    });

    it('waits a retryDelay above 2^31-1 ms in full', () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      let attempts = 0;
      const buffer = new DataBuffer<string, number>({
        maxSize: 1,
        retryDelay: 3 * 2 ** 31,
        flush: () => {
          attempts++;
          if (attempts === 1) throw new Error('down');
        },
      });
      buffer.insert('a', 1);
      expect(attempts).toBe(1);
      vi.advanceTimersByTime(2);
      expect(attempts).toBe(1);
      vi.advanceTimersByTime(3 * 2 ** 31 - 3);
      expect(attempts).toBe(1);
      vi.advanceTimersByTime(1);
      expect(attempts).toBe(2);
      expect(buffer.metrics()).toMatchObject({ flushed: 1, failedAttempts: 1, buffered: 0 });
    });
  });

  describe('untrusted thenables', () => {
    /** Expects `inserted = flushed + handedToOnError + buffered` with nothing negative. */
    function expectBalanced(buffer: DataBuffer<string, number>): void {
      const { inserted, flushed, handedToOnError, buffered } = buffer.metrics();
      expect(flushed).toBeGreaterThanOrEqual(0);
      expect(buffered).toBeGreaterThanOrEqual(0);
      expect(flushed + handedToOnError + buffered).toBe(inserted);
    }

    /** A DataBuffer whose flush returns `results` in turn (then succeeds), on a ManualClock. */
    function returning(results: unknown[], options: Partial<DataBufferOptions<string, number>> = {}) {
      const clock = new ManualClock();
      const calls: number[][] = [];
      const buffer = new DataBuffer<string, number>({
        clock,
        maxSize: 1,
        retryDelay: 10,
        flush: (_key, values) => {
          calls.push([...values]);
          return results.shift() as void;
        },
        ...options,
      });
      return { clock, calls, buffer };
    }

    it('treats a flush result whose then throws as a failed attempt and keeps the lane free', async () => {
      const failure = new Error('hostile then');
      const { buffer, clock, calls } = returning([
        {
          then() {
            throw failure;
          },
        },
      ]);
      expect(() => buffer.insert('a', 1)).not.toThrow();
      await clock.advanceAsync(10);
      expect(calls).toEqual([[1], [1]]);
      await buffer.close();
      expect(buffer.metrics()).toEqual({ inserted: 1, flushed: 1, failedAttempts: 1, handedToOnError: 0, buffered: 0 });
    });

    it('treats a flush result with a then getter that throws as a failed attempt', async () => {
      const failure = new Error('hostile getter');
      const hostile = Object.defineProperty({}, 'then', {
        get() {
          throw failure;
        },
      });
      const { buffer, clock } = returning([hostile, hostile], { retryMax: 1 });
      expect(() => buffer.insert('a', 1)).not.toThrow();
      await clock.advanceAsync(0);
      expect(buffer.count('a')).toBe(1);
      await expect(buffer.close()).rejects.toMatchObject({ failures: [{ key: 'a', values: [1], error: failure }] });
      expectBalanced(buffer);
    });

    it('counts a batch flushed once when then fulfils and then rejects', async () => {
      const { buffer, clock, calls } = returning([
        {
          then(resolve: () => void, reject: (error: unknown) => void) {
            resolve();
            reject(new Error('too late'));
          },
        },
      ]);
      buffer.insert('a', 1);
      await clock.advanceAsync(100);
      await buffer.close();
      expect(calls).toEqual([[1]]);
      expect(buffer.metrics()).toEqual({ inserted: 1, flushed: 1, failedAttempts: 0, handedToOnError: 0, buffered: 0 });
    });

    it('counts a batch flushed once when then fulfils twice', async () => {
      const { buffer, clock } = returning([
        {
          then(resolve: () => void) {
            resolve();
            resolve();
          },
        },
      ]);
      buffer.insert('a', 1);
      buffer.insert('a', 2);
      await clock.advanceAsync(100);
      await buffer.close();
      expect(buffer.metrics()).toEqual({ inserted: 2, flushed: 2, failedAttempts: 0, handedToOnError: 0, buffered: 0 });
    });

    it('counts a failed attempt once when then rejects twice', async () => {
      const { buffer, clock, calls } = returning([
        {
          then(_resolve: () => void, reject: (error: unknown) => void) {
            reject(new Error('one'));
            reject(new Error('two'));
          },
        },
      ]);
      buffer.insert('a', 1);
      await clock.advanceAsync(100);
      await buffer.close();
      expect(calls).toEqual([[1], [1]]);
      expect(buffer.metrics()).toEqual({ inserted: 1, flushed: 1, failedAttempts: 1, handedToOnError: 0, buffered: 0 });
    });

    it('treats an onError result whose then throws as onError failing: the values stay', async () => {
      const failure = new Error('hostile onError then');
      const buffer = failingOnce(
        () =>
          ({
            then() {
              throw failure;
            },
          } as unknown as Promise<void>)
      );
      buffer.insert('a', 1);
      let flushing: Promise<void> | undefined;
      expect(() => (flushing = buffer.flush('a'))).not.toThrow();
      await expect(flushing).rejects.toMatchObject({ failures: [{ key: 'a', values: [1], error: failure }] });
      expect(buffer.count('a')).toBe(1);
      expect(buffer.metrics()).toMatchObject({ handedToOnError: 0, buffered: 1 });
      expectBalanced(buffer);
    });

    it('counts values handed to onError once when its then calls back twice', async () => {
      const buffer = failingOnce(
        () =>
          ({
            then(resolve: () => void, reject: (error: unknown) => void) {
              resolve();
              resolve();
              reject(new Error('late'));
            },
          } as unknown as Promise<void>)
      );
      buffer.insert('a', 1);
      await buffer.flush('a');
      await settle();
      expect(buffer.metrics()).toEqual({ inserted: 1, flushed: 0, failedAttempts: 1, handedToOnError: 1, buffered: 0 });
      expect(buffer.count('a')).toBeUndefined();
    });
  });

  describe('close({ signal })', () => {
    const never = (): Promise<void> => new Promise<void>(() => undefined);

    it('stops waiting for a flush that never settles and rejects with the signal reason', async () => {
      const clock = new ManualClock();
      const buffer = new DataBuffer<string, number>({ clock, flush: never });
      buffer.insert('a', 1);
      buffer.insert('a', 2);
      const controller = new AbortController();
      const closing = buffer.close({ signal: controller.signal });
      await settle();
      const reason = new Error('shutdown deadline');
      controller.abort(reason);
      await expect(closing).rejects.toBe(reason);
      expect(buffer.isClosed).toBe(true);
      expect(buffer.count('a')).toBe(2);
      expect(buffer.metrics()).toEqual({ inserted: 2, flushed: 0, failedAttempts: 0, handedToOnError: 0, buffered: 2 });
      expect(clock.pending).toBe(0);
    });

    it('stops waiting for an onError that never settles', async () => {
      const clock = new ManualClock();
      const buffer = new DataBuffer<string, number>({
        clock,
        retryMax: 1,
        flush: () => Promise.reject(new Error('down')),
        onError: never,
      });
      buffer.insert('a', 1);
      const controller = new AbortController();
      const closing = buffer.close({ signal: controller.signal });
      await settle();
      controller.abort();
      await expect(closing).rejects.toBe(controller.signal.reason);
      expect(buffer.count('a')).toBe(1);
      expect(buffer.metrics()).toMatchObject({ inserted: 1, handedToOnError: 0, buffered: 1 });
    });

    it('clears a pending retry timer, keeping its values, and tries nothing more', async () => {
      const clock = new ManualClock();
      let attempts = 0;
      const buffer = new DataBuffer<string, number>({
        clock,
        retryDelay: 1_000,
        flush: () => {
          attempts++;
          throw new Error('down');
        },
      });
      buffer.insert('a', 1);
      const controller = new AbortController();
      const closing = buffer.close({ signal: controller.signal });
      expect(attempts).toBe(1);
      expect(clock.pending).toBe(1);
      controller.abort();
      await expect(closing).rejects.toBe(controller.signal.reason);
      expect(clock.pending).toBe(0);
      await clock.advanceAsync(10_000);
      expect(attempts).toBe(1);
      expect(buffer.count('a')).toBe(1);
      expect(buffer.metrics()).toEqual({ inserted: 1, flushed: 0, failedAttempts: 1, handedToOnError: 0, buffered: 1 });
    });

    it('rejects at once for a signal that is already aborted, after refusing inserts and stopping timers', async () => {
      const clock = new ManualClock();
      const flush = vi.fn();
      const buffer = new DataBuffer<string, number>({ clock, flush });
      buffer.insert('a', 1);
      expect(clock.pending).toBe(1);
      const reason = new Error('too late');
      await expect(buffer.close({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
      expect(flush).not.toHaveBeenCalled();
      expect(clock.pending).toBe(0);
      expect(() => buffer.insert('a', 2)).toThrow(BufferClosedError);
      expect(buffer.count('a')).toBe(1);
      expect(buffer.metrics()).toMatchObject({ inserted: 1, buffered: 1 });
    });

    it('returns the same promise when called again, and a later call can abort it', async () => {
      const buffer = new DataBuffer<string, number>({ clock: new ManualClock(), flush: never });
      buffer.insert('a', 1);
      const first = buffer.close();
      const controller = new AbortController();
      expect(buffer.close({ signal: controller.signal })).toBe(first);
      expect(buffer[Symbol.asyncDispose]()).toBe(first);
      controller.abort('stop');
      await expect(first).rejects.toBe('stop');
      expect(buffer.close()).toBe(first);
    });

    it('resolves as usual when everything is flushed before the signal aborts', async () => {
      const { buffer } = recording();
      buffer.insert('a', 1);
      const controller = new AbortController();
      await buffer.close({ signal: controller.signal });
      controller.abort();
      await expect(buffer.close()).resolves.toBeUndefined();
      expect(buffer.metrics()).toMatchObject({ flushed: 1, buffered: 0 });
    });

    it('removes its abort listener once the close has settled', async () => {
      const { buffer } = recording();
      const controller = new AbortController();
      const remove = vi.spyOn(controller.signal, 'removeEventListener');
      await buffer.close({ signal: controller.signal });
      await settle();
      expect(remove).toHaveBeenCalledWith('abort', expect.any(Function));
    });

    it('starts no queued flush after the abort and rejects pending flush(key) calls with the reason', async () => {
      const gate = deferred();
      const calls: string[] = [];
      const buffer = new DataBuffer<string, number>({
        clock: new ManualClock(),
        flush: (key) => {
          calls.push(key);
          return key === 'hung' ? gate.promise : undefined;
        },
      });
      buffer.insert('hung', 1);
      buffer.insert('next', 2);
      const flushingHung = buffer.flush('hung');
      const flushingNext = buffer.flush('next');
      const controller = new AbortController();
      const closing = buffer.close({ signal: controller.signal });
      expect(calls).toEqual(['hung']);
      controller.abort('deadline');
      await expect(closing).rejects.toBe('deadline');
      await expect(flushingHung).rejects.toBe('deadline');
      await expect(flushingNext).rejects.toBe('deadline');
      expect(buffer.count('hung')).toBe(1);
      gate.resolve(); // the abandoned flush finishes late: it counts, and starts nothing by itself
      await settle();
      expect(calls).toEqual(['hung']);
      expect(buffer.metrics()).toMatchObject({ inserted: 2, flushed: 1, buffered: 1 });
      expect(buffer.count('hung')).toBeUndefined();
      expect(buffer.count('next')).toBe(1);
      await buffer.flushAll(); // tries again on request
      expect(calls).toEqual(['hung', 'next']);
      expect(buffer.metrics()).toMatchObject({ flushed: 2, buffered: 0 });
    });

    it('keeps the values of an abandoned flush that fails late, without retrying or calling onError', async () => {
      const clock = new ManualClock();
      const gate = deferred();
      const onError = vi.fn();
      const buffer = new DataBuffer<string, number>({ clock, retryDelay: 10, onError, flush: () => gate.promise });
      buffer.insert('a', 1);
      const controller = new AbortController();
      const closing = buffer.close({ signal: controller.signal });
      controller.abort();
      await expect(closing).rejects.toBe(controller.signal.reason);
      gate.reject(new Error('late failure'));
      await clock.advanceAsync(100);
      expect(onError).not.toHaveBeenCalled();
      expect(clock.pending).toBe(0);
      expect(buffer.count('a')).toBe(1);
      expect(buffer.metrics()).toEqual({ inserted: 1, flushed: 0, failedAttempts: 1, handedToOnError: 0, buffered: 1 });
    });

    it.each([
      ['options', 5, /^options must be an object/],
      ['options', null, /^options must be an object/],
      ['options.signal', { signal: 'soon' }, /^options\.signal must be an AbortSignal/],
      ['an unknown key', { signa: new AbortController().signal }, /^options has unknown key "signa"; known keys: signal$/],
    ])('rejects with a TypeError naming %s and leaves the buffer open', async (_name, options, message) => {
      const { buffer } = recording();
      const closing = buffer.close(options as unknown as { signal?: AbortSignal });
      await expect(closing).rejects.toThrow(TypeError);
      await expect(closing).rejects.toThrow(message);
      expect(buffer.isClosed).toBe(false);
    });
  });

  it('delivers 10,000 inserts across 100 keys exactly once, in order per key', async () => {
    const clock = new ManualClock();
    const received = new Map<number, number[]>();
    const failedOnce = new WeakSet<number[]>();
    let calls = 0;
    const buffer = new DataBuffer<number, number>({
      clock,
      interval: 50,
      jitter: 20,
      maxSize: 37,
      partitions: 4,
      retryDelay: 5,
      random: () => (calls * 0.37) % 1,
      flush: async (key, values) => {
        calls++;
        await Promise.resolve();
        if (calls % 7 === 0 && !failedOnce.has(values)) {
          failedOnce.add(values); // retries get the same array: each batch fails at most once
          throw new Error('transient');
        }
        let list = received.get(key);
        if (list === undefined) received.set(key, (list = []));
        list.push(...values);
      },
    });
    for (let i = 0; i < 10_000; i++) {
      buffer.insert((i * 31) % 100, i);
      if (i % 250 === 0) await clock.advanceAsync(13);
    }
    const closing = buffer.close();
    while (buffer.metrics().buffered > 0) await clock.advanceAsync(5);
    await closing;

    const expected = new Map<number, number[]>();
    for (let i = 0; i < 10_000; i++) {
      const key = (i * 31) % 100;
      expected.set(key, [...(expected.get(key) ?? []), i]);
    }
    let total = 0;
    for (let key = 0; key < 100; key++) {
      const values = received.get(key) ?? [];
      expect(values).toEqual(expected.get(key));
      total += values.length;
    }
    expect(total).toBe(10_000);
    expect(buffer.metrics()).toMatchObject({ inserted: 10_000, flushed: 10_000, handedToOnError: 0, buffered: 0 });
    expect(buffer.metrics().failedAttempts).toBeGreaterThan(0);
  });
});
