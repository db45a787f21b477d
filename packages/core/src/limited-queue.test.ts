import { describe, expect, it, test } from 'vitest';
import { LimitedQueue } from './index';

/** Runs `setup`, then lets a job boundary pass and collects garbage, so WeakRefs can clear. */
async function releasedAfter<T>(setup: () => T): Promise<T> {
  const result = setup();
  await new Promise<void>((resolve) => setImmediate(resolve));
  (globalThis as { gc?: () => void }).gc?.();
  return result;
}

describe('LimitedQueue', () => {
  it('starts empty with the given capacity and drop strategy', () => {
    const queue = new LimitedQueue<number>(5, 'drop-oldest');
    expect([queue.size, queue.capacity, queue.dropStrategy]).toEqual([0, 5, 'drop-oldest']);
    expect(new LimitedQueue<number>(1).dropStrategy).toBe('drop-newest');
  });

  it('pushes and pops in FIFO order', () => {
    const queue = new LimitedQueue<string>(3);
    expect(queue.push('a')).toBe(0);
    expect(queue.push('b')).toBe(0);
    expect(queue.pop()).toBe('a');
    expect(queue.pop()).toBe('b');
    expect(queue.pop()).toBeUndefined();
  });

  it('rejects a push to a full drop-newest queue', () => {
    const queue = new LimitedQueue<string>(2);
    queue.append(['a', 'b']);
    expect(queue.push('c')).toBe(1);
    expect(queue.toArray()).toEqual(['a', 'b']);
  });

  it('evicts the oldest value on a push to a full drop-oldest queue', () => {
    const queue = new LimitedQueue<string>(2, 'drop-oldest');
    queue.append(['a', 'b']);
    expect(queue.push('c')).toBe(1);
    expect(queue.toArray()).toEqual(['b', 'c']);
  });

  it('returns the batch length for a full drop-newest queue without reading the batch', () => {
    const queue = new LimitedQueue<number>(2);
    queue.append([1, 2]);
    const batch = new Proxy([3, 4, 5], {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) throw new Error('read an element');
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    expect(queue.append(batch)).toBe(3);
    expect(queue.toArray()).toEqual([1, 2]);
  });

  test.each([
    // capacity, strategy, before, batch, dropped, after
    [4, 'drop-newest', [], ['a', 'b', 'c', 'd', 'e'], 1, ['a', 'b', 'c', 'd']],
    [4, 'drop-newest', ['x'], ['a', 'b', 'c', 'd', 'e'], 2, ['x', 'a', 'b', 'c']],
    [4, 'drop-oldest', ['x', 'y'], ['a', 'b', 'c'], 1, ['y', 'a', 'b', 'c']],
    [3, 'drop-oldest', ['x', 'y'], ['a', 'b', 'c', 'd', 'e'], 4, ['c', 'd', 'e']],
    [3, 'drop-oldest', [], ['a', 'b', 'c'], 0, ['a', 'b', 'c']],
    [3, 'drop-oldest', ['x'], [], 0, ['x']],
  ] as const)('capacity %i %s: %j + %j drops %i and keeps %j', (capacity, strategy, before, batch, dropped, after) => {
    const queue = new LimitedQueue<string>(capacity, strategy);
    queue.append(before);
    expect(queue.append(batch)).toBe(dropped);
    expect(queue.toArray()).toEqual(after);
  });

  it('appends any iterable', () => {
    const queue = new LimitedQueue<number>(10);
    expect(queue.append(new Set([1, 2]))).toBe(0);
    expect(queue.append((function* () { yield 3; })())).toBe(0);
    expect(queue.toArray()).toEqual([1, 2, 3]);
  });

  it('splits up to the requested amount, oldest first', () => {
    const queue = new LimitedQueue<number>(10);
    queue.append([1, 2, 3, 4]);
    expect(queue.split(0)).toEqual([]);
    expect(queue.split(3)).toEqual([1, 2, 3]);
    expect(queue.split(3)).toEqual([4]);
    expect(queue.size).toBe(0);
  });

  it('keeps FIFO order across wrap-around and growth', () => {
    const queue = new LimitedQueue<number>(100);
    const model: number[] = [];
    let next = 0;
    for (let round = 0; round < 50; round++) {
      const batch = Array.from({ length: (round * 7) % 13 }, () => next++);
      queue.append(batch);
      model.push(...batch);
      const taken = queue.split((round * 5) % 11);
      expect(taken).toEqual(model.splice(0, taken.length));
    }
    expect(queue.toArray()).toEqual(model);
  });

  it('filters in place and returns how many were removed', () => {
    const queue = new LimitedQueue<number>(10);
    queue.append([1, 2, 3, 4, 5]);
    expect(queue.filter((n) => n % 2 === 1)).toBe(2);
    expect(queue.toArray()).toEqual([1, 3, 5]);
    expect(queue.filter(() => true)).toBe(0);
  });

  it('leaves the queue unchanged when the filter throws', () => {
    const queue = new LimitedQueue<number>(10);
    queue.append([1, 2, 3]);
    expect(() => queue.filter((n) => { if (n === 2) throw new Error('boom'); return false; })).toThrow('boom');
    expect(queue.toArray()).toEqual([1, 2, 3]);
  });

  it('iterates oldest first and clears', () => {
    const queue = new LimitedQueue<string>(3, 'drop-oldest');
    queue.append(['a', 'b', 'c', 'd']);
    expect([...queue]).toEqual(['b', 'c', 'd']);
    expect(queue.peek()).toBe('b');
    queue.clear();
    expect([queue.size, queue.toArray(), queue.peek()]).toEqual([0, [], undefined]);
  });

  it('prepends values ahead of the queue, oldest first', () => {
    const queue = new LimitedQueue<string>(5);
    queue.append(['c', 'd']);
    expect(queue.prepend(['a', 'b'])).toBe(0);
    expect(queue.toArray()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('prepends into a full drop-newest queue by dropping its newest values', () => {
    const queue = new LimitedQueue<string>(3);
    queue.append(['c', 'd', 'e']);
    expect(queue.prepend(['a', 'b'])).toBe(2);
    expect(queue.toArray()).toEqual(['a', 'b', 'c']);
  });

  it('prepends into a full drop-oldest queue by dropping the oldest prepended values', () => {
    const queue = new LimitedQueue<string>(3, 'drop-oldest');
    queue.append(['c', 'd']);
    expect(queue.prepend(['a', 'b'])).toBe(1);
    expect(queue.toArray()).toEqual(['b', 'c', 'd']);
  });

  it('keeps no reference to values it removed', async () => {
    const queue = new LimitedQueue<object>(4, 'drop-oldest');
    const refs = await releasedAfter(() => {
      const values = [{}, {}, {}, {}, {}, {}];
      queue.append(values.slice(0, 4));
      queue.pop();
      queue.split(1);
      queue.append(values.slice(4)); // wraps around
      queue.push({}); // evicts one more
      return values.slice(0, 3).map((value) => new WeakRef(value));
    });
    expect(refs.map((ref) => ref.deref())).toEqual([undefined, undefined, undefined]);
    expect(queue.size).toBe(4);
  });

  describe('bad input', () => {
    test.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('capacity %s throws a RangeError', (capacity) => {
      expect(() => new LimitedQueue(capacity)).toThrow(RangeError);
      expect(() => new LimitedQueue(capacity)).toThrow(/capacity/);
    });

    it('capacity "4" throws a TypeError naming the value', () => {
      expect(() => new LimitedQueue('4' as unknown as number)).toThrow(TypeError);
      expect(() => new LimitedQueue('4' as unknown as number)).toThrow(/capacity.*"4"/);
    });

    test.each(['drop_oldest', ''])('drop strategy %j throws a RangeError', (strategy) => {
      expect(() => new LimitedQueue(1, strategy as 'drop-oldest')).toThrow(RangeError);
      expect(() => new LimitedQueue(1, strategy as 'drop-oldest')).toThrow(/dropStrategy/);
    });

    it('append of a non-iterable throws a TypeError and changes nothing', () => {
      const queue = new LimitedQueue<number>(3);
      queue.push(1);
      expect(() => queue.append(5 as unknown as number[])).toThrow(TypeError);
      expect(() => queue.append(null as unknown as number[])).toThrow(/values/);
      expect(queue.toArray()).toEqual([1]);
    });

    test.each([-1, 0.5, Number.NaN])('split(%s) throws a RangeError and changes nothing', (amount) => {
      const queue = new LimitedQueue<number>(3);
      queue.push(1);
      expect(() => queue.split(amount)).toThrow(RangeError);
      expect(() => queue.split(amount)).toThrow(/amount/);
      expect(queue.toArray()).toEqual([1]);
    });
  });
});
