import type { Subscriber } from '@dispenser/core';
import { describe, expect, it } from 'vitest';
import { createFakeEvents, type FakeEvent } from './fake-event';
import { ManualClock } from './manual-clock';
import { TestSubscriber } from './test-subscriber';

describe('TestSubscriber', () => {
  it('implements Subscriber', () => {
    const subscriber: Subscriber<FakeEvent> = new TestSubscriber<FakeEvent>();
    expect(subscriber.signal).toBeInstanceOf(AbortSignal);
  });

  it('records events, batches and deliveries in arrival order', () => {
    const subscriber = new TestSubscriber<string>();
    expect(subscriber.handleAssignedEvents(['a', 'b'], 'server-1')).toBeUndefined();
    subscriber.handleAssignedEvents(['c'], 'server-2');
    expect(subscriber.events).toEqual(['a', 'b', 'c']);
    expect(subscriber.batches).toEqual([['a', 'b'], ['c']]);
    expect(subscriber.failed).toEqual([]);
    expect(subscriber.deliveries).toEqual([
      { events: ['a', 'b'], sender: 'server-1', index: 0, outcome: 'accepted' },
      { events: ['c'], sender: 'server-2', index: 1, outcome: 'accepted' },
    ]);
  });

  it('copies what it receives and what it returns', () => {
    const subscriber = new TestSubscriber<string>();
    const batch = ['a'];
    subscriber.handleAssignedEvents(batch, null);
    batch.push('mutated');
    subscriber.events.push('x');
    subscriber.batches[0]?.push('y');
    expect(subscriber.events).toEqual(['a']);
    expect(subscriber.batches).toEqual([['a']]);
  });

  describe('failOn', () => {
    it("throws on batches where it returns 'throw' or true, recording them as failed", () => {
      const subscriber = new TestSubscriber<number>({
        failOn: (_batch, index) => (index === 0 ? 'throw' : index === 1),
      });
      expect(() => subscriber.handleAssignedEvents([1], null)).toThrow(/batch 0/);
      expect(() => subscriber.handleAssignedEvents([2], null)).toThrow(/batch 1/);
      subscriber.handleAssignedEvents([3], null);
      expect(subscriber.events).toEqual([3]);
      expect(subscriber.failed).toEqual([[1], [2]]);
      expect(subscriber.batches).toEqual([[1], [2], [3]]);
      expect(subscriber.deliveries.map((d) => d.outcome)).toEqual(['thrown', 'thrown', 'accepted']);
      expect(subscriber.deliveries[0]?.error).toBeInstanceOf(Error);
    });

    it("returns a rejected promise where it returns 'reject'", async () => {
      const subscriber = new TestSubscriber<number>({ failOn: (batch) => (batch.includes(13) ? 'reject' : false) });
      const result = subscriber.handleAssignedEvents([12, 13], null);
      expect(result).toBeInstanceOf(Promise);
      await expect(result).rejects.toThrow(/failOn/);
      expect(subscriber.handleAssignedEvents([14], null)).toBeUndefined();
      expect(subscriber.deliveries.map((d) => d.outcome)).toEqual(['rejected', 'accepted']);
      expect(subscriber.events).toEqual([14]);
    });

    it('receives a copy of each batch and its index', () => {
      const seen: Array<[readonly number[], number]> = [];
      const subscriber = new TestSubscriber<number>({
        failOn: (batch, index) => {
          seen.push([batch, index]);
          (batch as number[]).push(99);
          return false;
        },
      });
      subscriber.handleAssignedEvents([1], null);
      subscriber.handleAssignedEvents([2, 3], null);
      expect(seen).toEqual([
        [[1, 99], 0],
        [[2, 3, 99], 1],
      ]);
      expect(subscriber.events).toEqual([1, 2, 3]);
    });

    it('must be a function', () => {
      expect(() => new TestSubscriber({ failOn: 'throw' as never })).toThrow(/options\.failOn/);
    });
  });

  describe('waitForEvents', () => {
    it('resolves at once when enough events already arrived', async () => {
      const subscriber = new TestSubscriber<FakeEvent>();
      subscriber.handleAssignedEvents(createFakeEvents(3), null);
      await expect(subscriber.waitForEvents(2)).resolves.toEqual(createFakeEvents(3));
      await expect(subscriber.waitForEvents(0)).resolves.toHaveLength(3);
    });

    it('resolves once n events were accepted, and clears its timer', async () => {
      const clock = new ManualClock();
      const subscriber = new TestSubscriber<number>({ clock, failOn: (batch) => batch.includes(-1) });
      const waiting = subscriber.waitForEvents(3);
      let settled = false;
      void waiting.then(() => (settled = true));
      subscriber.handleAssignedEvents([1, 2], null);
      expect(() => subscriber.handleAssignedEvents([-1, -1], null)).toThrow();
      await Promise.resolve();
      expect(settled).toBe(false);
      subscriber.handleAssignedEvents([3, 4], null);
      await expect(waiting).resolves.toEqual([1, 2, 3, 4]);
      expect(clock.pending).toBe(0);
    });

    it('rejects when the timeout passes first, saying how many arrived', async () => {
      const clock = new ManualClock();
      const subscriber = new TestSubscriber<number>({ clock });
      const waiting = subscriber.waitForEvents(5, { timeout: 100 });
      subscriber.handleAssignedEvents([1, 2], null);
      clock.advance(99);
      clock.advance(1);
      await expect(waiting).rejects.toThrow('waitForEvents(5) timed out with 2 events received after 100 ms');
      subscriber.handleAssignedEvents([3, 4, 5], null);
      expect(subscriber.events).toHaveLength(5);
    });

    it('prefers the clock given to the call over the one given to the constructor', async () => {
      const own = new ManualClock();
      const other = new ManualClock();
      const subscriber = new TestSubscriber<number>({ clock: own });
      const waiting = subscriber.waitForEvents(1, { clock: other, timeout: 10 });
      expect([own.pending, other.pending]).toEqual([0, 1]);
      other.advance(10);
      await expect(waiting).rejects.toThrow(/timed out/);
    });

    it('waits on real timers by default', async () => {
      const subscriber = new TestSubscriber<number>();
      await expect(subscriber.waitForEvents(1, { timeout: 1 })).rejects.toThrow(/timed out/);
    });

    it('serves several waiters independently', async () => {
      const clock = new ManualClock();
      const subscriber = new TestSubscriber<number>({ clock });
      const one = subscriber.waitForEvents(1);
      const three = subscriber.waitForEvents(3);
      subscriber.handleAssignedEvents([1], null);
      await expect(one).resolves.toEqual([1]);
      expect(clock.pending).toBe(1);
      subscriber.handleAssignedEvents([2, 3], null);
      await expect(three).resolves.toEqual([1, 2, 3]);
      expect(clock.pending).toBe(0);
    });

    it('rejects with the reason when its signal aborts', async () => {
      const clock = new ManualClock();
      const subscriber = new TestSubscriber<number>({ clock });
      const controller = new AbortController();
      const waiting = subscriber.waitForEvents(1, { signal: controller.signal });
      controller.abort('cancelled');
      await expect(waiting).rejects.toBe('cancelled');
      expect(clock.pending).toBe(0);
      await expect(subscriber.waitForEvents(0, { signal: controller.signal })).rejects.toBe('cancelled');
    });

    it('rejects bad arguments synchronously, naming them', () => {
      const subscriber = new TestSubscriber<number>();
      expect(() => subscriber.waitForEvents(-1)).toThrow(RangeError);
      expect(() => subscriber.waitForEvents(-1)).toThrow(/\bn\b/);
      expect(() => subscriber.waitForEvents(1, { timeout: -5 })).toThrow(/timeout/);
    });
  });

  describe('waitForBatches', () => {
    it('counts failed batches too', async () => {
      const clock = new ManualClock();
      const subscriber = new TestSubscriber<number>({ clock, failOn: () => 'reject' });
      const waiting = subscriber.waitForBatches(2);
      await expect(subscriber.handleAssignedEvents([1], null)).rejects.toThrow();
      await expect(subscriber.handleAssignedEvents([2], null)).rejects.toThrow();
      await expect(waiting).resolves.toEqual([[1], [2]]);
      expect(subscriber.events).toEqual([]);
    });

    it('rejects on timeout', async () => {
      const clock = new ManualClock();
      const subscriber = new TestSubscriber<number>({ clock });
      const waiting = subscriber.waitForBatches(1, { timeout: 5 });
      clock.advance(5);
      await expect(waiting).rejects.toThrow('waitForBatches(1) timed out with 0 batches received after 5 ms');
    });
  });

  describe('crash', () => {
    it('aborts its signal with a default error', () => {
      const subscriber = new TestSubscriber<number>();
      expect(subscriber.crashed).toBe(false);
      subscriber.crash();
      expect(subscriber.crashed).toBe(true);
      expect(subscriber.signal.aborted).toBe(true);
      expect(subscriber.signal.reason).toBeInstanceOf(Error);
    });

    it('notifies abort listeners once, with the given reason', () => {
      const subscriber = new TestSubscriber<number>();
      const reasons: unknown[] = [];
      subscriber.signal.addEventListener('abort', () => reasons.push(subscriber.signal.reason));
      subscriber.crash('gone');
      subscriber.crash('again');
      expect(reasons).toEqual(['gone']);
    });

    it('keeps recording batches sent after the crash', () => {
      const subscriber = new TestSubscriber<number>();
      subscriber.crash();
      subscriber.handleAssignedEvents([1], null);
      expect(subscriber.batches).toEqual([[1]]);
    });
  });
});
