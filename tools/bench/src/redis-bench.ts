// Runs W8 when Redis is there: starts a server of its own (or uses REDIS_URL), times the contenders, measures SIGKILL redelivery.
import { timeInterleaved } from './harness';
import type { Timing } from './harness';
import type { RedisSection } from './report';
import type { Profile } from './workloads/profile';
import { benchRedis } from './workloads/redis-server';

/** What W8 produced: its timings (none when skipped) and its section of the results. */
export interface RedisRun {
  readonly measured: { id: string; events: number; timings: Timing[] } | undefined;
  readonly section: RedisSection;
}

/**
 * W8 at the sizes of `profile`: skipped (with one log line saying why) when the profile has no
 * W8 or no Redis can be had; else on a server of its own, stopped by PID at the end. Its
 * contenders' modules (`@dispenser/redis`, BullMQ, node-redis) are loaded only then, so the
 * other workloads neither load them nor depend on them.
 */
export async function runRedisBench(profile: Profile, log: (line: string) => void): Promise<RedisRun> {
  const skip = (why: string): RedisRun => {
    log(`W8: skipped: ${why}`);
    return { measured: undefined, section: { server: null, skipped: why, redeliveryMs: [], redeliveryFromKillMs: [], redeliveredEvents: 0 } };
  };
  const sizes = profile.redis;
  if (sizes === undefined) return skip(`not part of the ${profile.name} profile (W8 needs Redis and is not part of CI)`);
  const available = await benchRedis();
  if ('skipped' in available) return skip(available.skipped);
  const { redis } = available;
  try {
    const { redisWorkload } = await import('./workloads/redis');
    const { measureRedelivery } = await import('./workloads/redis-kill');
    const workload = redisWorkload(sizes, redis.url);
    log(`W8: ${workload.title}, ${workload.contenders.length} contenders, on ${redis.url} (pid ${redis.pid ?? 'not ours'})…`);
    const timings = await timeInterleaved(workload.contenders, workload.rounds ?? profile.rounds);
    log(`W8: SIGKILL redelivery, ${sizes.kills} kills…`);
    const kills = await measureRedelivery(redis.url, sizes, log);
    return {
      measured: { id: workload.id, events: workload.events, timings },
      section: {
        server: redis.description,
        skipped: null,
        redeliveryMs: kills.map((run) => run.fromExitMs),
        redeliveryFromKillMs: kills.map((run) => run.fromKillMs),
        redeliveredEvents: sizes.maxDemand,
      },
    };
  } finally {
    await redis.stop();
  }
}
