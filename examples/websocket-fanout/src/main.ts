// `npm run example:websocket-fanout`: a live stream to websocket clients of different speeds, where a
// stalled client loses only its own events, through a BroadcastServer.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { ServerMetrics, SubscriberStats } from '@dispenser/servers';
import { connect } from './client';
import { startFanout } from './fanout';

/** Options of {@link main}. */
export interface FanoutRunOptions {
  /** Events published in all. @default 2000 */
  readonly events?: number;
  /** Events per append. @default 50 */
  readonly batch?: number;
  /** Clients that keep up. @default 3 */
  readonly fast?: number;
  /** Most events held for one client that it has not received. @default 100 */
  readonly capacity?: number;
  /** Events a client may receive before it sends credit. @default 20 */
  readonly initialCredit?: number;
}

/** What {@link main} returns: what each client received, and the server's books. */
export interface FanoutRunResult {
  readonly events: number;
  readonly received: ReadonlyMap<string, readonly number[]>;
  /** The stalled client's books on the server, taken before it woke up. */
  readonly stalled: SubscriberStats;
  readonly metrics: ServerMetrics;
}

/**
 * Starts the server, connects `fast` clients and one that stalls, and publishes `events` in
 * batches at the pace of the fast clients (each batch once they have the one before: the stalled
 * client is not waited for, and does not slow anyone down). Then it wakes the stalled client up:
 * it gets its first `initialCredit` events and the last `capacity` ones it was holding, and lost
 * the rest, alone.
 */
export async function main(options: FanoutRunOptions = {}): Promise<FanoutRunResult> {
  const { events = 2_000, batch = 50, fast = 3, capacity = 100, initialCredit = 20 } = options;
  const fanout = await startFanout({ capacity, initialCredit });
  try {
    const clients = await Promise.all([
      ...Array.from({ length: fast }, (_, i) => connect(fanout.url, `fast-${i}`, 'fast')),
      connect(fanout.url, 'stalled', 'stalled'),
    ]);
    await fanout.connected(clients.length);
    const fastClients = clients.slice(0, fast);
    for (let next = 0; next < events; next += batch) {
      const count = Math.min(batch, events - next);
      fanout.server.append(Array.from({ length: count }, (_, i) => next + i));
      await Promise.all(fastClients.map((client) => client.receivedAtLeast(next + count)));
    }
    const stalled = clients[clients.length - 1] as (typeof clients)[number];
    const books = fanout.clientStats().get('stalled') as SubscriberStats;
    stalled.credit(capacity);
    await stalled.receivedAtLeast(Math.min(events, initialCredit + capacity));
    const received = new Map(clients.map((client) => [client.name, [...client.received]]));
    await Promise.all(clients.map((client) => client.close()));
    return { events, received, stalled: books, metrics: fanout.server.metrics() };
  } finally {
    await fanout.close();
  }
}

/** One line per client: how much it got, and where its events start and end. */
export function formatReport(result: FanoutRunResult): string {
  const lines = [`published ${result.events} events`];
  for (const [name, events] of result.received) {
    lines.push(`${name.padEnd(8)} received ${String(events.length).padStart(5)}  first ${events[0]}  last ${events.at(-1)}`);
  }
  const { lag, dropped, delivered } = result.stalled;
  lines.push(`stalled, on the server while it slept: delivered ${delivered}, held ${lag}, dropped ${dropped} (its own events only)`);
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { events: { type: 'string' }, batch: { type: 'string' }, fast: { type: 'string' }, capacity: { type: 'string' } },
  });
  const number = (value: string | undefined) => (value === undefined ? undefined : Number(value));
  const result = await main({
    ...(values.events === undefined ? {} : { events: number(values.events) as number }),
    ...(values.batch === undefined ? {} : { batch: number(values.batch) as number }),
    ...(values.fast === undefined ? {} : { fast: number(values.fast) as number }),
    ...(values.capacity === undefined ? {} : { capacity: number(values.capacity) as number }),
  });
  console.log(formatReport(result));
}
