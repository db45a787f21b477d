import { describe, expect, it, test } from 'vitest';
import {
  assertClock,
  assertCount,
  assertDropStrategy,
  assertFunction,
  assertIterable,
  assertKnownKeys,
  assertObject,
  describeValue,
  readSignal,
} from './internal';

describe('describeValue', () => {
  test.each([
    ['4', '"4"'],
    [1.5, '1.5 (number)'],
    [Number.NaN, 'NaN (number)'],
    [true, 'true (boolean)'],
    [null, 'null'],
    [undefined, 'undefined'],
    [[1], 'an array'],
    [{}, 'an object'],
    [() => 1, 'a function'],
    [Symbol('s'), 'a symbol'],
  ])('describes %s as %s', (value, text) => {
    expect(describeValue(value)).toBe(text);
  });
});

describe('assertCount', () => {
  it('accepts safe integers from the minimum up', () => {
    expect(() => assertCount('n', 0)).not.toThrow();
    expect(() => assertCount('n', Number.MAX_SAFE_INTEGER)).not.toThrow();
    expect(() => assertCount('capacity', 1, 1)).not.toThrow();
  });

  test.each([-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1])(
    'throws a RangeError naming the argument and value for %s',
    (value) => {
      expect(() => assertCount('demand', value)).toThrow(RangeError);
      expect(() => assertCount('demand', value)).toThrow(new RegExp(`^demand must be a safe integer >= 0, received ${String(value)}`));
    },
  );

  it('throws a RangeError below the minimum and a TypeError for a non-number', () => {
    expect(() => assertCount('capacity', 0, 1)).toThrow('capacity must be a safe integer >= 1, received 0 (number)');
    expect(() => assertCount('capacity', '4')).toThrow(TypeError);
    expect(() => assertCount('capacity', '4')).toThrow('received "4"');
  });
});

describe('assertDropStrategy', () => {
  it('accepts the two strategies', () => {
    expect(() => assertDropStrategy('dropStrategy', 'drop-newest')).not.toThrow();
    expect(() => assertDropStrategy('dropStrategy', 'drop-oldest')).not.toThrow();
  });

  it('throws a RangeError for other strings and a TypeError for other types', () => {
    expect(() => assertDropStrategy('dropStrategy', 'drop_oldest')).toThrow(RangeError);
    expect(() => assertDropStrategy('dropStrategy', 'drop_oldest')).toThrow(/'drop-newest' or 'drop-oldest', received "drop_oldest"/);
    expect(() => assertDropStrategy('dropStrategy', undefined)).toThrow(TypeError);
  });
});

describe('assertIterable and assertFunction', () => {
  it('accept iterables and functions, and name the argument otherwise', () => {
    expect(() => assertIterable('values', new Set())).not.toThrow();
    expect(() => assertIterable('values', 'abc')).not.toThrow();
    expect(() => assertIterable('values', 5)).toThrow('values must be an iterable (for example an array), received 5 (number)');
    expect(() => assertFunction('flush', () => undefined)).not.toThrow();
    expect(() => assertFunction('flush', {})).toThrow('flush must be a function, received an object');
  });
});

describe('assertObject and assertClock', () => {
  it('accept objects and clocks', () => {
    expect(() => assertObject('options', {})).not.toThrow();
    expect(() => assertClock('clock', { now: () => 0, setTimeout: () => 1, clearTimeout: () => undefined })).not.toThrow();
  });

  it('name the argument and the value otherwise', () => {
    expect(() => assertObject('options', null)).toThrow('options must be an object, received null');
    expect(() => assertObject('options', 5)).toThrow(TypeError);
    expect(() => assertClock('options.clock', { setTimeout: () => 1, clearTimeout: () => undefined })).toThrow(
      'options.clock must be a Clock (an object with now, setTimeout and clearTimeout), received an object',
    );
    expect(() => assertClock('clock', undefined)).toThrow(TypeError);
  });
});

describe('assertKnownKeys', () => {
  it('accepts known keys and keys set to undefined', () => {
    expect(() => assertKnownKeys('options', { a: 1, b: undefined, z: undefined }, ['a', 'b'])).not.toThrow();
  });

  it('names every unknown key and lists the known ones', () => {
    expect(() => assertKnownKeys('options', { a: 1, onerror: () => 0 }, ['a', 'onError'])).toThrow(
      new TypeError('options has unknown key "onerror"; known keys: a, onError'),
    );
    expect(() => assertKnownKeys('options', { x: 1, y: 2 }, ['a'])).toThrow(/unknown keys "x", "y"/);
  });
});

describe('readSignal', () => {
  it('returns the signal of options that hold only a signal, or nothing', () => {
    const signal = new AbortController().signal;
    expect(readSignal({ signal })).toBe(signal);
    expect(readSignal({})).toBeUndefined();
    expect(readSignal(undefined)).toBeUndefined();
  });

  test.each([
    [null, 'options must be an object'],
    [{ signal: 1 }, 'options.signal must be an AbortSignal'],
    [{ signal: undefined, timeout: 5 }, 'options'],
  ])('refuses %j, naming it', (options, message) => {
    expect(() => readSignal(options)).toThrow(TypeError);
    expect(() => readSignal(options)).toThrow(message);
  });
});
