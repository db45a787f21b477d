// Test helpers (not exported): commands and checks the dispatcher property tests share.
import type { DispatchingBuffer } from '@dispenser/core';
import { fc } from '@fast-check/vitest';
import { expect } from 'vitest';

/** One step of a dispatcher property; `Subscribe` adds the dispatcher's own subscribe options. */
export type DispatcherCommand<Subscribe extends object = object> =
  | ({ kind: 'subscribe'; consumer: number } & Subscribe)
  | { kind: 'cancel'; consumer: number }
  | { kind: 'ask'; consumer: number; demand: number }
  | { kind: 'dispatch'; count: number };

/**
 * Commands over consumers `0…consumers`, weighted 2 subscribe : 1 cancel : 4 ask (0 to 6) :
 * 4 dispatch (0 to `maxCount` events); `subscribe` gives arbitraries for extra subscribe fields.
 */
export function dispatcherCommands<Subscribe extends object = object>(options: {
  consumers: number;
  maxCount: number;
  subscribe?: { [K in keyof Subscribe]: fc.Arbitrary<Subscribe[K]> };
}): fc.Arbitrary<DispatcherCommand<Subscribe>> {
  const { consumers, maxCount, subscribe } = options;
  return fc.oneof(
    {
      arbitrary: fc.record({ kind: fc.constant('subscribe' as const), consumer: fc.nat(consumers), ...subscribe }),
      weight: 2,
    },
    { arbitrary: fc.record({ kind: fc.constant('cancel' as const), consumer: fc.nat(consumers) }), weight: 1 },
    {
      arbitrary: fc.record({ kind: fc.constant('ask' as const), consumer: fc.nat(consumers), demand: fc.nat(6) }),
      weight: 4,
    },
    { arbitrary: fc.record({ kind: fc.constant('dispatch' as const), count: fc.nat(maxCount) }), weight: 4 },
  ) as fc.Arbitrary<DispatcherCommand<Subscribe>>;
}

/** Checks that `dispatcher` reports `demands` per consumer and their sum in total. */
export function expectDemands(
  dispatcher: { demandOf(consumer: number): number; demand(): number },
  demands: Iterable<readonly [number, number]>,
): void {
  let total = 0;
  for (const [consumer, demand] of demands) {
    expect(dispatcher.demandOf(consumer)).toBe(demand);
    total += demand;
  }
  expect(dispatcher.demand()).toBe(total);
}

/** How {@link checkUnderDispatchingBuffer} maps commands to subscribers and what it checks. */
export interface UnderBufferOptions {
  /** The subscriber a command's consumer stands for. @default the consumer itself */
  subscriberOf?: (consumer: number) => number;
  /**
   * Whether each event goes to one subscriber only: then no event may arrive twice, and every
   * appended event must be delivered, dropped or still buffered. @default true
   */
  exclusive?: boolean;
  /** Whether a deleted subscriber's FIFO check starts over. @default false */
  forgetOrderOnDelete?: boolean;
  /** A further check of each delivered event. */
  checkEvent?: (subscriber: number, event: number) => void;
}

/**
 * Drives `buffer` with `commands` (`dispatch` appends numbered events, `ask` asks, `cancel`
 * deletes, `subscribe` runs `assignEvents()`) and checks after every step that it delivers
 * FIFO per subscriber and within demand, and that its demand agrees with what was asked and
 * with its dispatcher's.
 */
export function checkUnderDispatchingBuffer(
  buffer: DispatchingBuffer<number, number>,
  commands: readonly DispatcherCommand[],
  options: UnderBufferOptions = {},
): void {
  const { subscriberOf = (consumer) => consumer, exclusive = true, forgetOrderOnDelete = false, checkEvent } = options;
  let next = 0;
  let appended = 0;
  let dropped = 0;
  let delivered = 0;
  const seen = new Set<number>();
  const asked = new Map<number, number>();
  const last = new Map<number, number>();
  for (const step of commands) {
    if (step.kind === 'dispatch') {
      const events = Array.from({ length: step.count }, () => next++);
      appended += events.length;
      dropped += buffer.append(events);
    } else if (step.kind === 'ask') {
      const subscriber = subscriberOf(step.consumer);
      buffer.ask(subscriber, step.demand);
      if (step.demand > 0) asked.set(subscriber, (asked.get(subscriber) ?? 0) + step.demand);
    } else if (step.kind === 'cancel') {
      const subscriber = subscriberOf(step.consumer);
      buffer.delete(subscriber);
      asked.delete(subscriber);
      if (forgetOrderOnDelete) last.delete(subscriber);
    } else {
      for (const [subscriber, events] of buffer.assignEvents()) {
        expect(events.length).toBeLessThanOrEqual(asked.get(subscriber) ?? 0);
        asked.set(subscriber, (asked.get(subscriber) ?? 0) - events.length);
        for (const event of events) {
          if (exclusive) {
            expect(seen.has(event)).toBe(false);
            seen.add(event);
          }
          checkEvent?.(subscriber, event);
          expect(event).toBeGreaterThan(last.get(subscriber) ?? -1);
          last.set(subscriber, event);
        }
        delivered += events.length;
      }
      expect(buffer.stats().demand).toBe(buffer.dispatcher.demand?.());
    }
    if (exclusive) expect(appended).toBe(delivered + dropped + buffer.size);
    expect(buffer.stats().demand).toBe([...asked.values()].reduce((a, b) => a + b, 0));
  }
}
