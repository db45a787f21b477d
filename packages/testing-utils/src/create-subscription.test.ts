import { Demands } from '@dispenser/core';
import { describe, expect, it } from 'vitest';
import { createSubscription } from './create-subscription';

describe('createSubscription', () => {
  it('creates a value that is not === to any other subscription', () => {
    const subscriptions = Array.from({ length: 10 }, () => createSubscription());
    expect(new Set(subscriptions).size).toBe(10);
    expect(createSubscription('same')).not.toBe(createSubscription('same'));
  });

  it('works as a distinct Map key for demands', () => {
    const a = createSubscription();
    const b = createSubscription();
    const demands = new Demands<object>().add(a, 2).add(b, 3);
    expect([demands.get(a), demands.get(b), demands.size]).toEqual([2, 3, 2]);
  });

  it('carries the given name, or a numbered default one', () => {
    expect(createSubscription('alice').name).toBe('alice');
    const first = createSubscription();
    const second = createSubscription();
    expect(first.name).toMatch(/^subscription-\d+$/);
    expect(second.name).not.toBe(first.name);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(createSubscription())).toBe(true);
  });

  it('rejects a name that is not a string with a TypeError naming name', () => {
    expect(() => createSubscription(42 as unknown as string)).toThrow(TypeError);
    expect(() => createSubscription(42 as unknown as string)).toThrow(/name/);
  });
});
