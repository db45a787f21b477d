// A websocket client of the fan-out: it records the events it gets and sends credit as it handles them.
import WebSocket from 'ws';
import type { ClientMessage, ServerMessage } from './fanout';

/** A connected client: what it received, and controls for a test or a demo. */
export interface Client {
  readonly name: string;
  /** Every event received, in order. */
  readonly received: number[];
  /** Sends credit for `n` more events (what a stalled client does when it wakes up). */
  credit(n: number): void;
  /** Resolves once `count` events have arrived in all. */
  receivedAtLeast(count: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Connects to `url` as `name`. A `'fast'` client sends credit for every batch as soon as it
 * arrives; a `'stalled'` one handles nothing and sends no credit until told to (`credit(n)`).
 */
export async function connect(url: string, name: string, pace: 'fast' | 'stalled'): Promise<Client> {
  const socket = new WebSocket(`${url}/?name=${encodeURIComponent(name)}`);
  const received: number[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const send = (message: ClientMessage): void => socket.send(JSON.stringify(message));
  socket.on('message', (data) => {
    const { events } = JSON.parse(String(data)) as ServerMessage;
    for (const event of events) received.push(event);
    if (pace === 'fast') send({ credit: events.length });
    for (let i = waiters.length - 1; i >= 0; i--) {
      const waiter = waiters[i] as { count: number; resolve: () => void };
      if (received.length >= waiter.count) {
        waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return {
    name,
    received,
    credit: (n) => send({ credit: n }),
    receivedAtLeast: (count) =>
      received.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve })),
    close: () =>
      new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.close();
      }),
  };
}
