// The Redis of a test file: its own redis-server on a free port, or REDIS_URL; skipped locally without either.
import { createClient } from 'redis';
import { afterAll, beforeAll } from 'vitest';
import { hasRedisServer, startRedisServer, type RedisServer } from '@dispenser/testing-utils/redis-server';

const sharedUrl = process.env['REDIS_URL'];

/**
 * Whether the Redis tests run: a binary to start, or `REDIS_URL`. In CI (`CI=true`) they always
 * run, so a missing server fails them instead of skipping.
 */
export const redisTestsRun = hasRedisServer() || sharedUrl !== undefined || process.env['CI'] === 'true';

if (!redisTestsRun) {
  console.warn('@dispenser/redis: Redis tests skipped: install redis-server (apt-get install redis-server) or set REDIS_URL=redis://host:port');
}

/** The server of a test file (a `REDIS_URL` server refuses `crash` and `restart`). */
export type TestRedis = RedisServer;

/** A new server, or the `REDIS_URL` one unless `appendOnly` asks for a server of its own. */
export async function startRedis(options: { appendOnly?: boolean } = {}): Promise<TestRedis> {
  if (sharedUrl === undefined || options.appendOnly === true) return startRedisServer(options);
  const refuse = (): Promise<void> => Promise.reject(new Error('a REDIS_URL server cannot be crashed by a test'));
  return { url: sharedUrl, port: Number(new URL(sharedUrl).port || 6379), pid: undefined, crash: refuse, restart: refuse, stop: () => Promise.resolve() };
}

/** A node-redis client of the test file's server, connected before its tests and closed after. */
export function useRedis(): { readonly redis: TestRedis; readonly client: ReturnType<typeof createClient> } {
  const state = {} as { redis: TestRedis; client: ReturnType<typeof createClient> };
  beforeAll(async () => {
    state.redis = await startRedis();
    state.client = createClient({ url: state.redis.url });
    state.client.on('error', () => undefined);
    await state.client.connect();
  });
  afterAll(async () => {
    state.client?.destroy();
    await state.redis?.stop();
  });
  return state;
}
