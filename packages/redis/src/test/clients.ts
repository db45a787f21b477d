// Connected clients of both supported libraries for the tests, closed together.
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import type { RedisClient } from '../redis-client';

/** The client libraries the tests run against. */
export const CLIENT_KINDS = ['redis', 'ioredis'] as const;

/** One of {@link CLIENT_KINDS}. */
export type ClientKind = (typeof CLIENT_KINDS)[number];

/** A connected client of `kind` and how to close it. */
export async function openClient(kind: ClientKind, url: string): Promise<{ client: RedisClient; close(): Promise<void> }> {
  if (kind === 'redis') {
    const client = createClient({ url });
    client.on('error', () => undefined);
    await client.connect();
    return { client, close: async () => client.destroy() };
  }
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  client.on('error', () => undefined);
  await client.connect();
  return { client, close: async () => client.disconnect() };
}
