// W6: broadcast fan-out, every subscriber gets every event within its own bound, a few stalled.
import type { Subscriber } from '@dispenser/core';
import { BroadcastServer } from '@dispenser/servers';
import { Effect, Fiber, Option, PubSub } from 'effect';
import { Subject } from 'rxjs';
import type { Contender, GrowthProbe, Role } from '../harness';
import { expectEqual } from './books';
import { batchesOf } from './events';
import type { Ev } from './events';
import { atMost, deferred, yieldToLoop } from './loop';
import type { Profile } from './profile';
import type { TimedWorkload } from './types';

/** W6's sizes. */
type Sizes = Profile['broadcast'];

/** Longest a W6 run may wait for its last events. */
const FAN_OUT_TIMEOUT_MS = 120_000;

/**
 * What one subscriber received. The order is checked at each hand-off (its first event must
 * follow the last one received), with the count and the last id after the run: checking every
 * event inside the clock would add a comparison per (event, subscriber), 99,000,000 of them.
 */
class Tally {
  received = 0;
  last = -1;
  inOrder = true;

  constructor(readonly stalled: boolean) {}

  record(events: readonly Ev[]): void {
    const n = events.length;
    if (n === 0) return;
    if ((events[0] as Ev).i !== this.last + 1) this.inOrder = false;
    this.received += n;
    this.last = (events[n - 1] as Ev).i;
  }
}

/** Events delivered by one run, summed over subscribers: every event to each live one, `demand` to each stalled one. */
function fanOutDeliveries(s: Sizes): number {
  return (s.subscribers - s.stalled) * s.events + s.stalled * s.demand;
}

/** What each stalled subscriber loses: every event past its one demand and the `capacity` it holds. */
function stalledDrops(s: Sizes): number {
  return s.events - s.demand - s.capacity;
}

/** The tallies of one run; the stalled ones spread evenly (every `subscribers / stalled`-th, the last of each stride). */
function talliesOf(s: Sizes): Tally[] {
  const stride = Math.floor(s.subscribers / s.stalled);
  const tallies: Tally[] = [];
  for (let k = 0; k < s.subscribers; k++) tallies.push(new Tally(k % stride === stride - 1 && (k + 1) / stride <= s.stalled));
  return tallies;
}

/** What a contender says of one stalled subscriber after a run: its drop count and what it still holds. */
interface StalledBooks {
  readonly dropped: number;
  readonly lag: number;
}

/** One W6 run of a contender, built over subscribers that exist already. */
interface FanOut {
  /** The timed part: the producer's batches and yields, then the wait for the last deliveries. */
  run(): Promise<void>;
  /** The contender's own books, beyond the tallies (throws when they do not balance). */
  check(): void;
  /** Each stalled subscriber's drop count and lag, as the contender reports (or, lacking a counter, implies) them. */
  stalled(): StalledBooks[];
  /** Drops the contender counted over all subscribers (its own total, or the sum of its per-subscriber counts). */
  droppedTotal(): number;
  /** Lets go of the server, subscriptions or fibers; resolves once they are gone. */
  release(): Promise<void> | void;
}

/**
 * A W6 contender in two steps, so that heap growth counts only what the fan-out holds: `subscribe`
 * makes the subscribers (their tallies and handlers, which every contender has alike) and the
 * batches; `attach` then builds the fan-out over them.
 */
interface FanOutContender {
  readonly name: string;
  readonly role: Role;
  subscribe(s: Sizes): { readonly tallies: readonly Tally[]; attach(): FanOut | Promise<FanOut> };
}

/** W6's producer: each batch handed to `deliver`, then a `setImmediate` yield. */
async function produce(batches: readonly Ev[][], deliver: (batch: Ev[]) => void): Promise<void> {
  for (let b = 0; b < batches.length; b++) {
    deliver(batches[b] as Ev[]);
    await yieldToLoop();
  }
}

/** Throws unless every live subscriber received every event in order and every stalled one exactly its first `demand`. */
function checkDeliveries(s: Sizes, tallies: readonly Tally[]): void {
  for (let k = 0; k < tallies.length; k++) {
    const tally = tallies[k] as Tally;
    const expected = tally.stalled ? s.demand : s.events;
    const who = `subscriber ${k}${tally.stalled ? ' (stalled)' : ''}`;
    expectEqual(`events received by ${who}`, tally.received, expected);
    expectEqual(`last event id received by ${who}`, tally.last, expected - 1);
    if (!tally.inOrder) throw new Error(`${who} received events out of order`);
  }
}

/**
 * The stalled subscribers' books of a run as figures: lowest and highest drop count and lag,
 * and `stalledExact` = 1 when every drop count is `events − demand − capacity`, every lag is
 * `capacity` and the contender's total of drops is exactly theirs (nobody else lost anything).
 */
function stalledFigures(s: Sizes, fanOut: FanOut): Record<string, number> {
  const books = fanOut.stalled();
  const expected = stalledDrops(s);
  let exact = books.length === s.stalled && fanOut.droppedTotal() === s.stalled * expected;
  let droppedMin = Number.POSITIVE_INFINITY;
  let droppedMax = Number.NEGATIVE_INFINITY;
  let lagMin = Number.POSITIVE_INFINITY;
  let lagMax = Number.NEGATIVE_INFINITY;
  for (const { dropped, lag } of books) {
    if (dropped !== expected || lag !== s.capacity) exact = false;
    droppedMin = Math.min(droppedMin, dropped);
    droppedMax = Math.max(droppedMax, dropped);
    lagMin = Math.min(lagMin, lag);
    lagMax = Math.max(lagMax, lag);
  }
  return { stalledExact: exact ? 1 : 0, stalledDroppedMin: droppedMin, stalledDroppedMax: droppedMax, stalledLagMin: lagMin, stalledLagMax: lagMax };
}

/**
 * What the last timed run let go of, still going (Effect interrupts its fibers asynchronously):
 * the next run of the workload waits for it, so that no run pays for the previous one's cleanup.
 */
interface Releases {
  last: Promise<void>;
}

/** Waits for `releases.last`, then lets the event loop turn a few times. */
async function settle(releases: Releases): Promise<void> {
  await releases.last;
  for (let turn = 0; turn < 3; turn++) await yieldToLoop();
}

/** The timed contender of a W6 contender: books checked after the clock (deliveries throw, stalled drop counts are figures). */
function timed(c: FanOutContender, s: Sizes, releases: Releases): Contender {
  return {
    name: c.name,
    role: c.role,
    async prepare() {
      await settle(releases);
      const stage = c.subscribe(s);
      const fanOut = await stage.attach();
      let figures: Record<string, number> = {};
      return {
        run: () => fanOut.run(),
        check() {
          try {
            checkDeliveries(s, stage.tallies);
            fanOut.check();
            figures = stalledFigures(s, fanOut);
          } finally {
            releases.last = Promise.resolve(fanOut.release());
          }
        },
        extras: () => figures,
      };
    },
  };
}

/** The heap probe of a W6 contender: counts from after the subscribers are made to after a run, before anything is let go. */
function probe(c: FanOutContender, s: Sizes, releases: Releases): GrowthProbe {
  return {
    name: c.name,
    role: c.role,
    async run(mark) {
      await settle(releases);
      const stage = c.subscribe(s);
      mark();
      const fanOut = await stage.attach();
      try {
        await fanOut.run();
        mark();
        checkDeliveries(s, stage.tallies);
        fanOut.check();
        return stalledFigures(s, fanOut);
      } finally {
        await fanOut.release();
      }
    },
  };
}

/** dispenser: one `BroadcastServer`; each subscriber asks `demand`, the live ones re-ask what they get. */
const dispenserFanOut: FanOutContender = {
  name: "dispenser BroadcastServer ('drop-oldest')",
  role: 'dispenser',
  subscribe(s) {
    const batches = batchesOf(s.events, s.batchSize);
    const tallies = talliesOf(s);
    let server!: BroadcastServer<Ev>;
    const subscribers = tallies.map((tally): Subscriber<Ev> => {
      if (tally.stalled) return { handleAssignedEvents: (events) => tally.record(events) };
      const subscriber: Subscriber<Ev> = {
        handleAssignedEvents(events) {
          tally.record(events);
          server.ask(subscriber, events.length);
        },
      };
      return subscriber;
    });
    return {
      tallies,
      attach(): FanOut {
        server = new BroadcastServer<Ev>({ capacity: s.capacity, dropStrategy: 'drop-oldest' });
        for (const subscriber of subscribers) server.ask(subscriber, s.demand);
        let dropped = 0;
        return {
          run: () =>
            produce(batches, (batch) => {
              dropped += server.append(batch);
            }),
          check() {
            const metrics = server.metrics();
            expectEqual('server appended', metrics.appended, s.events);
            expectEqual('server delivered', metrics.delivered, fanOutDeliveries(s));
            expectEqual('server failed', metrics.failed, 0);
            expectEqual('drops append() returned, summed', dropped, metrics.dropped);
          },
          stalled: () =>
            subscribers
              .filter((_subscriber, k) => (tallies[k] as Tally).stalled)
              .map((subscriber) => {
                const stats = server.subscriberStats(subscriber);
                return { dropped: stats?.dropped ?? Number.NaN, lag: stats?.lag ?? Number.NaN };
              }),
          droppedTotal: () => server.metrics().dropped,
          release: () => server.close(),
        };
      },
    };
  },
};

/**
 * Effect: one `PubSub.sliding(capacity)`, a fiber per subscriber that subscribes (in its own
 * scope) and loops on `takeBetween(subscription, 1, demand)`; a stalled fiber takes its first
 * `demand` (`takeBetween(subscription, demand, demand)`) and then never again. The producer
 * publishes each batch with `publishAll`. Sliding drops silently: a stalled subscriber's drop
 * count is implied by what its subscription still holds (`remainingUnsafe`).
 */
function effectFanOut(demand: number): FanOutContender {
  return {
    name: `effect 4.1.0 PubSub.sliding, a takeBetween(1, ${demand}) fiber per subscriber`,
    role: 'peer',
    subscribe(s) {
      const batches = batchesOf(s.events, s.batchSize);
      const tallies = talliesOf(s);
      let pubsub!: PubSub.PubSub<Ev>;
      let ready = 0;
      let caughtUp = 0;
      let finished = deferred();
      const live = s.subscribers - s.stalled;
      const held: Array<PubSub.Subscription<Ev> | undefined> = [];
      const programs = tallies.map((tally, k) =>
        tally.stalled
          ? Effect.scoped(
              Effect.gen(function* () {
                const subscription = yield* PubSub.subscribe(pubsub);
                held[k] = subscription;
                ready++;
                tally.record(yield* PubSub.takeBetween(subscription, s.demand, s.demand));
                yield* Effect.never;
              }),
            )
          : Effect.scoped(
              Effect.gen(function* () {
                const subscription = yield* PubSub.subscribe(pubsub);
                ready++;
                for (;;) {
                  tally.record(yield* PubSub.takeBetween(subscription, 1, s.demand));
                  if (tally.received === s.events && ++caughtUp === live) finished.resolve();
                }
              }),
            ),
      );
      return {
        tallies,
        async attach(): Promise<FanOut> {
          pubsub = Effect.runSync(PubSub.sliding<Ev>(s.capacity));
          finished = deferred();
          const fibers = programs.map((program) => Effect.runFork(program));
          for (let turn = 0; ready < s.subscribers; turn++) {
            if (turn > 1_000) throw new Error(`only ${ready} of ${s.subscribers} fibers subscribed`);
            await yieldToLoop();
          }
          const stalled = (): StalledBooks[] =>
            tallies.flatMap((tally, k) => {
              if (!tally.stalled) return [];
              const remaining = held[k] === undefined ? Option.none<number>() : PubSub.remainingUnsafe(held[k] as PubSub.Subscription<Ev>);
              const lag = Option.isSome(remaining) ? remaining.value : Number.NaN;
              return [{ dropped: s.events - tally.received - lag, lag }];
            });
          return {
            async run() {
              await produce(batches, (batch) => Effect.runSync(PubSub.publishAll(pubsub, batch)));
              await atMost(finished.promise, FAN_OUT_TIMEOUT_MS);
            },
            check() {
              expectEqual('live fibers that received every event', caughtUp, live);
            },
            stalled,
            droppedTotal: () => stalled().reduce((sum, books) => sum + books.dropped, 0),
            release: () => Effect.runPromise(Effect.andThen(Fiber.interruptAll(fibers), PubSub.shutdown(pubsub))),
          };
        },
      };
    },
  };
}

/**
 * The hand-written bounded buffer of the RxJS peer, one per subscriber: a drop-oldest ring of at
 * most `capacity` events (power-of-two slots, grown as needed, emptied slots cleared), a drop
 * count, and outstanding demand. `next` pushes a batch, then hands the subscriber's `handler`
 * what its demand allows; the handler re-asks with `ask`.
 */
class BoundedBuffer {
  #slots: (Ev | undefined)[] = new Array<Ev | undefined>(16);
  #mask = 15;
  #head = 0;
  size = 0;
  dropped = 0;

  constructor(
    readonly capacity: number,
    public demand: number,
    readonly handler: (events: Ev[], buffer: BoundedBuffer) => void,
  ) {}

  ask(amount: number): void {
    this.demand += amount;
  }

  next(batch: readonly Ev[]): void {
    this.#push(batch);
    while (this.demand > 0 && this.size > 0) this.#deliver(Math.min(this.demand, this.size));
  }

  #push(batch: readonly Ev[]): void {
    const n = batch.length;
    const capacity = this.capacity;
    // A batch larger than the whole capacity loses its own oldest first.
    const skip = n > capacity ? n - capacity : 0;
    const count = n - skip;
    let slots = this.#slots;
    let mask = this.#mask;
    const over = this.size + count - capacity;
    if (over > 0) {
      let at = this.#head;
      for (let k = 0; k < over; k++) {
        slots[at] = undefined;
        at = (at + 1) & mask;
      }
      this.#head = at;
      this.size -= over;
    }
    this.dropped += skip + Math.max(0, over);
    if (this.size + count > slots.length) {
      let length = slots.length;
      while (length < this.size + count) length *= 2;
      const next = new Array<Ev | undefined>(length);
      for (let k = 0; k < this.size; k++) next[k] = slots[(this.#head + k) & mask];
      this.#slots = slots = next;
      this.#mask = mask = length - 1;
      this.#head = 0;
    }
    let at = (this.#head + this.size) & mask;
    for (let k = skip; k < n; k++) {
      slots[at] = batch[k];
      at = (at + 1) & mask;
    }
    this.size += count;
  }

  #deliver(count: number): void {
    const out = new Array<Ev>(count);
    const slots = this.#slots;
    const mask = this.#mask;
    let at = this.#head;
    for (let k = 0; k < count; k++) {
      out[k] = slots[at] as Ev;
      slots[at] = undefined;
      at = (at + 1) & mask;
    }
    this.#head = at;
    this.size -= count;
    this.demand -= count;
    this.handler(out, this);
  }
}

/**
 * RxJS: one `Subject<Ev[]>` the producer calls `next(batch)` on; each subscriber subscribes its
 * own {@link BoundedBuffer}, which pushes each batch and hands out what the subscriber asked for,
 * synchronously; a live subscriber re-asks what it got, a stalled one never does.
 */
const rxjsFanOut: FanOutContender = {
  name: 'rxjs 7.8.2 Subject, a hand-written drop-oldest buffer per subscriber',
  role: 'peer',
  subscribe(s) {
    const batches = batchesOf(s.events, s.batchSize);
    const tallies = talliesOf(s);
    const handlers = tallies.map((tally): ((events: Ev[], buffer: BoundedBuffer) => void) =>
      tally.stalled
        ? (events) => tally.record(events)
        : (events, buffer) => {
            tally.record(events);
            buffer.ask(events.length);
          },
    );
    return {
      tallies,
      attach(): FanOut {
        const subject = new Subject<readonly Ev[]>();
        const buffers = handlers.map((handler) => new BoundedBuffer(s.capacity, s.demand, handler));
        for (const buffer of buffers) subject.subscribe(buffer);
        return {
          run: () => produce(batches, (batch) => subject.next(batch)),
          check() {
            let left = 0;
            for (let k = 0; k < buffers.length; k++) if (!(tallies[k] as Tally).stalled) left += (buffers[k] as BoundedBuffer).size;
            expectEqual('events left in the live subscribers\' buffers', left, 0);
          },
          stalled: () =>
            buffers.filter((_buffer, k) => (tallies[k] as Tally).stalled).map((buffer) => ({ dropped: buffer.dropped, lag: buffer.size })),
          droppedTotal: () => buffers.reduce((sum, buffer) => sum + buffer.dropped, 0),
          release: () => subject.complete(),
        };
      },
    };
  },
};

/**
 * W6 at the sizes of `p`: dispenser's `BroadcastServer` against Effect's sliding `PubSub` and an
 * RxJS `Subject` with a bounded buffer per subscriber; events/s counts deliveries summed over
 * subscribers. Its heap growth is measured by untimed runs after the timed ones.
 */
export function broadcastWorkload(p: Profile): TimedWorkload {
  const s = p.broadcast;
  if (stalledDrops(s) <= 0) throw new RangeError(`W6 needs more than demand + capacity events, got ${s.events}`);
  const contenders = [dispenserFanOut, effectFanOut(s.demand), rxjsFanOut];
  const releases: Releases = { last: Promise.resolve() };
  return {
    id: 'W6',
    title: 'Broadcast fan-out',
    events: fanOutDeliveries(s),
    contenders: contenders.map((c) => timed(c, s, releases)),
    rounds: s.rounds,
    heap: {
      probes: contenders.map((c) => probe(c, s, releases)),
      rounds: s.heapRounds,
      capacity: s.capacity,
      subscribers: s.subscribers,
      stalled: s.stalled,
      expectedDropped: stalledDrops(s),
    },
  };
}
