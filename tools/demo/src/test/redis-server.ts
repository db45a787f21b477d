// The Redis of the `--redis` tests: their own redis-server on a free port, or REDIS_URL; skipped locally without either.
import { hasRedisServer, startRedisServer } from '@dispenser/testing-utils/redis-server';

const sharedUrl = process.env['REDIS_URL'];

/**
 * Whether the Redis tests run: a `redis-server` to start, or `REDIS_URL`. In CI (`CI=true`) they
 * always run, so that a missing server fails them instead of skipping them.
 */
export const redisTestsRun = hasRedisServer() || sharedUrl !== undefined || process.env['CI'] === 'true';

if (!redisTestsRun) {
  console.warn('@dispenser/demo: the --redis tests are skipped: install redis-server (apt-get install redis-server) or set REDIS_URL=redis://host:port');
}

/** The server of a test file. */
export interface TestRedis {
  readonly url: string;
  /** Stops a server this helper started; nothing for REDIS_URL. */
  stop(): Promise<void>;
}

/** `REDIS_URL` when set; otherwise a new `redis-server` on a free port of 127.0.0.1. */
export async function startRedis(): Promise<TestRedis> {
  if (sharedUrl !== undefined) return { url: sharedUrl, stop: () => Promise.resolve() };
  return startRedisServer();
}
