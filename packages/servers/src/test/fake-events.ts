// Test helpers (not exported): fake-event buffers and readers the server tests share.
import { EventBuffer, type DropStrategy, type Subscriber } from '@dispenser/core';
import { createEven } from '@dispenser/strategies';
import type { FakeEvent } from '@dispenser/testing-utils';

/** The numbers of `events`, in order, for compact `toEqual`s. */
export const ids = (events: readonly FakeEvent[]): number[] => events.map((event) => event.id);

/** Fake events numbered `from` to `to - 1` (equal to, not the same objects as, `createFakeEvents`'). */
export const range = (from: number, to: number): FakeEvent[] =>
  Array.from({ length: to - from }, (_, i) => ({ id: from + i }));

/** Options of {@link createEvenBuffer}. */
export interface EvenBufferOptions {
  /** @default 100 */
  capacity?: number | undefined;
  /** @default 'drop-newest' */
  dropStrategy?: DropStrategy | undefined;
}

/**
 * An EventBuffer of fake events for subscribers, split by an even strategy whose random source
 * always answers 0, so which subscriber gets a leftover event is fixed.
 */
export function createEvenBuffer(options: EvenBufferOptions = {}): EventBuffer<FakeEvent, Subscriber<FakeEvent>> {
  const { capacity = 100, dropStrategy = 'drop-newest' } = options;
  return new EventBuffer<FakeEvent, Subscriber<FakeEvent>>({
    strategy: createEven({ random: () => 0 }),
    capacity,
    dropStrategy,
  });
}
