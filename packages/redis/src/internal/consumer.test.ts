import { describe, expect, test } from 'vitest';
import { parseClaim, parseRead } from './consumer';

const entries = [
  ['1-0', ['e', '"a"']],
  ['2-0', ['x', 'y', 'e', '"b"']],
];

describe('parseRead', () => {
  test.each([
    ['RESP 2 pairs', [['dispenser:{q}', entries]]],
    ['RESP 3 map as an object (node-redis)', { 'dispenser:{q}': entries }],
    ['RESP 3 map as a flat list (ioredis)', ['dispenser:{q}', entries]],
    ['RESP 3 map as a Map', new Map([['dispenser:{q}', entries]])],
  ])('reads the entries of %s', (_, reply) => {
    expect(parseRead(reply)).toEqual([
      { id: '1-0', text: '"a"', deliveries: 1 },
      { id: '2-0', text: '"b"', deliveries: 1 },
    ]);
  });

  test.each([[null], [undefined], [[]], [{}], ['OK']])('reads nothing from %j', (reply) => {
    expect(parseRead(reply)).toEqual([]);
  });

  test('gives an entry without the event field an empty text', () => {
    expect(parseRead([['k', [['3-0', null]]]])).toEqual([{ id: '3-0', text: '', deliveries: 1 }]);
  });
});

describe('parseClaim', () => {
  test('reads id, text, delivery count triples', () => {
    expect(parseClaim(['1-0', '"a"', 2, '5-0', '"b"', '3'])).toEqual([
      { id: '1-0', text: '"a"', deliveries: 2 },
      { id: '5-0', text: '"b"', deliveries: 3 },
    ]);
    expect(parseClaim(null)).toEqual([]);
  });
});
