import { EventBuffer } from '@dispenser/core';
import { describe, expect, it } from 'vitest';
import { bareDemandBuffer, fillInOrder } from './index';

describe('bareDemandBuffer', () => {
  it('drives the buffer through the required members and hides the optional ones', () => {
    const inner = new EventBuffer<string, string>({ strategy: fillInOrder, capacity: 3 });
    const bare = bareDemandBuffer(inner);
    expect(['capacity', 'prepend', 'appendAndAssign', 'watchDrops'].filter((member) => member in bare)).toEqual([]);
    expect(bare.append(['a', 'b', 'c', 'd'])).toBe(1);
    bare.ask('one', 2);
    expect(bare.assignEvents()).toEqual([['one', ['a', 'b']]]);
    bare.ask('two', 1);
    bare.delete('two');
    expect([bare.size, bare.stats()]).toEqual([1, { buffered: 1, demand: 0 }]);
  });

  it('passes through the optional members named in keep, live', () => {
    const inner = new EventBuffer<string, string>({ strategy: fillInOrder, capacity: 3 });
    const bare = bareDemandBuffer(inner, ['capacity', 'prepend']);
    expect(bare.capacity).toBe(3);
    expect(bare.prepend?.(['x'])).toBe(0);
    expect(inner.size).toBe(1);
    expect('watchDrops' in bare).toBe(false);
  });
});
