// One consumer of the group: its dedicated connection, its demand, and the loop that reads up to that demand.
import type { Connection, Reply } from './connection';
import { commandError } from './scripts';

/** An entry as read from the stream, not decoded yet. */
export interface RawEntry {
  readonly id: string;
  /** The stored event (`''` when the entry had no event field). */
  readonly text: string;
  /** How many times it has been delivered, this time included. */
  readonly deliveries: number;
}

/**
 * How a settled batch ends: acked; given back for the next claim after a failed handling
 * (`release`) or unhandled (`return`, its delivery not counted); or moved to the dead letters.
 */
export type SettleMode = 'ack' | 'release' | 'return' | 'dead';

/** What a consumer needs from the buffer it belongs to. */
export interface ConsumerHost {
  readonly stream: string;
  readonly group: string;
  readonly readCount: number;
  /** The longest a blocking read waits, in ms. */
  readonly blockFor: number;
  /** Resolves once the server was checked; rejects for a server that cannot run the buffer. */
  ready(): Promise<void>;
  /** Publishes the consumer's lease and demand now. */
  register(consumer: Consumer): Promise<void>;
  /** Entries of gone consumers taken over for `consumer`, at most `room`, when a look is due. */
  claim(consumer: Consumer, room: number): Promise<RawEntry[]>;
  /** Settles `ids` held by `consumer`; resolves with the ids it no longer owned. */
  settle(consumer: Consumer, mode: SettleMode, ids: readonly string[], leaving: boolean): Promise<string[]>;
  /** The name of a consumer's connection in `CLIENT LIST`. */
  connectionName(consumer: string): string;
  /** Opens a dedicated connection named `name`; rejects with RedisCommandError after a timeout. */
  open(name: string): Promise<Connection>;
  /** Runs `fn` after `ms`; the returned function cancels it. */
  after(ms: number, fn: () => void): () => void;
  report(error: unknown): void;
  /** Called once the consumer has left the group. */
  forget(consumer: Consumer): void;
}

type State = 'new' | 'reading' | 'stopped' | 'left';

/**
 * A consumer of the group: reads up to its demand (first taking over entries of gone
 * consumers, then new entries, blocking at most `blockFor`), and hands what it read to
 * `onEntries`. It remembers what it holds until that is settled, and gives it back on `leave()`.
 */
export class Consumer {
  readonly name: string;
  #demand = 0;
  #state: State = 'new';
  #reading: Connection | undefined;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  readonly #held = new Set<string>();
  readonly #host: ConsumerHost;
  readonly #onEntries: (entries: RawEntry[]) => void;

  constructor(host: ConsumerHost, name: string, onEntries: (entries: RawEntry[]) => void) {
    this.#host = host;
    this.name = name;
    this.#onEntries = onEntries;
  }

  /** Outstanding demand. */
  get demand(): number {
    return this.#demand;
  }

  /** Whether it still reads. */
  get isReading(): boolean {
    return this.#state === 'new' || this.#state === 'reading';
  }

  /** Adds demand, starting the loop on the first call. */
  ask(amount: number): void {
    if (!this.isReading) return;
    this.#demand += amount;
    if (this.#loop === undefined) {
      this.#state = 'reading';
      this.#loop = this.#run();
    }
    this.#wakeUp();
  }

  /** Stops reading: cancels the demand and interrupts a blocking read. Resolves when the loop ended. */
  async stop(): Promise<void> {
    if (this.isReading) {
      this.#state = 'stopped';
      this.#demand = 0;
      this.#reading?.destroy();
      this.#wakeUp();
    }
    await this.#loop;
  }

  /** Settles held entries; an ack refused for lost ownership comes back as the lost ids. */
  async settle(mode: SettleMode, ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    for (const id of ids) this.#held.delete(id);
    return this.#host.settle(this, mode, ids, false);
  }

  /** Stops, gives back everything still held (as never handled), and leaves the group (its lease ends). */
  async leave(): Promise<void> {
    await this.stop();
    if (this.#state === 'left') return;
    this.#state = 'left';
    const ids = [...this.#held];
    this.#held.clear();
    try {
      await this.#host.settle(this, 'return', ids, true);
    } catch (error) {
      // The lease then runs out and the others take the entries over.
      this.#host.report(error);
    } finally {
      this.#host.forget(this);
    }
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async #run(): Promise<void> {
    const host = this.#host;
    let failures = 0;
    while (this.isReading) {
      if (this.#demand === 0) {
        await new Promise<void>((resolve) => (this.#wake = resolve));
        continue;
      }
      try {
        if (this.#reading === undefined) {
          await host.ready();
          await host.register(this);
          const connection = await host.open(host.connectionName(this.name));
          if (!this.isReading) {
            connection.destroy();
            break;
          }
          this.#reading = connection;
        }
        this.#take(await host.claim(this, this.#demand));
        if (this.#demand === 0 || !this.isReading) continue;
        const count = Math.min(this.#demand, host.readCount);
        const reply = await this.#reading
          .send(['XREADGROUP', 'GROUP', host.group, this.name, 'COUNT', String(count), 'BLOCK', String(host.blockFor), 'STREAMS', host.stream, '>'], host.stream)
          .catch((error: unknown) => {
            throw commandError('XREADGROUP', error, host.stream);
          });
        this.#take(parseRead(reply));
        failures = 0;
      } catch (error) {
        if (!this.isReading) break;
        host.report(error);
        failures += 1;
        await this.#pause(Math.min(5000, 50 * 2 ** Math.min(failures, 7)));
      }
    }
    this.#reading?.destroy();
  }

  /** Waits `ms`, or less when woken (new demand, stop). */
  #pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const cancel = this.#host.after(ms, () => this.#wakeUp());
      this.#wake = () => {
        cancel();
        resolve();
      };
    });
  }

  #take(entries: RawEntry[]): void {
    if (entries.length === 0) return;
    this.#demand = Math.max(0, this.#demand - entries.length);
    for (const entry of entries) this.#held.add(entry.id);
    this.#onEntries(entries);
  }
}

/**
 * The entries of an `XREADGROUP` reply for one stream: `null` after a timed-out block; with
 * RESP 2 a list of `[key, entries]` pairs; with RESP 3 a map, which node-redis gives as an object
 * and ioredis as a flat `[key, entries]` list.
 */
export function parseRead(reply: unknown): RawEntry[] {
  const list = entriesOf(reply);
  const entries: RawEntry[] = [];
  for (const item of list) {
    if (!Array.isArray(item)) continue;
    entries.push({ id: String(item[0]), text: fieldOf(item[1]), deliveries: 1 });
  }
  return entries;
}

function entriesOf(reply: unknown): unknown[] {
  if (reply === null || typeof reply !== 'object') return [];
  let list: unknown;
  if (Array.isArray(reply)) list = Array.isArray(reply[0]) ? (reply[0] as unknown[])[1] : reply[1];
  else if (reply instanceof Map) list = reply.values().next().value;
  else list = Object.values(reply)[0];
  return Array.isArray(list) ? list : [];
}

/** The entries a claim returned: flat `id, text, deliveries` triples. */
export function parseClaim(reply: Reply): RawEntry[] {
  if (!Array.isArray(reply)) return [];
  const entries: RawEntry[] = [];
  for (let i = 0; i + 2 < reply.length; i += 3) {
    entries.push({ id: String(reply[i]), text: String(reply[i + 1]), deliveries: Number(reply[i + 2]) });
  }
  return entries;
}

function fieldOf(fields: unknown): string {
  if (!Array.isArray(fields)) return '';
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 'e') return String(fields[i + 1]);
  }
  return '';
}
