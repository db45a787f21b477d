// Run after `npm run build`: loads the built packages so that the ESM and the CommonJS copy of
// @dispenser/core are live at once, and checks that buffers, strategies, servers, worker pools and
// Redis buffers work across them (the pool's worker threads run the built code too; the Redis buffer
// runs against a redis-server of its own).
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

/**
 * A built package by name, resolved as a user would (no source condition), as check-package.mjs does.
 * (Node 20 ignores import.meta.resolve's parent without a flag; from here it reaches the same links.)
 */
async function load(pkg, how) {
  const dir = join(root, 'packages', pkg);
  const name = `@dispenser/${pkg}`;
  if (how === 'require') return createRequire(join(dir, 'package.json'))(name);
  return import(import.meta.resolve(name, `file://${dir}/`));
}

function expect(ok, message) {
  if (!ok) throw new Error(message);
}
const same = (actual, expected, what) =>
  expect(JSON.stringify(actual) === JSON.stringify(expected), `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);

/** 10 events, 2 subscribers asking for 3 and 4: the 7 oldest go out in FIFO slices, 3 stay. */
function checkEventBuffer(EventBuffer, strategy) {
  const buffer = new EventBuffer({ strategy, capacity: 100 });
  const events = Array.from({ length: 10 }, (_, i) => `e${i}`);
  same(buffer.append(events), 0, 'append() dropped');
  buffer.ask('s1', 3);
  buffer.ask('s2', 4);
  const pairs = buffer.assignEvents();
  same(pairs.map(([s, slice]) => [s, slice.length]).sort(), [['s1', 3], ['s2', 4]], 'events per subscriber');
  same(pairs.flatMap(([, slice]) => slice), events.slice(0, 7), 'assigned events, slice after slice');
  same(buffer.stats(), { buffered: 3, demand: 0 }, 'stats() after assignEvents()');
}

/** Two push subscribers that ask again for what they got: every event is delivered exactly once. */
async function checkBufferServer(BufferServer, EventBuffer, strategy) {
  const server = new BufferServer({ buffer: new EventBuffer({ strategy, capacity: 100 }) });
  const received = new Map();
  const perSubscriber = [0, 0];
  const subscribers = perSubscriber.map((_, i) => {
    const subscriber = {
      handleAssignedEvents(events) {
        for (const event of events) received.set(event, (received.get(event) ?? 0) + 1);
        perSubscriber[i] += events.length;
        server.ask(subscriber, events.length);
      },
    };
    return subscriber;
  });
  server.ask(subscribers[0], 3);
  server.ask(subscribers[1], 4);
  const events = Array.from({ length: 50 }, (_, i) => i);
  for (let i = 0; i < events.length; i += 10) server.append(events.slice(i, i + 10));
  for (let tries = 0; tries < 100 && server.metrics().delivered < events.length; tries++) {
    await new Promise((settle) => setTimeout(settle, 10));
  }
  const twice = [...received].filter(([, n]) => n > 1).map(([event]) => event);
  const missing = events.filter((event) => !received.has(event));
  expect(twice.length === 0, `events delivered more than once: ${twice.join(', ')}`);
  expect(missing.length === 0, `events never delivered: ${missing.join(', ')}`);
  expect(perSubscriber.every((n) => n > 0), `a subscriber got nothing: ${perSubscriber.join(' and ')} events`);
  // Counters a newer server adds (such as `failed`) must be 0 here; the three below always exist.
  const { appended, dropped, delivered, ...others } = server.metrics();
  same({ appended, dropped, delivered }, { appended: 50, dropped: 0, delivered: 50 }, 'metrics()');
  same(Object.values(others).filter((n) => n !== 0), [], `metrics() beyond appended, dropped and delivered (${JSON.stringify(others)})`);
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error('close() did not resolve within 2 s')), 2000);
  });
  await Promise.race([server.close(), timeout]).finally(() => clearTimeout(timer));
}

/** A pool of 2 worker threads (built from one copy) serves a server of the other: every event processed once. */
async function checkWorkerPool(WorkerPool, BufferServer) {
  const server = new BufferServer({ capacity: 1000 });
  const handler = 'data:text/javascript,export default (events) => { if (!Array.isArray(events)) throw new Error("no batch"); };';
  const pool = new WorkerPool({ filename: new URL(handler), size: 2, maxDemand: 10 });
  try {
    pool.attach(server);
    server.append(Array.from({ length: 100 }, (_, i) => i));
    await server.onIdle();
    same(server.metrics(), { appended: 100, dropped: 0, delivered: 100, failed: 0 }, 'server metrics()');
    same(pool.metrics(), { sent: 100, processed: 100, failed: 0, uncloneable: 0 }, 'pool metrics()');
  } finally {
    await pool.close();
    await server.close();
  }
}

/**
 * A RedisBuffer of one build feeds a BufferServer of the other through a real redis-server: every
 * event reaches a local subscriber once and is acked in Redis.
 */
async function checkRedisFeed(RedisBuffer, BufferServer, redisUrl, createClient) {
  const client = await createClient({ url: redisUrl }).connect();
  const buffer = new RedisBuffer({ client, name: `dual-${process.pid}-${Math.random().toString(36).slice(2)}`, capacity: 1000 });
  const server = new BufferServer({ capacity: 20 });
  const received = [];
  const subscriber = {
    handleAssignedEvents(events) {
      received.push(...events);
      server.ask(subscriber, events.length);
    },
  };
  server.ask(subscriber, 5);
  const controller = new AbortController();
  const feeding = buffer.feed(server, { maxDemand: 10, signal: controller.signal });
  try {
    same(await buffer.append(Array.from({ length: 50 }, (_, i) => i)), 0, 'append() dropped');
    for (let tries = 0; tries < 200 && received.length < 50; tries++) await new Promise((settle) => setTimeout(settle, 10));
    same([...received].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i), 'events handled by the local subscriber');
    controller.abort();
    await feeding;
    const { appended, dropped, acked } = await buffer.metrics();
    same({ appended, dropped, acked }, { appended: 50, dropped: 0, acked: 50 }, 'RedisBuffer metrics()');
  } finally {
    controller.abort();
    await buffer.close();
    await server.close();
    client.destroy();
  }
}

let built;
try {
  built = {
    require: {
      core: await load('core', 'require'),
      strategies: await load('strategies', 'require'),
      servers: await load('servers', 'require'),
      workers: await load('workers', 'require'),
      redis: await load('redis', 'require'),
    },
    import: {
      core: await load('core', 'import'),
      strategies: await load('strategies', 'import'),
      servers: await load('servers', 'import'),
      workers: await load('workers', 'import'),
      redis: await load('redis', 'import'),
    },
  };
} catch (error) {
  console.error(`dual package: cannot load the built packages (run \`npm run build\` first): ${error.message}`);
  process.exit(1);
}
if (built.require.core.EventBuffer === built.import.core.EventBuffer) {
  console.error('dual package: require and import gave the same copy of @dispenser/core; nothing to test');
  process.exit(1);
}

const other = { require: 'import', import: 'require' };
const checks = [];
for (const strategy of ['even', 'greedy']) {
  for (const core of ['require', 'import']) {
    checks.push({
      what: `EventBuffer (core via ${core}) + ${strategy} (strategies via ${other[core]})`,
      run: () => checkEventBuffer(built[core].core.EventBuffer, built[other[core]].strategies[strategy]),
    });
  }
}
for (const servers of ['import', 'require']) {
  for (const core of ['import', 'require']) {
    const strategies = other[core];
    checks.push({
      what: `BufferServer (servers via ${servers}) over EventBuffer (core via ${core}) + even (strategies via ${strategies})`,
      run: () => checkBufferServer(built[servers].servers.BufferServer, built[core].core.EventBuffer, built[strategies].strategies.even),
    });
  }
}
for (const workers of ['import', 'require']) {
  checks.push({
    what: `WorkerPool (workers via ${workers}) attached to BufferServer (servers via ${other[workers]})`,
    run: () => checkWorkerPool(built[workers].workers.WorkerPool, built[other[workers]].servers.BufferServer),
  });
}

// The Redis checks run on a redis-server of their own; without the binary they are skipped
// locally (one line) and fail in CI, like the package's tests.
const { hasRedisServer, startRedisServer } = await import(
  import.meta.resolve('@dispenser/testing-utils/redis-server', `file://${join(root, 'packages/testing-utils')}/`),
);
let redisServer;
if (hasRedisServer() || process.env.CI === 'true') {
  const { createClient } = createRequire(join(root, 'packages/redis/package.json'))('redis');
  for (const redis of ['import', 'require']) {
    checks.push({
      what: `RedisBuffer (redis via ${redis}) feeding BufferServer (servers via ${other[redis]})`,
      run: async () => {
        redisServer ??= await startRedisServer();
        await checkRedisFeed(built[redis].redis.RedisBuffer, built[other[redis]].servers.BufferServer, redisServer.url, createClient);
      },
    });
  }
} else {
  console.log('skip RedisBuffer across builds: no redis-server on the PATH (apt-get install redis-server)');
}

let failures = 0;
for (const { what, run } of checks) {
  try {
    await run();
    console.log(`ok   ${what}`);
  } catch (error) {
    failures++;
    console.error(`FAIL ${what}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  }
}
await redisServer?.stop();
if (failures > 0) {
  console.error(`dual package: ${failures} of ${checks.length} combinations failed with two copies of @dispenser/core loaded`);
  process.exit(1);
}
console.log(`dual package: all ${checks.length} combinations work with the ESM and the CommonJS copy of @dispenser/core loaded`);
