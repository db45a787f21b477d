import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { number, runDemo as demo } from './test/run-demo';
import { defaults } from './options';
import type { RedisSnapshot } from './redis-demo';
import { redisSubscriberSpecs, runRedisDemo, sourceExecArgv } from './redis-demo';
import { redisTestsRun, startRedis, type TestRedis } from './test/redis-server';


/** Whether a process with this PID still runs. */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The buffer's keys left in Redis. */
async function keysOf(url: string, stream: string): Promise<number> {
  const client = await createClient({ url }).connect();
  try {
    return await client.exists([stream, `${stream}:stats`, `${stream}:leases`, `${stream}:demand`, `${stream}:dlq`]);
  } finally {
    client.destroy();
  }
}

describe.skipIf(!redisTestsRun)('--redis against a Redis server', () => {
  let redis: TestRedis;

  beforeAll(async () => {
    redis = await startRedis();
  }, 20_000);
  afterAll(async () => {
    await redis?.stop();
  });

  it('kills a subscriber process holding unacked events, the others handle every one of them again, and the books balance', async () => {
    const snapshots: RedisSnapshot[] = [];
    const summary = await runRedisDemo(
      { ...defaults, batch: false, help: false, duration: 3, redis: redis.url },
      { every: 100, execArgv: sourceExecArgv, onSnapshot: (s) => snapshots.push(s) },
    );
    const { last, books } = summary;
    const { metrics, stats, kill } = last;

    // The books, from Redis: every appended event was acked, dropped, dead-lettered, lost, or is
    // still buffered or in flight; and the producer's own counts are Redis's.
    expect(last.appended).toBeGreaterThan(1_000);
    expect(metrics.appended).toBe(last.appended);
    expect(metrics.dropped).toBe(last.dropped);
    expect(metrics.appended).toBe(metrics.acked + metrics.dropped + metrics.deadLettered + metrics.lost + stats.buffered + stats.inFlight);
    expect(books.balanced).toBe(true);
    expect(summary.countsAgree).toBe(true);
    expect(metrics.lost).toBe(0);
    expect(metrics.deadLettered).toBe(0);

    // The kill: the seed's subscriber (seed 1: the second), SIGKILLed while it held unacked events.
    const victim = redisSubscriberSpecs[defaults.seed % redisSubscriberSpecs.length]!.name;
    expect(kill).toBeDefined();
    expect(kill!.name).toBe(victim);
    expect(kill!.held).toBeGreaterThan(0);
    // Every event it held was handled again by the others, delivered a second time.
    expect(kill!.returned).toBe(kill!.held);
    expect(Object.values(kill!.returnedBy).reduce((sum, n) => sum + n, 0)).toBe(kill!.held);
    expect(Object.keys(kill!.returnedBy).every((name) => name !== victim)).toBe(true);
    expect(metrics.redelivered).toBeGreaterThanOrEqual(kill!.held);
    const others = last.subscribers.filter((s) => s.name !== victim);
    expect(others.reduce((sum, s) => sum + s.redelivered, 0)).toBeGreaterThanOrEqual(kill!.held);
    expect(summary.redelivered).toBe(true);

    // How each process ended: the victim by SIGKILL, the others closed their buffer and exited 0.
    expect(last.subscribers.map((s) => s.name)).toEqual(redisSubscriberSpecs.map((s) => s.name));
    for (const s of last.subscribers) {
      expect([s.name, s.state, s.end]).toEqual(s.name === victim ? [victim, 'killed', 'SIGKILL'] : [s.name, 'closed', 'exit 0']);
      expect(s.handled).toBeGreaterThan(0);
      expect(running(s.pid!)).toBe(false);
    }
    expect(summary.subscribersClean).toBe(true);
    expect(stats.subscribed).toBe(0);

    // It cleaned up: the buffer's keys are gone.
    expect(summary.cleanedUp).toBe(true);
    expect(await keysOf(redis.url, `dispenser:{${last.buffer}}`)).toBe(0);
    expect(summary.balanced).toBe(true);

    // Live, it showed the three processes reading, then the victim killed and the others going on.
    expect(snapshots.some((s) => s.stage === 'running' && s.subscribers.every((w) => w.state === 'running'))).toBe(true);
    expect(snapshots.some((s) => s.stage === 'running' && s.kill !== undefined && s.subscribers.filter((w) => w.state === 'running').length === 2)).toBe(true);
    expect(snapshots.at(-1)).toBe(last);
    expect(last.stage).toBe('done');
  }, 60_000);

  it('runs as `npm run demo -- --redis <url>` without a TTY: plain lines, a summary whose books balance, exit code 0', async () => {
    const run = await demo(['--redis', redis.url, '--duration', '2', '--drop', 'oldest', '--capacity', '2000']);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('\u001b[');
    const progress = run.stdout.split('\n').filter((line) => line.startsWith('t='));
    // Never unbalanced: `moving` only when stats() and metrics() could not be read of one moment.
    for (const line of progress) expect(line).toMatch(/ books=(balanced|moving)$/);
    expect(progress[0]).toMatch(
      /^t=1\.0s stage=running producer=\w+ buffered=\d+\/2000 inFlight=\d+ demand=\d+ handled: fast=\d+ steady=\d+(\(killed\))? slow=\d+ .*books=(balanced|moving)$/,
    );
    expect(progress.at(-1)).toMatch(/ stage=done .* killed=steady held=(\d+) returned=\1 .*books=balanced$/);
    expect(run.stdout).toMatch(new RegExp(`^Summary after [\\d.]+ s · Redis ${redis.url.replaceAll('.', '\\.')} · buffer demo-\\d+-\\w+ · capacity 2,000 · drop-oldest · seed 1$`, 'm'));
    expect(run.stdout).toMatch(/^steady\s+\d+\s+1,000\/s\s+[\d,]+\s+[\d,]+\s+[\d,]+\/s\s+[\d.]+%\s+killed \(SIGKILL\) at [\d.]+ s$/m);
    for (const name of ['fast', 'slow']) expect(run.stdout).toMatch(new RegExp(`^${name}\\s+\\d+\\s+[\\d,]+/s\\s+[\\d,]+\\s+[\\d,]+\\s+[\\d,]+/s\\s+[\\d.]+%\\s+closed$`, 'm'));
    const killed = /^killed\s+steady \(pid \d+\) at [\d.]+ s, holding ([\d,]+) unacked events\n\s+([\d,]+) of ([\d,]+) handled again by the others \(.+\) ✓ none lost$/m.exec(run.stdout);
    expect(killed).not.toBeNull();
    expect(number(killed![1])).toBeGreaterThan(0);
    expect(number(killed![2])).toBe(number(killed![1]));
    const books = /^books: appended ([\d,]+) = acked ([\d,]+) \+ dropped ([\d,]+) \+ deadLettered ([\d,]+) \+ lost ([\d,]+) \+ buffered ([\d,]+) \+ inFlight ([\d,]+) ✓ balanced$/m.exec(
      run.stdout,
    );
    expect(books).not.toBeNull();
    const [appended, acked, dropped, deadLettered, lost, buffered, inFlight] = books!.slice(1).map(number) as number[];
    expect(appended).toBeGreaterThan(0);
    expect(appended).toBe(acked! + dropped! + deadLettered! + lost! + buffered! + inFlight!);
    expect(run.stdout).toMatch(/^producer\s+appended ([\d,]+), dropped ([\d,]+) \(what append returned\) ✓ = metrics\(\)$/m);
    expect(run.stdout).toContain("cleanup     the buffer's keys deleted");
    expect(run.stdout).toContain('The books balance, and every event the killed subscriber held was handled again.');
  }, 60_000);
});

describe('--redis without a server', () => {
  it('prints one clear line and exits with 1 when nothing answers at the url', async () => {
    const port = 1; // privileged: nothing listens there
    const run = await demo(['--redis', `redis://127.0.0.1:${port}`]);

    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `demo: cannot connect to Redis at redis://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port} (start one with redis-server, or pass --redis <url>)\n`,
    );
  }, 30_000);
});
