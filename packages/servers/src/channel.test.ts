import { BufferClosedError } from '@dispenser/core';
import { describe, expect, it } from 'vitest';
import { Channel } from './channel';
import { settle } from './test/settle';

interface Tracked<T> {
  status: 'pending' | 'fulfilled' | 'rejected';
  value?: T;
  error?: unknown;
}

/** Records how a promise settles, so tests can look at it without awaiting it. */
function track<T>(promise: Promise<T>): Tracked<T> {
  const tracked: Tracked<T> = { status: 'pending' };
  promise.then(
    (value) => {
      tracked.status = 'fulfilled';
      tracked.value = value;
    },
    (error: unknown) => {
      tracked.status = 'rejected';
      tracked.error = error;
    },
  );
  return tracked;
}

describe('Channel', () => {
  describe('constructor', () => {
    it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])(
      'throws a RangeError naming capacity for %s',
      (capacity) => {
        expect(() => new Channel(capacity)).toThrow(RangeError);
        expect(() => new Channel(capacity)).toThrow(/capacity/);
      },
    );

    it('throws a TypeError naming capacity for a non-number', () => {
      expect(() => new Channel('3' as unknown as number)).toThrow(TypeError);
      expect(() => new Channel('3' as unknown as number)).toThrow(/capacity.*"3"/);
    });

    it('exposes the capacity and starts empty and open', () => {
      const channel = new Channel<string>(4);
      expect(channel.capacity).toBe(4);
      expect(channel.size).toBe(0);
      expect(channel.isClosed).toBe(false);
    });
  });

  describe('with capacity N', () => {
    it('returns values in the order they were written', async () => {
      const channel = new Channel<number>(5);
      for (let i = 0; i < 5; i++) await channel.write(i);
      expect(channel.size).toBe(5);
      const out: number[] = [];
      for (let i = 0; i < 5; i++) out.push(await channel.read());
      expect(out).toEqual([0, 1, 2, 3, 4]);
      expect(channel.size).toBe(0);
    });

    it('makes a write wait while full and lets it in when a read makes room', async () => {
      const channel = new Channel<string>(2);
      await channel.write('a');
      await channel.write('b');
      const third = track(channel.write('c'));
      await settle();
      expect(third.status).toBe('pending');
      expect(channel.size).toBe(2);

      expect(await channel.read()).toBe('a');
      expect(channel.size).toBe(2); // 'c' moved into the freed slot at once
      await settle();
      expect(third.status).toBe('fulfilled');
      expect([await channel.read(), await channel.read()]).toEqual(['b', 'c']);
    });

    it('wakes waiting writers in the order they started waiting', async () => {
      const channel = new Channel<string>(1);
      await channel.write('first');
      const order: string[] = [];
      const writes = ['w1', 'w2', 'w3'].map((value) =>
        channel.write(value).then(() => order.push(value)),
      );
      const read: string[] = [];
      for (let i = 0; i < 4; i++) read.push(await channel.read());
      await Promise.all(writes);
      expect(read).toEqual(['first', 'w1', 'w2', 'w3']);
      expect(order).toEqual(['w1', 'w2', 'w3']);
    });

    it('wakes waiting readers in the order they started waiting', async () => {
      const channel = new Channel<string>(3);
      const readers = [track(channel.read()), track(channel.read()), track(channel.read())];
      await channel.write('a');
      await channel.write('b');
      await settle();
      expect(readers.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'pending']);
      expect(readers.map((r) => r.value)).toEqual(['a', 'b', undefined]);
      expect(channel.size).toBe(0); // handed straight to the readers, never buffered
      await channel.write('c');
      await settle();
      expect(readers[2]?.value).toBe('c');
    });
  });

  describe('with capacity 1', () => {
    it('holds one value and makes the second write wait', async () => {
      const channel = new Channel<number>(1);
      expect(channel.tryWrite(1)).toBe(true);
      expect(channel.tryWrite(2)).toBe(false);
      const second = track(channel.write(2));
      await settle();
      expect(second.status).toBe('pending');
      expect(channel.tryRead()).toEqual({ ok: true, value: 1 });
      await settle();
      expect(second.status).toBe('fulfilled');
      expect(channel.tryRead()).toEqual({ ok: true, value: 2 });
      expect(channel.tryRead()).toEqual({ ok: false });
    });
  });

  describe('with capacity 0 (rendezvous)', () => {
    it('completes a write only when a reader takes the value', async () => {
      const channel = new Channel<string>(0);
      const write = track(channel.write('x'));
      await settle();
      expect(write.status).toBe('pending');
      expect(channel.size).toBe(0);
      expect(await channel.read()).toBe('x');
      await settle();
      expect(write.status).toBe('fulfilled');
    });

    it('hands a write straight to a waiting reader', async () => {
      const channel = new Channel<string>(0);
      const read = channel.read();
      await channel.write('y');
      expect(await read).toBe('y');
    });

    it('refuses tryWrite without a waiting reader and accepts it with one', async () => {
      const channel = new Channel<string>(0);
      expect(channel.tryWrite('lost?')).toBe(false);
      expect(channel.tryRead()).toEqual({ ok: false });
      const read = channel.read();
      expect(channel.tryWrite('taken')).toBe(true);
      expect(await read).toBe('taken');
    });

    it('lets tryRead take the value of a waiting writer', async () => {
      const channel = new Channel<string>(0);
      const write = channel.write('z');
      expect(channel.tryRead()).toEqual({ ok: true, value: 'z' });
      await expect(write).resolves.toBeUndefined();
    });
  });

  describe('abort', () => {
    it('rejects a write with the reason of an already aborted signal and writes nothing', async () => {
      const channel = new Channel<string>(1);
      const reason = new Error('stop');
      await expect(channel.write('a', { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
      expect(channel.size).toBe(0);
    });

    it('rejects a read with the reason of an already aborted signal and takes nothing', async () => {
      const channel = new Channel<string>(1);
      channel.tryWrite('kept');
      const reason = new Error('stop');
      await expect(channel.read({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
      expect(channel.size).toBe(1);
      expect(await channel.read()).toBe('kept');
    });

    it('removes an aborted waiting writer without putting its value in the channel', async () => {
      const channel = new Channel<string>(1);
      await channel.write('a');
      const controller = new AbortController();
      const aborted = channel.write('never', { signal: controller.signal });
      const later = channel.write('b');
      controller.abort('gone');
      await expect(aborted).rejects.toBe('gone');
      expect(await channel.read()).toBe('a');
      expect(await channel.read()).toBe('b');
      await later;
      expect(channel.tryRead()).toEqual({ ok: false });
    });

    it('removes an aborted waiting reader so the next value goes to the reader behind it', async () => {
      const channel = new Channel<string>(0);
      const controller = new AbortController();
      const aborted = channel.read({ signal: controller.signal });
      const next = channel.read();
      controller.abort(new Error('timeout'));
      await expect(aborted).rejects.toThrow('timeout');
      await channel.write('value');
      expect(await next).toBe('value');
    });

    it('ignores an abort that comes after the operation completed', async () => {
      const channel = new Channel<string>(0);
      const controller = new AbortController();
      const read = channel.read({ signal: controller.signal });
      expect(channel.tryWrite('v')).toBe(true);
      controller.abort();
      expect(await read).toBe('v');
    });

    it('keeps working after many aborted waits', async () => {
      const channel = new Channel<number>(0);
      const keep = channel.read();
      for (let i = 0; i < 1_000; i++) {
        const controller = new AbortController();
        const read = channel.read({ signal: controller.signal });
        controller.abort();
        await expect(read).rejects.toBeDefined();
      }
      const late = channel.read();
      await channel.write(1);
      await channel.write(2);
      expect([await keep, await late]).toEqual([1, 2]);
    });

    it('rejects a bad signal or options with a TypeError', async () => {
      const channel = new Channel<number>(1);
      await expect(channel.read({ signal: 'no' as unknown as AbortSignal })).rejects.toThrow(TypeError);
      await expect(channel.write(1, null as unknown as { signal?: AbortSignal })).rejects.toThrow(/options/);
      await expect(channel.read({ singal: AbortSignal.abort() } as never)).rejects.toThrow(/unknown key "singal"; known keys: signal/);
      await expect(channel.read({ signal: 1 } as never)).rejects.toThrow(/options\.signal must be an AbortSignal/);
      expect(channel.size).toBe(0);
    });
  });

  describe('close', () => {
    it('rejects later writes and tryWrite with BufferClosedError', async () => {
      const channel = new Channel<string>(2);
      channel.close();
      expect(channel.isClosed).toBe(true);
      await expect(channel.write('a')).rejects.toBeInstanceOf(BufferClosedError);
      expect(() => channel.tryWrite('a')).toThrow(BufferClosedError);
    });

    it('rejects waiting writers, whose values never enter the channel', async () => {
      const channel = new Channel<string>(1);
      await channel.write('buffered');
      const pending = channel.write('pending');
      channel.close();
      await expect(pending).rejects.toBeInstanceOf(BufferClosedError);
      expect(await channel.read()).toBe('buffered');
      await expect(channel.read()).rejects.toBeInstanceOf(BufferClosedError);
    });

    it('keeps buffered values readable, then rejects reads with BufferClosedError', async () => {
      const channel = new Channel<number>(3);
      await channel.write(1);
      await channel.write(2);
      channel.close();
      expect(channel.tryRead()).toEqual({ ok: true, value: 1 });
      expect(await channel.read()).toBe(2);
      await expect(channel.read()).rejects.toBeInstanceOf(BufferClosedError);
      expect(channel.tryRead()).toEqual({ ok: false });
    });

    it('rejects waiting readers with BufferClosedError', async () => {
      const channel = new Channel<number>(0);
      const readers = [channel.read(), channel.read()];
      channel.close();
      for (const reader of readers) await expect(reader).rejects.toBeInstanceOf(BufferClosedError);
    });

    it('does nothing when called again, and Symbol.dispose closes too', async () => {
      const channel = new Channel<number>(1);
      channel[Symbol.dispose]();
      channel.close();
      expect(channel.isClosed).toBe(true);
      await expect(channel.read()).rejects.toBeInstanceOf(BufferClosedError);
    });
  });

  describe('async iteration', () => {
    it('yields every value in order and ends once closed and drained', async () => {
      const channel = new Channel<number>(2);
      const seen: number[] = [];
      const consumer = (async () => {
        for await (const value of channel) seen.push(value);
      })();
      for (let i = 0; i < 10; i++) await channel.write(i);
      channel.close();
      await consumer;
      expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });

    it('ends an iteration waiting on an empty channel when it closes', async () => {
      const channel = new Channel<number>(0);
      const iterator = channel[Symbol.asyncIterator]();
      const next = iterator.next();
      channel.close();
      await expect(next).resolves.toEqual({ done: true, value: undefined });
    });

    it('rejects the iteration with the reason when its signal aborts, taking nothing', async () => {
      const channel = new Channel<number>(1);
      const controller = new AbortController();
      const seen: number[] = [];
      const consumer = (async () => {
        for await (const value of channel.values({ signal: controller.signal })) seen.push(value);
      })();
      await channel.write(1);
      await settle();
      controller.abort('stop');
      await expect(consumer).rejects.toBe('stop');
      await channel.write(2);
      expect(seen).toEqual([1]);
      expect(await channel.read()).toBe(2);
    });
  });
});
