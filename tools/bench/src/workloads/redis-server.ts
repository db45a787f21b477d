// W8's Redis: REDIS_URL, or a redis-server of its own (free port, temp dir, no persistence), stopped by PID.
import { spawnSync } from 'node:child_process';
import { startRedisServer } from '@dispenser/testing-utils/redis-server';

/** A Redis server W8 may use: its URL and how to let go of it. */
export interface BenchRedis {
  readonly url: string;
  /** What it is, for the report: `redis-server 7.0.15 started by the bench (…)`, or `REDIS_URL`. */
  readonly description: string;
  /** Its process id, when the bench started it. */
  readonly pid: number | undefined;
  /** Stops a server the bench started (by its PID, then removes its dir); nothing for REDIS_URL. */
  stop(): Promise<void>;
}

/** Either a server, or why there is none (W8 is then skipped with that reason). */
export type RedisAvailability = { readonly redis: BenchRedis } | { readonly skipped: string };

/**
 * A server for W8: `REDIS_URL` when set (used as is, never stopped: W8 deletes only the keys it
 * made), else a `redis-server` from the PATH started on a free port of 127.0.0.1 in a new temp
 * dir (`--save '' --appendonly no --maxmemory-policy noeviction`), once it answers PING.
 */
export async function benchRedis(): Promise<RedisAvailability> {
  const shared = process.env['REDIS_URL'];
  if (shared !== undefined && shared !== '') {
    return { redis: { url: shared, description: 'the server of REDIS_URL', pid: undefined, stop: () => Promise.resolve() } };
  }
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    return { skipped: 'no redis-server on the PATH and no REDIS_URL set (apt-get install redis-server, or REDIS_URL=redis://host:port)' };
  }
  const version = /v=(\S+)/.exec(probe.stdout)?.[1] ?? '?';
  try {
    const server = await startRedisServer();
    return {
      redis: {
        url: server.url,
        description: `redis-server ${version} started by the bench (127.0.0.1, no RDB or AOF, noeviction)`,
        pid: server.pid,
        stop: () => server.stop(),
      },
    };
  } catch (error) {
    return { skipped: `redis-server did not start: ${(error as Error).message}` };
  }
}
