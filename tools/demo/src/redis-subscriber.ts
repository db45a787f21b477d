// One subscriber process of `--redis`: pulls batches from the RedisBuffer by demand, handles each at its speed, and reports to the parent over IPC.
// Started by the parent with child_process.fork (see redis-demo.ts), its config as the one argument.
import { RedisBuffer } from '@dispenser/redis';
import { connectRedis, describeError, type ParentMessage, type RedisDemoEvent, type SubscriberConfig, type SubscriberMessage } from './redis-shared';

function send(message: SubscriberMessage): void {
  // The channel is gone once the parent is: nothing to tell then.
  if (process.connected) process.send?.(message);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function run(config: SubscriberConfig): Promise<void> {
  // Ctrl-C reaches the whole process group: the parent ends the run and tells this one to stop.
  process.on('SIGINT', () => undefined);
  const client = await connectRedis(config.url, () => undefined);
  const buffer = new RedisBuffer<RedisDemoEvent>({
    client,
    name: config.buffer,
    capacity: config.capacity,
    dropStrategy: config.dropStrategy,
    onError: (error) => send({ type: 'error', message: `${config.name}: ${describeError(error)}` }),
  });
  let go: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (go = resolve));
  let stopping = false;
  const stop = (): void => {
    stopping = true;
    go();
    // Stops reading and gives back the batches not taken yet; the loop ends after the batch in hand.
    void buffer.close();
  };
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'go') go();
    else if (message.type === 'stop') stop();
  });
  // The parent is gone (it crashed, or was killed): stop too, so that no process is left behind.
  process.on('disconnect', stop);
  send({ type: 'ready' });
  await started;

  if (!stopping) {
    const subscription = buffer.subscribe({ maxDemand: config.maxDemand });
    let named = false;
    for await (const batch of subscription) {
      const delivery = subscription.delivery;
      if (!named && delivery !== undefined) {
        named = true;
        send({ type: 'consumer', consumer: delivery.consumer });
      }
      // The work: n / speed seconds for n events. The batch stays unacked (held) meanwhile.
      await sleep((batch.length * 1000) / config.speed);
      const redelivered = delivery === undefined ? [] : delivery.ids.filter((_, i) => (delivery.deliveryCounts[i] ?? 1) > 1);
      send({ type: 'handled', count: batch.length, redelivered });
      // Asking for the next batch acks this one.
    }
  }
  await buffer.close();
  await client.close();
}

/** Sends `last`, then leaves the channel once it is written (so are all before it), which lets the process end. */
function leave(last: SubscriberMessage): void {
  if (!process.connected) return;
  process.send?.(last, () => {
    if (process.connected) process.disconnect();
  });
}

const config = JSON.parse(process.argv[2] ?? '{}') as SubscriberConfig;
try {
  await run(config);
  leave({ type: 'closed' });
} catch (error) {
  process.exitCode = 1;
  leave({ type: 'failed', message: describeError(error) });
}
