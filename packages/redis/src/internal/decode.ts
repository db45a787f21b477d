// Turns raw entries into a batch of events, dead-lettering those the codec cannot decode.
import { CodecError } from '../errors';
import type { Codec } from '../codec';
import type { RedisDelivery } from '../redis-buffer-types';
import type { Consumer, RawEntry } from './consumer';

/** A decoded batch: its events and where they came from. */
export interface Batch<E> {
  readonly events: E[];
  readonly delivery: RedisDelivery;
}

/**
 * Decodes `entries` for `consumer`. An entry the codec refuses is moved to the dead-letter
 * stream, reported as a {@link CodecError}, and its demand is given back to the consumer.
 * Returns `undefined` when nothing could be decoded.
 */
export function decodeBatch<E>(consumer: Consumer, codec: Codec<E>, entries: RawEntry[], report: (error: unknown) => void): Batch<E> | undefined {
  const events: E[] = [];
  const ids: string[] = [];
  const deliveryCounts: number[] = [];
  const failed: string[] = [];
  for (const entry of entries) {
    try {
      events.push(codec.decode(entry.text));
    } catch (error) {
      failed.push(entry.id);
      report(new CodecError('decode', entry.id, error instanceof Error ? error.message : String(error), error));
      continue;
    }
    ids.push(entry.id);
    deliveryCounts.push(entry.deliveries);
  }
  if (failed.length > 0) {
    consumer.settle('dead', failed).catch(report);
    consumer.ask(failed.length);
  }
  return events.length === 0 ? undefined : { events, delivery: { consumer: consumer.name, ids, deliveryCounts } };
}
