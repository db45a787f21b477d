// A websocket server that fans a live stream out to its clients through a BroadcastServer, with credit-based demand.
import { BroadcastServer, type SubscriberStats } from '@dispenser/servers';
import type { DropStrategy, Subscriber } from '@dispenser/core';
import { WebSocketServer, type WebSocket } from 'ws';

/** What the server sends: a batch of events. What a client sends back: credit for more. */
export type ServerMessage = { readonly events: readonly number[] };
export type ClientMessage = { readonly credit: number };

/** Options of {@link startFanout}. */
export interface FanoutOptions {
  /** Most events held for one client that it has not received yet. @default 100 */
  readonly capacity?: number;
  /** What a client that falls behind loses. @default 'drop-oldest' (the freshest events matter most) */
  readonly dropStrategy?: DropStrategy;
  /** Events a client may receive before it first sends credit. @default 20 */
  readonly initialCredit?: number;
}

/** A running fan-out server: its address, the broadcast server behind it, and how to stop it. */
export interface Fanout {
  readonly url: string;
  readonly server: BroadcastServer<number>;
  /** The bound and books of each connected client, by its name (sent in the connection URL). */
  clientStats(): Map<string, SubscriberStats>;
  /** Waits until `count` clients are connected. */
  connected(count: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 (a free port). Each connection becomes a subscriber of one
 * `BroadcastServer`: it starts with `initialCredit` events of demand and gets more when the client
 * sends `{ credit: n }` after handling a batch. A client that stops sending credit is bounded by
 * `capacity` and loses only its own events; the others keep their pace. A closed connection
 * aborts the subscriber's signal, so the server lets it go.
 */
export async function startFanout(options: FanoutOptions = {}): Promise<Fanout> {
  const { capacity = 100, dropStrategy = 'drop-oldest', initialCredit = 20 } = options;
  const server = new BroadcastServer<number>({ capacity, dropStrategy });
  const clients = new Map<string, Subscriber<number>>();
  const waiting: Array<() => void> = [];
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  wss.on('connection', (socket: WebSocket, request) => {
    const name = new URL(request.url ?? '/', 'ws://localhost').searchParams.get('name') ?? `client-${clients.size}`;
    const gone = new AbortController();
    const subscriber: Subscriber<number> = {
      handleAssignedEvents: (events) => socket.send(JSON.stringify({ events } satisfies ServerMessage)),
      signal: gone.signal,
    };
    clients.set(name, subscriber);
    socket.on('message', (data) => {
      const { credit } = JSON.parse(String(data)) as ClientMessage;
      if (!gone.signal.aborted) server.ask(subscriber, credit);
    });
    socket.on('close', () => {
      gone.abort(new Error(`${name} disconnected`));
      clients.delete(name);
    });
    server.ask(subscriber, initialCredit);
    for (const resolve of waiting.splice(0)) resolve();
  });
  const address = wss.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `ws://127.0.0.1:${port}`,
    server,
    clientStats() {
      const stats = new Map<string, SubscriberStats>();
      for (const [name, subscriber] of clients) {
        const one = server.subscriberStats(subscriber);
        if (one !== undefined) stats.set(name, one);
      }
      return stats;
    },
    async connected(count) {
      while (clients.size < count) await new Promise<void>((resolve) => waiting.push(resolve));
    },
    async close() {
      await server.close();
      for (const socket of wss.clients) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
