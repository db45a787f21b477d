import { describe, expect, it } from 'vitest';
import { createFakeEvent, createFakeEvents } from './fake-event';

describe('createFakeEvent', () => {
  it('creates an event numbered n', () => {
    expect(createFakeEvent(7)).toEqual({ id: 7 });
  });

  it('numbers the event 0 by default', () => {
    expect(createFakeEvent()).toEqual({ id: 0 });
  });

  it('creates a new frozen object on every call', () => {
    const a = createFakeEvent(1);
    const b = createFakeEvent(1);
    expect(a).not.toBe(b);
    expect(Object.isFrozen(a)).toBe(true);
  });

  it.each([-1, 1.5, Number.NaN])('rejects n = %s with a RangeError naming n', (n) => {
    expect(() => createFakeEvent(n)).toThrow(RangeError);
    expect(() => createFakeEvent(n)).toThrow(/\bn\b/);
  });
});

describe('createFakeEvents', () => {
  it('creates count events numbered 0 to count - 1, in order', () => {
    expect(createFakeEvents(4)).toEqual([{ id: 0 }, { id: 1 }, { id: 2 }, { id: 3 }]);
  });

  it('creates distinct frozen objects', () => {
    const events = createFakeEvents(100);
    expect(new Set(events).size).toBe(100);
    expect(events.every((event) => Object.isFrozen(event))).toBe(true);
  });

  it('returns an empty array for 0', () => {
    expect(createFakeEvents(0)).toEqual([]);
  });

  it('returns a new array on every call', () => {
    const first = createFakeEvents(2);
    expect(createFakeEvents(2)).not.toBe(first);
    expect(createFakeEvents(2)[0]).not.toBe(first[0]);
  });

  it.each([-1, 2.5, Number.POSITIVE_INFINITY])('rejects count = %s with a RangeError naming count', (count) => {
    expect(() => createFakeEvents(count)).toThrow(RangeError);
    expect(() => createFakeEvents(count)).toThrow(/count/);
  });

  it('rejects a non-number count with a TypeError', () => {
    expect(() => createFakeEvents('3' as unknown as number)).toThrow(TypeError);
  });
});
