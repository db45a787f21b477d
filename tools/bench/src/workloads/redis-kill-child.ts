// W8's SIGKILL fixture, run in a child process: subscribes with the defaults, takes one batch, reports it and dies unacked.
//
// Forked by `redis-kill.ts` with the bench's own execArgv (`--import tsx`, the source
// condition), so it imports the TypeScript sources of @dispenser/redis. Arguments: the Redis
// URL, the buffer's name, its prefix and capacity. It sends `{ ids, deliveryCounts }` of its
// first batch to the parent and SIGKILLs itself when the parent sends `'die'`.
import { RedisBuffer } from '@dispenser/redis';
import { createClient } from 'redis';

const [url, name, prefix, capacity] = process.argv.slice(2);
const client = createClient({ url: url as string });
client.on('error', () => undefined);
await client.connect();
const buffer = new RedisBuffer<unknown>({ client, name: name as string, prefix: prefix as string, capacity: Number(capacity) });
const subscription = buffer.subscribe();
process.on('message', (message) => {
  if (message === 'die') process.kill(process.pid, 'SIGKILL');
});
for await (const _batch of subscription) {
  const delivery = subscription.delivery;
  process.send?.({ ids: delivery?.ids ?? [], deliveryCounts: delivery?.deliveryCounts ?? [] });
  // Never asks for the next batch: this one stays unacked until the process is killed.
  await new Promise<never>(() => undefined);
}
