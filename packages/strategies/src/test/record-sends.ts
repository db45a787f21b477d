// Test helper (not exported): a recording `send` for the dispatcher tests.
import type { Send } from '@dispenser/core';

/** A `send` that records every call, and `take()`, which returns the calls so far and forgets them. */
export function recordSends<E, C = string>(): { send: Send<E, C>; take: () => Array<[C, E[]]> } {
  let sent: Array<[C, E[]]> = [];
  return {
    send: (consumer, events) => {
      sent.push([consumer, events]);
    },
    take: () => {
      const out = sent;
      sent = [];
      return out;
    },
  };
}
