// What the consumers of one buffer in this process share: the server check, leases, claims, settles.
import { randomUUID } from 'node:crypto';
import { OwnershipLostError, RedisCommandError, RedisVersionError } from '../errors';
import type { Connection, Reply } from './connection';
import { Consumer, parseClaim, type ConsumerHost, type RawEntry, type SettleMode } from './consumer';
import { GROUP, RELEASED, keyList } from './keys';
import { CLAIM, HEARTBEAT, SETTLE, VERSION } from './lua';
import type { BufferSettings } from './options';
import { runScript, script } from './scripts';

/** The longest a consumer's own connection may take to open. */
const OPEN_TIMEOUT = 10_000;

const claimScript = /*#__PURE__*/ script(CLAIM);
const heartbeatScript = /*#__PURE__*/ script(HEARTBEAT);
const settleScript = /*#__PURE__*/ script(SETTLE);
const versionScript = /*#__PURE__*/ script(VERSION);

/**
 * The process side of one buffer's consumer group: checks the server once, keeps the leases of
 * its consumers alive, runs the look for gone consumers at most once per `reaperInterval`, and
 * settles (acks, gives back, dead-letters) what consumers hold.
 */
export class ConsumerGroup<E> implements ConsumerHost {
  readonly stream;
  readonly group = GROUP;
  readonly readCount;
  readonly blockFor;
  readonly #settings: BufferSettings<E>;
  readonly #connection: Connection;
  readonly #keys: string[];
  readonly #consumers = new Map<Consumer, () => void>();
  readonly #process = randomUUID().slice(0, 8);
  #serial = 0;
  #ready: Promise<void> | undefined;
  #heartbeat: unknown;
  #nextClaim = 0;
  #disconnects: boolean;

  constructor(settings: BufferSettings<E>) {
    this.#settings = settings;
    this.#connection = settings.connection;
    this.stream = settings.keys.stream;
    this.readCount = settings.readCount;
    this.blockFor = settings.reaperInterval;
    this.#keys = keyList(settings.keys);
    this.#disconnects = settings.detectDisconnects;
  }

  /** A new consumer with a name unique across processes; `onLeft` runs once it has left the group. */
  add(onEntries: (entries: RawEntry[]) => void, onLeft: () => void = () => undefined): Consumer {
    this.#serial += 1;
    const consumer = new Consumer(this, `${this.#process}-${this.#serial}`, onEntries);
    this.#consumers.set(consumer, onLeft);
    return consumer;
  }

  ready(): Promise<void> {
    this.#ready ??= this.#checkServer();
    return this.#ready;
  }

  async register(consumer: Consumer): Promise<void> {
    await this.#beat([consumer]);
    if (this.#heartbeat === undefined) this.#scheduleHeartbeat();
  }

  async claim(consumer: Consumer, room: number): Promise<RawEntry[]> {
    const { clock, reaperInterval, maxDeliveries, visibilityTimeout, deadLetterLimit } = this.#settings;
    const now = clock.now();
    if (now < this.#nextClaim) return [];
    this.#nextClaim = now + reaperInterval;
    const connected = this.#disconnects ? await this.#connectedConsumers() : undefined;
    const reply = await runScript(this.#connection, claimScript, this.#keys, [
      GROUP,
      consumer.name,
      String(room),
      String(maxDeliveries === Number.POSITIVE_INFINITY ? Number.MAX_SAFE_INTEGER : maxDeliveries),
      String(visibilityTimeout === Number.POSITIVE_INFINITY ? 0 : visibilityTimeout),
      RELEASED,
      connected === undefined ? '0' : '1',
      String(reaperInterval),
      String(deadLetterLimit),
      ...(connected ?? []),
    ]);
    return parseClaim(reply);
  }

  async settle(consumer: Consumer, mode: SettleMode, ids: readonly string[], leaving: boolean): Promise<string[]> {
    if (ids.length === 0 && !leaving) return [];
    const reply = await runScript(this.#connection, settleScript, this.#keys, [
      GROUP,
      consumer.name,
      mode,
      leaving ? '1' : '0',
      String(this.#settings.deadLetterLimit),
      RELEASED,
      ...ids,
    ]);
    const lost = Array.isArray(reply) ? reply.map(String) : [];
    if (lost.length > 0 && mode === 'ack') this.report(new OwnershipLostError(consumer.name, lost));
    return lost;
  }

  connectionName(consumer: string): string {
    // Redis refuses connection names with spaces or characters outside printable ASCII.
    return `dispenser:${encodeURIComponent(this.#settings.name)}:${consumer}`;
  }

  async open(name: string): Promise<Connection> {
    const opening = this.#connection.open(name);
    let cancel = (): void => undefined;
    const late = new Promise<never>((_, reject) => {
      cancel = this.after(OPEN_TIMEOUT, () => reject(new RedisCommandError('CONNECT', new Error(`no connection within ${OPEN_TIMEOUT} ms`))));
    });
    try {
      return await Promise.race([opening, late]);
    } catch (error) {
      // A connection that opens after all is closed at once.
      opening.then((connection) => connection.destroy(), () => undefined);
      throw error;
    } finally {
      cancel();
    }
  }

  after(ms: number, fn: () => void): () => void {
    const { clock } = this.#settings;
    const handle = clock.setTimeout(fn, ms);
    return () => clock.clearTimeout(handle);
  }

  report(error: unknown): void {
    try {
      this.#settings.onError(error);
    } catch (thrown) {
      console.error(thrown);
    }
  }

  forget(consumer: Consumer): void {
    const onLeft = this.#consumers.get(consumer);
    this.#consumers.delete(consumer);
    onLeft?.();
    if (this.#consumers.size > 0) return;
    if (this.#heartbeat !== undefined) this.#settings.clock.clearTimeout(this.#heartbeat);
    this.#heartbeat = undefined;
  }

  async #checkServer(): Promise<void> {
    let version: Reply;
    try {
      // A script, so that a cluster sends it to the buffer's node; REDIS_VERSION came with 7.0.
      version = await runScript(this.#connection, versionScript, this.#keys, []);
    } catch (error) {
      this.#ready = undefined;
      throw error;
    }
    if (typeof version !== 'string' || !(Number.parseInt(version, 10) >= 7)) {
      throw new RedisVersionError(typeof version === 'string' ? version : 'older than 7.0');
    }
  }

  async #beat(consumers: Iterable<Consumer>): Promise<void> {
    const args = [String(this.#settings.leaseTtl), GROUP];
    for (const consumer of consumers) args.push(consumer.name, String(consumer.demand));
    if (args.length > 2) await runScript(this.#connection, heartbeatScript, this.#keys, args);
  }

  #scheduleHeartbeat(): void {
    const { clock, leaseTtl } = this.#settings;
    this.#heartbeat = clock.setTimeout(() => {
      this.#beat(this.#consumers.keys()).catch((error: unknown) => this.report(error));
      if (this.#consumers.size > 0) this.#scheduleHeartbeat();
      else this.#heartbeat = undefined;
    }, Math.max(5, Math.floor(leaseTtl / 3)));
  }

  /** The consumers whose reading connection is open, from `CLIENT LIST`; off for good if refused. */
  async #connectedConsumers(): Promise<string[] | undefined> {
    let list: Reply;
    try {
      list = await this.#connection.clientList();
    } catch (error) {
      this.#disconnects = false;
      this.report(new RedisCommandError('CLIENT LIST (detectDisconnects is now off)', error));
      return undefined;
    }
    const prefix = this.connectionName('');
    const names: string[] = [];
    for (const match of String(list).matchAll(/ name=(\S+)/g)) {
      const name = match[1] as string;
      if (name.startsWith(prefix)) names.push(name.slice(prefix.length));
    }
    return names;
  }
}
