// One connection to Redis behind the two supported clients: send a command, open a dedicated one, close it.
import { RedisCommandError } from '../errors';
import type { RedisClient } from '../redis-client';

/**
 * A reply as the client decoded it. Script replies are lists, strings and numbers with either
 * protocol; other commands can give RESP 3 maps (objects in node-redis, flat lists in ioredis).
 */
export type Reply = unknown;

/** The commands the buffer sends, whichever client carries them. */
export interface Connection {
  /** Sends `args` (command first); rejects with the client's error (a Redis error reply included). */
  send(args: readonly string[]): Promise<Reply>;
  /** A new, dedicated connection named `name` (`CLIENT SETNAME`, kept across reconnects). */
  open(name: string): Promise<Connection>;
  /** Closes a connection that {@link Connection.open} made, failing its waiting commands. */
  destroy(): void;
}

interface NodeRedisShape {
  sendCommand(args: readonly string[]): Promise<Reply>;
  duplicate(overrides?: { name?: string }): NodeRedisShape;
  connect(): Promise<unknown>;
  destroy(): void;
  on(event: 'error', listener: (error: unknown) => void): unknown;
}

interface IoRedisShape {
  call(command: string, args: readonly string[]): Promise<Reply>;
  duplicate(override?: { connectionName?: string; lazyConnect?: boolean }): IoRedisShape;
  connect(): Promise<unknown>;
  disconnect(): void;
  on(event: 'error', listener: (error: unknown) => void): unknown;
}

/** Whether `client` has the methods of one of the supported clients. */
export function isRedisClient(client: unknown): client is RedisClient {
  if (typeof client !== 'object' || client === null) return false;
  const shape = client as Record<string, unknown>;
  return typeof shape['duplicate'] === 'function' && (typeof shape['call'] === 'function' || typeof shape['sendCommand'] === 'function');
}

/**
 * The connection over a client the caller passed (never destroyed by the buffer).
 *
 * @example
 * ```ts
 * const connection = connect(createClient());
 * await connection.send(['PING']); // 'PONG'
 * ```
 */
export function connect(client: RedisClient): Connection {
  // ioredis also has a `sendCommand`, taking a Command object: recognise it by `call`.
  return typeof (client as { call?: unknown }).call === 'function'
    ? ioRedisConnection(client as unknown as IoRedisShape, false)
    : nodeRedisConnection(client as unknown as NodeRedisShape, false);
}

function nodeRedisConnection(client: NodeRedisShape, owned: boolean): Connection {
  return {
    send: (args) => client.sendCommand(args),
    async open(name) {
      const copy = client.duplicate({ name });
      // Errors of a dedicated connection surface through the commands sent on it; without a
      // listener node-redis would crash the process on a reconnect.
      copy.on('error', ignore);
      try {
        await copy.connect();
      } catch (error) {
        copy.destroy();
        throw new RedisCommandError('CONNECT', error);
      }
      return nodeRedisConnection(copy, true);
    },
    destroy() {
      if (owned) client.destroy();
    },
  };
}

function ioRedisConnection(client: IoRedisShape, owned: boolean): Connection {
  return {
    send: ([command, ...args]) => client.call(command as string, args),
    async open(name) {
      const copy = client.duplicate({ connectionName: name, lazyConnect: true });
      copy.on('error', ignore);
      try {
        await copy.connect();
      } catch (error) {
        copy.disconnect();
        throw new RedisCommandError('CONNECT', error);
      }
      return ioRedisConnection(copy, true);
    },
    destroy() {
      if (owned) client.disconnect();
    },
  };
}

function ignore(): void {
  // Reported through the commands that fail.
}
