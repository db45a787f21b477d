// A test double: any DemandBuffer seen through its required members only, for code that must cope without the optional ones.
import type { DemandBuffer } from '@dispenser/core';

/** The optional members of a `DemandBuffer` that {@link bareDemandBuffer} can pass through. */
export type DemandBufferExtra = 'capacity' | 'prepend' | 'appendAndAssign' | 'watchDrops' | 'discarded' | 'supportsRedelivery';

/**
 * A plain object that drives `buffer` through the members every `DemandBuffer` has (`append`,
 * `ask`, `assignEvents`, `delete`, `size`, `stats`) and only the optional ones named in `keep`:
 * to test code against a buffer without, say, `capacity` or `prepend`.
 *
 * @example
 * ```ts
 * import { EventBuffer } from '@dispenser/core';
 * import { bareDemandBuffer, fillInOrder } from '@dispenser/testing-utils';
 *
 * const inner = new EventBuffer<string, string>({ strategy: fillInOrder, capacity: 3 });
 * const noPrepend = bareDemandBuffer(inner, ['capacity']);
 * 'prepend' in noPrepend; // false
 * noPrepend.capacity;     // 3
 * ```
 */
export function bareDemandBuffer<E, S>(buffer: DemandBuffer<E, S>, keep: readonly DemandBufferExtra[] = []): DemandBuffer<E, S> {
  const bare: DemandBuffer<E, S> = {
    append: (events) => buffer.append(events),
    ask: (subscriber, demand) => buffer.ask(subscriber, demand),
    assignEvents: () => buffer.assignEvents(),
    delete: (subscriber) => buffer.delete(subscriber),
    stats: () => buffer.stats(),
    get size() {
      return buffer.size;
    },
  };
  for (const member of keep) {
    Object.defineProperty(bare, member, {
      get: () => {
        const current = (buffer as unknown as Record<string, unknown>)[member];
        return typeof current === 'function' ? (current as (...args: unknown[]) => unknown).bind(buffer) : current;
      },
      enumerable: true,
    });
  }
  return bare;
}
