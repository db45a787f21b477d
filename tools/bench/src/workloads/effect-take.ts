// Taking from an Effect queue the way W1 and W2 do: `takeUnsafe` per event, an `Exit` each.
import { Exit, Queue } from 'effect';
import type { Ev } from './events';

/** Up to `amount` events taken from the front of `queue`, one `takeUnsafe` each. */
export function takeEffect(queue: Queue.Queue<Ev>, amount: number): Ev[] {
  const out: Ev[] = [];
  for (let k = 0; k < amount; k++) {
    const exit = Queue.takeUnsafe(queue);
    if (exit === undefined || !Exit.isSuccess(exit)) break;
    out.push(exit.value);
  }
  return out;
}
