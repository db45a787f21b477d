import { describe, expect, it, vi } from 'vitest';
import type { Monitor } from './index';
import { SubscriptionManager } from './index';

/** A monitor whose `down` callbacks and cleanup calls the test can reach. */
function manualMonitor<S>() {
  const downs = new Map<S, (reason?: unknown) => void>();
  const cleanups = new Map<S, number>();
  const monitor: Monitor<S> = vi.fn((subscriber: S, down: (reason?: unknown) => void) => {
    downs.set(subscriber, down);
    return () => {
      cleanups.set(subscriber, (cleanups.get(subscriber) ?? 0) + 1);
    };
  });
  return { monitor, downs, cleanups };
}

describe('SubscriptionManager', () => {
  it('keeps one ref per monitored subscriber and counts it once', () => {
    const { monitor } = manualMonitor<string>();
    const manager = new SubscriptionManager<string>({ monitor });
    const ref = manager.monitor('a');
    expect(manager.monitor('a')).toBe(ref);
    expect(manager.size).toBe(1);
    expect(monitor).toHaveBeenCalledTimes(1);
    manager.monitor('b');
    expect(manager.size).toBe(2);
    expect([...manager.subscribers()]).toEqual(['a', 'b']);
  });

  it('returns false when demonitoring an unknown subscriber', () => {
    const manager = new SubscriptionManager<string>();
    expect(manager.demonitor('nobody')).toBe(false);
  });

  it('demonitors a subscriber and runs its cleanup once', () => {
    const { monitor, cleanups } = manualMonitor<string>();
    const manager = new SubscriptionManager<string>({ monitor });
    manager.monitor('a');
    expect(manager.demonitor('a')).toBe(true);
    expect(manager.demonitor('a')).toBe(false);
    expect(manager.has('a')).toBe(false);
    expect(manager.size).toBe(0);
    expect(cleanups.get('a')).toBe(1);
  });

  it('answers down with not_subscribed, wrong_ref or ok', () => {
    const { monitor, cleanups } = manualMonitor<string>();
    const onDown = vi.fn();
    const manager = new SubscriptionManager<string>({ monitor, onDown });
    expect(manager.down('a', {})).toBe('not_subscribed');
    const ref = manager.monitor('a');
    expect(manager.down('a', {})).toBe('wrong_ref');
    expect(manager.size).toBe(1);
    expect(cleanups.get('a')).toBeUndefined();
    expect(manager.down('a', ref)).toBe('ok');
    expect(manager.size).toBe(0);
    expect(cleanups.get('a')).toBe(1);
    expect(manager.down('a', ref)).toBe('not_subscribed');
    expect(onDown).not.toHaveBeenCalled();
  });

  it('forgets a subscriber its monitor reports down, then calls onDown', () => {
    const { monitor, downs, cleanups } = manualMonitor<string>();
    const seen: unknown[] = [];
    const manager = new SubscriptionManager<string>({
      monitor,
      onDown: (subscriber, ref, reason) => seen.push([subscriber, ref, reason, manager.has(subscriber)]),
    });
    const ref = manager.monitor('a');
    downs.get('a')?.('crashed');
    expect(seen).toEqual([['a', ref, 'crashed', false]]);
    expect(cleanups.get('a')).toBe(1);
    downs.get('a')?.('again');
    expect(seen).toHaveLength(1);
    expect(manager.down('a', ref)).toBe('not_subscribed');
  });

  it('ignores a down report from an earlier monitoring of the same subscriber', () => {
    const { monitor, downs } = manualMonitor<string>();
    const onDown = vi.fn();
    const manager = new SubscriptionManager<string>({ monitor, onDown });
    const first = manager.monitor('a');
    const staleDown = downs.get('a');
    manager.demonitor('a');
    const second = manager.monitor('a');
    expect(second).not.toBe(first);
    staleDown?.('late');
    expect(onDown).not.toHaveBeenCalled();
    expect(manager.has('a')).toBe(true);
    expect(manager.down('a', first)).toBe('wrong_ref');
  });

  it('handles a subscriber reported down while its monitor starts', () => {
    const cleanup = vi.fn();
    const onDown = vi.fn();
    const manager = new SubscriptionManager<string>({
      monitor: (_subscriber, down) => {
        down('already gone');
        return cleanup;
      },
      onDown,
    });
    const ref = manager.monitor('a');
    expect(onDown).toHaveBeenCalledWith('a', ref, 'already gone');
    expect(manager.has('a')).toBe(false);
    expect(cleanup).toHaveBeenCalledTimes(1);
  });

  it('runs the cleanup once when the monitor reports down after a demonitor', () => {
    const { monitor, downs, cleanups } = manualMonitor<string>();
    const manager = new SubscriptionManager<string>({ monitor });
    manager.monitor('a');
    manager.demonitor('a');
    downs.get('a')?.();
    expect(cleanups.get('a')).toBe(1);
  });

  it('leaves a subscriber unmonitored when its monitor throws', () => {
    const manager = new SubscriptionManager<string>({
      monitor: () => {
        throw new Error('cannot watch');
      },
    });
    expect(() => manager.monitor('a')).toThrow('cannot watch');
    expect(manager.size).toBe(0);
  });

  it('watches subscriber.signal by default', () => {
    const controller = new AbortController();
    const subscriber = { signal: controller.signal };
    const onDown = vi.fn();
    const manager = new SubscriptionManager<typeof subscriber>({ onDown });
    const ref = manager.monitor(subscriber);
    controller.abort('stop');
    expect(onDown).toHaveBeenCalledWith(subscriber, ref, 'stop');
    expect(manager.size).toBe(0);
  });

  it('rejects a monitor or onDown that is not a function', () => {
    expect(() => new SubscriptionManager({ monitor: 1 as never })).toThrow(TypeError);
    expect(() => new SubscriptionManager({ onDown: 'x' as never })).toThrow(TypeError);
  });
});
