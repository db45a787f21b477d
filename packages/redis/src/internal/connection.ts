// One connection to Redis behind the supported clients (node-redis and ioredis, standalone or
// cluster): send a command, list the connected clients, open a dedicated connection, close it.
import { RedisCommandError } from '../errors';
import type { RedisClient } from '../redis-client';

/**
 * A reply as the client decoded it. Script replies are lists, strings and numbers with either
 * protocol; other commands can give RESP 3 maps (objects in node-redis, flat lists in ioredis).
 */
export type Reply = unknown;

/** The commands the buffer sends, whichever client carries them. */
export interface Connection {
  /**
   * Sends `args` (command first); `key` routes it on a cluster (every key of a buffer lives in one
   * slot). Rejects with the client's error (a Redis error reply included).
   */
  send(args: readonly string[], key: string): Promise<Reply>;
  /** The `CLIENT LIST` of the server (of every master, on a cluster), as one text. */
  clientList(): Promise<string>;
  /** A new, dedicated connection named `name` (`CLIENT SETNAME`, kept across reconnects). */
  open(name: string): Promise<Connection>;
  /** Closes a connection that {@link Connection.open} made, failing its waiting commands. */
  destroy(): void;
}

interface Listening {
  on(event: 'error', listener: (error: unknown) => void): unknown;
}

interface NodeRedisShape extends Listening {
  sendCommand(args: readonly string[]): Promise<Reply>;
  duplicate(overrides?: { name?: string }): NodeRedisShape;
  connect(): Promise<unknown>;
  destroy(): void;
}

interface NodeRedisClusterShape extends Listening {
  sendCommand(firstKey: string, isReadonly: boolean, args: readonly string[]): Promise<Reply>;
  duplicate(overrides?: { defaults?: object }): NodeRedisClusterShape;
  connect(): Promise<unknown>;
  destroy(): void;
  readonly masters: readonly object[];
  nodeClient(node: object): Promise<NodeRedisShape>;
  readonly _options?: { defaults?: object };
}

interface IoRedisShape extends Listening {
  call(command: string, args: readonly string[]): Promise<Reply>;
  duplicate(override?: { connectionName?: string; lazyConnect?: boolean }): IoRedisShape;
  connect(): Promise<unknown>;
  disconnect(): void;
}

interface IoRedisClusterShape extends Listening {
  readonly isCluster: true;
  readonly options: { redisOptions?: object };
  call(command: string, args: readonly string[]): Promise<Reply>;
  duplicate(startupNodes: readonly unknown[], options: { redisOptions?: object; lazyConnect?: boolean }): IoRedisClusterShape;
  connect(): Promise<unknown>;
  disconnect(): void;
  nodes(role: 'master'): IoRedisShape[];
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
 * await connection.send(['PING'], 'any-key'); // 'PONG'
 * ```
 */
export function connect(client: RedisClient): Connection {
  const shape = client as unknown as Record<string, unknown>;
  // ioredis also has a `sendCommand`, taking a Command object: recognise it by `call`.
  if (typeof shape['call'] === 'function') {
    return shape['isCluster'] === true
      ? ioRedisClusterConnection(client as unknown as IoRedisClusterShape, false)
      : ioRedisConnection(client as unknown as IoRedisShape, false);
  }
  return typeof shape['nodeClient'] === 'function'
    ? nodeRedisClusterConnection(client as unknown as NodeRedisClusterShape, false)
    : nodeRedisConnection(client as unknown as NodeRedisShape, false);
}

/** Opens `copy`, a new client, with errors reported through the commands that fail. */
async function opened<T extends Listening & { connect(): Promise<unknown> }>(copy: T, close: (client: T) => void): Promise<T> {
  // Without a listener a client would crash the process on a reconnect error.
  copy.on('error', ignore);
  try {
    await copy.connect();
  } catch (error) {
    close(copy);
    throw new RedisCommandError('CONNECT', error);
  }
  return copy;
}

const destroyNodeRedis = (client: { destroy(): void }): void => client.destroy();
const disconnectIoRedis = (client: { disconnect(): void }): void => client.disconnect();
const LIST = ['CLIENT', 'LIST', 'TYPE', 'normal'];

function nodeRedisConnection(client: NodeRedisShape, owned: boolean): Connection {
  return {
    send: (args) => client.sendCommand(args),
    clientList: async () => String(await client.sendCommand(LIST)),
    open: async (name) => nodeRedisConnection(await opened(client.duplicate({ name }), destroyNodeRedis), true),
    destroy() {
      if (owned) client.destroy();
    },
  };
}

function nodeRedisClusterConnection(client: NodeRedisClusterShape, owned: boolean): Connection {
  return {
    send: (args, key) => client.sendCommand(key, false, args),
    async clientList() {
      const lists = await Promise.all(client.masters.map(async (master) => String(await (await client.nodeClient(master)).sendCommand(LIST))));
      return lists.join('\n');
    },
    async open(name) {
      const copy = client.duplicate({ defaults: { ...client._options?.defaults, name } });
      return nodeRedisClusterConnection(await opened(copy, destroyNodeRedis), true);
    },
    destroy() {
      if (owned) client.destroy();
    },
  };
}

function ioRedisConnection(client: IoRedisShape, owned: boolean): Connection {
  return {
    send: ([command, ...args]) => client.call(command as string, args),
    clientList: async () => String(await client.call('CLIENT', LIST.slice(1))),
    open: async (name) => ioRedisConnection(await opened(client.duplicate({ connectionName: name, lazyConnect: true }), disconnectIoRedis), true),
    destroy() {
      if (owned) client.disconnect();
    },
  };
}

function ioRedisClusterConnection(client: IoRedisClusterShape, owned: boolean): Connection {
  return {
    send: ([command, ...args]) => client.call(command as string, args),
    async clientList() {
      const lists = await Promise.all(client.nodes('master').map(async (node) => String(await node.call('CLIENT', LIST.slice(1)))));
      return lists.join('\n');
    },
    async open(name) {
      const redisOptions = { ...client.options.redisOptions, connectionName: name };
      return ioRedisClusterConnection(await opened(client.duplicate([], { redisOptions, lazyConnect: true }), disconnectIoRedis), true);
    },
    destroy() {
      if (owned) client.disconnect();
    },
  };
}

function ignore(): void {
  // Reported through the commands that fail.
}
