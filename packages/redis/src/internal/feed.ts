// Pumps a RedisBuffer subscription into a local server, acking each batch once the server took it.
import type { FeedOptions, FeedTarget } from '../redis-buffer-types';
import type { PullSubscription } from './pull-subscription';

/**
 * Writes each batch of `subscription` into `server` (waiting for room there), then lets the
 * subscription ack it, after the server accepted it or, with `ackWhen: 'idle'`, after the
 * server went idle. A failed or aborted write gives the batch back to Redis (its events may then
 * reach the server twice). Resolves when `signal` aborts or the subscription ends.
 */
export async function feed<E>(subscription: PullSubscription<E>, server: FeedTarget<E>, options: FeedOptions): Promise<void> {
  const { signal, ackWhen = 'accepted' } = options;
  const iterator = subscription[Symbol.asyncIterator]();
  for (;;) {
    let step: IteratorResult<E[]>;
    try {
      step = await iterator.next();
    } catch (error) {
      if (signal?.aborted === true && error === signal.reason) return;
      throw error;
    }
    if (step.done === true) return;
    try {
      await server.write(step.value, signal === undefined ? {} : { signal });
      if (ackWhen === 'idle') await server.onIdle?.(signal === undefined ? {} : { signal });
    } catch (error) {
      await subscription.giveBack();
      if (signal?.aborted === true && error === signal.reason) return;
      throw error;
    }
  }
}
