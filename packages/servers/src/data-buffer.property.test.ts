import { fc, test } from '@fast-check/vitest';
import { ManualClock } from '@dispenser/testing-utils';
import { expect } from 'vitest';
import { DataBuffer } from './data-buffer';
import { FlushError } from './errors';

type Command =
  | { kind: 'insert'; key: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'flush'; key: number }
  | { kind: 'flushAll' };

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('insert' as const), key: fc.nat(3) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.nat(1_500) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('flush' as const), key: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('flushAll' as const) }) },
);

const setup = fc.record({
  maxSize: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constant(Number.POSITIVE_INFINITY)),
  partitions: fc.integer({ min: 1, max: 3 }),
  retryMax: fc.integer({ min: 1, max: 3 }),
  jitter: fc.nat(200),
  withOnError: fc.boolean(),
  /** What flush returns: nothing, a promise, or a thenable that calls back twice and then throws. */
  mode: fc.constantFrom('sync' as const, 'promise' as const, 'hostile' as const),
  /** Outcome of successive flush attempts while the sink is unhealthy: true = fails. */
  failures: fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
});

test.prop([setup, fc.array(command, { maxLength: 60 })], { numRuns: 400 })(
  'DataBuffer hands every inserted value over exactly once, in insertion order per key',
  async (options, commands) => {
    const clock = new ManualClock();
    /** Per key, every value in the order it was handed to flush (successfully) or to onError. */
    const delivered = new Map<number, number[]>();
    const deliver = (key: number, values: number[]): void => {
      delivered.set(key, [...(delivered.get(key) ?? []), ...values]);
    };
    let healthy = false;
    let attempt = 0;
    const running = new Set<number>();
    const buffer = new DataBuffer<number, number>({
      clock,
      interval: 1_000,
      jitter: options.jitter,
      maxSize: options.maxSize,
      partitions: options.partitions,
      retryMax: options.retryMax,
      retryDelay: 100,
      random: () => (attempt * 0.618) % 1,
      ...(options.withOnError ? { onError: (key: number, values: number[]) => deliver(key, values) } : {}),
      flush: (key, values) => {
        expect(running.has(key)).toBe(false); // never two flushes of one key at once
        expect(values.length).toBeLessThanOrEqual(options.maxSize);
        const fails = !healthy && options.failures[attempt++ % options.failures.length] === true;
        if (options.mode === 'sync') {
          if (fails) throw new Error('sink down');
          deliver(key, values);
          return undefined;
        }
        running.add(key);
        if (options.mode === 'hostile') {
          const hostile = {
            then(resolve: () => void, reject: (error: unknown) => void) {
              running.delete(key);
              if (fails) {
                reject(new Error('sink down'));
                resolve();
              } else {
                deliver(key, values);
                resolve();
                reject(new Error('too late'));
              }
              throw new Error('then throws after calling back');
            },
          };
          return hostile as unknown as Promise<void>;
        }
        return Promise.resolve().then(() => {
          running.delete(key);
          if (fails) throw new Error('sink down');
          deliver(key, values);
        });
      },
    });
    const expectFlushError = (error: unknown): void => {
      expect(error).toBeInstanceOf(FlushError);
    };

    const inserted = new Map<number, number[]>();
    let next = 0;
    for (const step of commands) {
      if (step.kind === 'insert') {
        inserted.set(step.key, [...(inserted.get(step.key) ?? []), next]);
        buffer.insert(step.key, next++);
      } else if (step.kind === 'advance') {
        await clock.advanceAsync(step.ms);
      } else if (step.kind === 'flush') {
        buffer.flush(step.key).catch(expectFlushError);
      } else {
        buffer.flushAll().catch(expectFlushError);
      }
      const counters = buffer.metrics();
      expect(counters.buffered).toBeGreaterThanOrEqual(0);
      expect(counters.flushed + counters.handedToOnError + counters.buffered).toBe(counters.inserted);
    }

    /** Advances the clock (retries need it) until `promise` settles. */
    const settleWithClock = async (promise: Promise<unknown>): Promise<void> => {
      let settled = false;
      void promise.finally(() => (settled = true));
      for (let round = 0; !settled && round < 200; round++) await clock.advanceAsync(100);
      await promise;
    };

    healthy = true;
    await settleWithClock(buffer.close().catch(expectFlushError));
    // Values kept by failures before the sink recovered are still buffered: flush them now.
    for (let round = 0; buffer.metrics().buffered > 0 && round < 10; round++) {
      await settleWithClock(buffer.flushAll().catch(expectFlushError));
    }

    expect(buffer.metrics().buffered).toBe(0);
    expect(new Map([...delivered].filter(([, values]) => values.length > 0))).toEqual(inserted);
    const metrics = buffer.metrics();
    expect(metrics.inserted).toBe(next);
    expect(metrics.flushed + metrics.handedToOnError).toBe(next);
  },
);
