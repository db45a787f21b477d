import { BufferClosedError } from '@dispenser/core';
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { Channel } from './channel';

/** For each producer, one flag per value it writes: whether that write gets an abort scheduled. */
const producersArb = fc.array(fc.array(fc.boolean(), { maxLength: 8 }), { minLength: 1, maxLength: 4 });
/** For each consumer, one flag per read (before it reads without a signal): whether it gets an abort. */
const consumersArb = fc.array(fc.array(fc.boolean(), { maxLength: 6 }), { minLength: 1, maxLength: 4 });

test.prop([fc.integer({ min: 0, max: 3 }), producersArb, consumersArb, fc.scheduler()], { numRuns: 150 })(
  'Channel hands every successfully written value to exactly one reader, in per-producer order, under any interleaving',
  async (capacity, producers, consumers, s) => {
    const channel = new Channel<string>(capacity);
    const written: string[] = [];
    const abortedWrites: string[] = [];
    const read: string[] = [];
    const abortReason = new Error('aborted by the test');

    /** Schedules an abort at a point in the interleaving chosen by the scheduler. */
    const abortLater = (enabled: boolean | undefined): AbortSignal | undefined => {
      if (enabled !== true) return undefined;
      const controller = new AbortController();
      void s.schedule(Promise.resolve('abort')).then(() => controller.abort(abortReason));
      return controller.signal;
    };

    const producing = producers.map(async (aborts, p) => {
      for (let i = 0; i < aborts.length; i++) {
        await s.schedule(Promise.resolve(`producer ${p}`));
        const value = `${p}:${i}`;
        const signal = abortLater(aborts[i]);
        try {
          await channel.write(value, signal ? { signal } : undefined);
          written.push(value);
        } catch (error) {
          expect(error).toBe(abortReason);
          abortedWrites.push(value);
        }
      }
    });

    const consuming = consumers.map(async (aborts, c) => {
      for (let i = 0; ; i++) {
        await s.schedule(Promise.resolve(`consumer ${c}`));
        const signal = abortLater(aborts[i]);
        try {
          read.push(await channel.read(signal ? { signal } : undefined));
        } catch (error) {
          if (error instanceof BufferClosedError) return;
          expect(error).toBe(abortReason);
        }
      }
    });

    const closing = Promise.all(producing).then(() => channel.close());
    await s.waitFor(Promise.all([closing, ...consuming]));

    // Nothing lost, nothing duplicated, nothing aborted slipped in.
    expect([...read].sort()).toEqual([...written].sort());
    expect(new Set(read).size).toBe(read.length);
    for (const value of abortedWrites) expect(read).not.toContain(value);
    expect(written.length + abortedWrites.length).toBe(producers.reduce((n, plan) => n + plan.length, 0));
    // FIFO: each producer's values come out in the order it wrote them.
    for (let p = 0; p < producers.length; p++) {
      const mine = read.filter((value) => value.startsWith(`${p}:`)).map((value) => Number(value.slice(value.indexOf(':') + 1)));
      expect(mine).toEqual([...mine].sort((a, b) => a - b));
    }
    expect(channel.size).toBe(0);
  },
);
