import { describe, expect, it, test } from 'vitest';
import { BufferEmptyError, BufferFullError, DispenserError, RingBuffer } from './index';

describe('RingBuffer', () => {
  it('keeps the capacity exactly as given', () => {
    const ring = new RingBuffer<number>(3);
    ring.write(1);
    ring.write(2);
    ring.write(3);
    expect([ring.capacity, ring.size, ring.isFull]).toEqual([3, 3, true]);
  });

  it('wraps around: write a,b,c; read a; write d; write e throws; reads b,c,d; read throws', () => {
    const ring = new RingBuffer<string>(3);
    ring.write('a');
    ring.write('b');
    ring.write('c');
    expect(ring.read()).toBe('a');
    ring.write('d');
    expect(() => ring.write('e')).toThrow(BufferFullError);
    expect([ring.read(), ring.read(), ring.read()]).toEqual(['b', 'c', 'd']);
    expect(() => ring.read()).toThrow(BufferEmptyError);
  });

  it('leaves a full ring unchanged when a write throws', () => {
    const ring = new RingBuffer<string>(2);
    ring.write('a');
    ring.write('b');
    expect(() => ring.write('c')).toThrow(BufferFullError);
    expect([...ring]).toEqual(['a', 'b']);
  });

  it('throws errors with stable codes', () => {
    const ring = new RingBuffer<string>(1);
    const empty = (() => { try { ring.read(); } catch (error) { return error; } })();
    ring.write('a');
    const full = (() => { try { ring.write('b'); } catch (error) { return error; } })();
    expect(empty).toBeInstanceOf(DispenserError);
    expect((empty as DispenserError).code).toBe('BUFFER_EMPTY');
    expect((full as DispenserError).code).toBe('BUFFER_FULL');
    expect((full as Error).name).toBe('BufferFullError');
  });

  it('returns the very object that was written', () => {
    const ring = new RingBuffer<object>(2);
    const event = { id: 1 };
    ring.write(event);
    expect(ring.read()).toBe(event);
  });

  test.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('capacity %s throws a RangeError', (capacity) => {
    expect(() => new RingBuffer(capacity)).toThrow(RangeError);
  });

  it('capacity "4" throws a TypeError naming the argument', () => {
    expect(() => new RingBuffer('4' as unknown as number)).toThrow(/capacity/);
    expect(() => new RingBuffer('4' as unknown as number)).toThrow(TypeError);
  });
});
