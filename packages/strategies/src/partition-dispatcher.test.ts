import { DispatchingBuffer, DispenserError } from '@dispenser/core';
import { describe, expect, it } from 'vitest';
import { PartitionTakenError } from './errors';
import { PartitionDispatcher } from './partition-dispatcher';
import type { PartitionDispatcherOptions } from './partition-dispatcher';
import { recordSends } from './test/record-sends';

/** A dispatcher whose sends are recorded; `take()` returns and clears them. */
function setup<E, P>(options: PartitionDispatcherOptions<E, P>) {
  const { send, take } = recordSends<E>();
  return { dispatcher: new PartitionDispatcher<E, string, P>(send, options), take };
}

const parity = {
  partitions: ['odd', 'even'],
  hash: (n: number) => [n, n % 2 === 1 ? 'odd' : 'even'] as const,
} satisfies PartitionDispatcherOptions<number, string>;

/** Reference FNV-1a (32-bit) over UTF-8 bytes, the documented default hash. */
function referenceFnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}

describe('PartitionDispatcher', () => {
  it('sends each partition up to its demand and leaves the rest when demand runs out (the issue example)', () => {
    const { dispatcher, take } = setup(parity);
    dispatcher.subscribe('c', { partition: 'odd' });
    expect(dispatcher.ask('c', 3)).toBe(3);
    expect(dispatcher.waiting).toBe(3);

    expect(dispatcher.dispatch([1])).toEqual([]);
    expect(take()).toEqual([['c', [1]]]);
    expect(dispatcher.waiting).toBe(2);
    expect(dispatcher.demandOf('c')).toBe(2);

    expect(dispatcher.ask('c', 3)).toBe(3);
    expect(dispatcher.dispatch([5, 7, 9, 11, 13, 15, 17])).toEqual([15, 17]);
    expect(take()).toEqual([['c', [5, 7, 9, 11, 13]]]);
    expect(dispatcher.waiting).toBe(0);
    expect(dispatcher.demand()).toBe(0);
  });

  it('queues events for a partition without demand or without a consumer, using up the others’ demand', () => {
    const { dispatcher, take } = setup(parity);
    dispatcher.subscribe('c', { partition: 'odd' });
    dispatcher.ask('c', 2);
    expect(dispatcher.dispatch([2, 4, 1])).toEqual([1]);
    expect(take()).toEqual([]);
    expect(dispatcher.queued('even')).toEqual([2, 4]);
    expect(dispatcher.buffered()).toBe(2);
    expect(dispatcher.demandOf('c')).toBe(2);
    expect(dispatcher.waiting).toBe(0);
  });

  it('serves a new consumer from its partition queue first, at once', () => {
    const { dispatcher, take } = setup(parity);
    dispatcher.subscribe('c', { partition: 'odd' });
    dispatcher.ask('c', 3);
    dispatcher.dispatch([2, 4, 6]);
    dispatcher.subscribe('e', { partition: 'even' });
    expect(take()).toEqual([]);
    expect(dispatcher.ask('e', 2)).toBe(2);
    expect(take()).toEqual([['e', [2, 4]]]);
    expect(dispatcher.queued('even')).toEqual([6]);
    expect(dispatcher.demandOf('e')).toBe(0);
    expect(dispatcher.waiting).toBe(2);

    expect(dispatcher.ask('e', 3)).toBe(3);
    expect(take()).toEqual([['e', [6]]]);
    expect(dispatcher.demandOf('e')).toBe(2);
    expect(dispatcher.buffered()).toBe(0);
    expect(dispatcher.dispatch([8, 1, 10, 3, 5, 7])).toEqual([7]);
    expect(take()).toEqual([['e', [8, 10]], ['c', [1, 3, 5]]]);
  });

  it('delivers the event hash returns and discards events hashed to null without using demand', () => {
    const { dispatcher, take } = setup<{ key: string; value: number }, string>({
      partitions: ['x', 'y'],
      hash: (event) => (event.key === 'skip' ? null : [event, event.key]),
    });
    const unwrap = setup<{ key: string; value: number }, string>({
      partitions: ['x'],
      hash: (event) => [{ key: 'x', value: event.value * 10 }, 'x'],
    });
    dispatcher.subscribe('cx', { partition: 'x' });
    dispatcher.ask('cx', 1);
    const skip = { key: 'skip', value: 0 };
    const one = { key: 'x', value: 1 };
    const two = { key: 'x', value: 2 };
    expect(dispatcher.dispatch([skip, one, skip, two])).toEqual([skip, two]);
    expect(take()).toEqual([['cx', [one]]]);

    unwrap.dispatcher.subscribe('c', { partition: 'x' });
    unwrap.dispatcher.ask('c', 1);
    unwrap.dispatcher.dispatch([one]);
    expect(unwrap.take()).toEqual([['c', [{ key: 'x', value: 10 }]]]);
  });

  it('reports the events hash discards through onDiscard, after the sends', () => {
    const order: string[] = [];
    const discards: number[][] = [];
    const dispatcher = new PartitionDispatcher<number, string, string>((consumer, events) => order.push(`send ${consumer} ${events.join()}`), {
      ...parity,
      hash: (n) => (n < 0 ? null : parity.hash(n)),
      onDiscard: (events) => {
        order.push('discard');
        discards.push(events);
      },
    });
    dispatcher.subscribe('c', { partition: 'odd' });
    dispatcher.ask('c', 5);
    expect(dispatcher.dispatch([-1, 1, -2, 3])).toEqual([]);
    expect(discards).toEqual([[-1, -2]]);
    expect(order).toEqual(['send c 1,3', 'discard']);
    dispatcher.dispatch([5]);
    expect(discards).toHaveLength(1);
  });

  it('discards nothing when hash throws: the whole dispatch is undone', () => {
    const discards: number[][] = [];
    const dispatcher = new PartitionDispatcher<number, string, string>(() => undefined, {
      ...parity,
      hash: (n) => {
        if (n === 99) throw new Error('poison');
        return n < 0 ? null : parity.hash(n);
      },
      onDiscard: (events) => discards.push(events),
    });
    dispatcher.subscribe('c', { partition: 'odd' });
    dispatcher.ask('c', 5);
    expect(() => dispatcher.dispatch([-1, 99])).toThrow('poison');
    expect(discards).toEqual([]);
  });

  it('takes a poison event out under DispatchingBuffer and counts the discarded ones (books balance)', () => {
    const drops: unknown[] = [];
    const buffer = new DispatchingBuffer<number, string>({
      dispatcher: (send, discard) =>
        new PartitionDispatcher<number, string, string>(send, {
          ...parity,
          hash: (n) => {
            if (n === 99) throw new Error('poison');
            return n < 0 ? null : parity.hash(n);
          },
          onDiscard: discard,
        }),
      capacity: 10,
      subscribeOptions: (subscriber) => ({ partition: subscriber }),
    });
    buffer.watchDrops((events, reason, cause) => drops.push([events, reason, cause instanceof Error ? cause.message : cause]));
    buffer.append([1, -2, 99, 3, 4]);
    buffer.ask('odd', 10);
    buffer.ask('even', 10);
    const sent = buffer.assignEvents().flatMap(([, events]) => events);
    expect(sent.sort()).toEqual([1, 3, 4]);
    expect(buffer.discarded).toBe(2);
    expect(drops).toEqual([
      [[-2], 'discarded', undefined],
      [[99], 'discarded', 'poison'],
    ]);
    // appended 5 = sent 3 + discarded 2 + buffered 0
    expect(sent.length + buffer.discarded + buffer.size).toBe(5);
  });

  it('rejects unknown options, naming them', () => {
    expect(() => new PartitionDispatcher(() => undefined, { partitions: 2, onDiscrad: () => undefined } as never)).toThrow(
      /unknown key "onDiscrad"; known keys: partitions, hash, onDiscard/,
    );
  });

  it('throws naming an unknown partition returned by hash, changing nothing', () => {
    const { dispatcher, take } = setup<number, string>({
      partitions: ['odd', 'even'],
      hash: (n) => [n, n === 3 ? 'three' : n % 2 === 1 ? 'odd' : 'even'],
    });
    dispatcher.subscribe('c', { partition: 'odd' });
    dispatcher.ask('c', 5);
    expect(() => dispatcher.dispatch([1, 2, 3])).toThrow(/"three".*"odd", "even"/);
    expect(take()).toEqual([]);
    expect(dispatcher.waiting).toBe(5);
    expect(dispatcher.queued('even')).toEqual([]);
    expect(dispatcher.dispatch([1, 2])).toEqual([]);
    expect(take()).toEqual([['c', [1]]]);
  });

  it('throws when hash returns something other than a pair or null', () => {
    const { dispatcher } = setup<number, number>({ partitions: 1, hash: () => 0 as never });
    dispatcher.subscribe('c', { partition: 0 });
    dispatcher.ask('c', 1);
    expect(() => dispatcher.dispatch([1])).toThrow(TypeError);
    expect(dispatcher.waiting).toBe(1);
  });

  it('hashes strings, numbers and bigints by FNV-1a of their UTF-8 form, modulo the partition count', () => {
    const count = 7;
    const { dispatcher, take } = setup<string | number | bigint, number>({ partitions: count });
    for (let p = 0; p < count; p++) {
      dispatcher.subscribe(`c${p}`, { partition: p });
      dispatcher.ask(`c${p}`, 100);
    }
    const events = ['', 'a', 'foobar', 'é', '日本', '🙂', 42, -0, 10n];
    dispatcher.dispatch(events);
    const got = new Map<unknown, number>();
    for (const [consumer, batch] of take()) for (const event of batch) got.set(event, Number(consumer.slice(1)));
    // Known FNV-1a vectors, then the reference over UTF-8 bytes for the rest.
    expect(got.get('')).toBe(0x811c9dc5 % count);
    expect(got.get('a')).toBe(0xe40c292c % count);
    expect(got.get('foobar')).toBe(0xbf9cf968 % count);
    for (const event of events) expect(got.get(event)).toBe(referenceFnv1a(String(event)) % count);
  });

  it('throws a TypeError for events the default hash cannot handle, changing nothing', () => {
    const { dispatcher, take } = setup<unknown, number>({ partitions: 2 });
    dispatcher.subscribe('c', { partition: 0 });
    dispatcher.ask('c', 3);
    expect(() => dispatcher.dispatch([{ id: 1 }])).toThrow(/options\.hash/);
    expect(() => dispatcher.dispatch([true])).toThrow(TypeError);
    expect(take()).toEqual([]);
    expect(dispatcher.waiting).toBe(3);
  });

  it('turns the demand of a cancelled consumer into pending demand', () => {
    const { dispatcher } = setup(parity);
    dispatcher.subscribe('c', { partition: 'odd' });
    dispatcher.ask('c', 10);
    expect(dispatcher.cancel('c')).toBe(0);
    expect(dispatcher.pending).toBe(10);
    expect(dispatcher.demand()).toBe(0);
    expect(dispatcher.partitionOf('c')).toBeUndefined();
    dispatcher.subscribe('d', { partition: 'odd' });
    expect(dispatcher.ask('d', 4)).toBe(0);
    expect(dispatcher.pending).toBe(6);
    expect(dispatcher.ask('d', 8)).toBe(2);
    expect(dispatcher.pending).toBe(0);
    expect(dispatcher.waiting).toBe(12);
  });

  it('keeps the queue of a cancelled consumer for the next one and returns its size as demand', () => {
    const { dispatcher, take } = setup(parity);
    dispatcher.subscribe('o', { partition: 'odd' });
    dispatcher.subscribe('e', { partition: 'even' });
    dispatcher.ask('o', 3);
    dispatcher.dispatch([2, 4, 6]);
    expect(dispatcher.waiting).toBe(0);
    expect(dispatcher.cancel('e')).toBe(3);
    expect(dispatcher.waiting).toBe(3);
    expect(dispatcher.queued('even')).toEqual([2, 4, 6]);
    expect(dispatcher.buffered()).toBe(3);

    // The freed demand now serves the odd partition.
    expect(dispatcher.dispatch([1, 3, 5])).toEqual([]);
    expect(take()).toEqual([['o', [1, 3, 5]]]);

    // The next consumer of 'even' gets the kept events; they were already paid for upstream.
    dispatcher.subscribe('e2', { partition: 'even' });
    expect(dispatcher.ask('e2', 2)).toBe(0);
    expect(take()).toEqual([['e2', [2, 4]]]);
    expect(dispatcher.ask('e2', 3)).toBe(2);
    expect(take()).toEqual([['e2', [6]]]);
    expect(dispatcher.demandOf('e2')).toBe(2);
    expect(dispatcher.waiting).toBe(2);
  });

  it('validates subscribe options, listing the valid partitions, and changes nothing', () => {
    const { dispatcher } = setup(parity);
    expect(() => dispatcher.subscribe('c')).toThrow(TypeError);
    expect(() => dispatcher.subscribe('c', {} as never)).toThrow(/"odd", "even"/);
    expect(() => dispatcher.subscribe('c', { partition: 'three' })).toThrow(RangeError);
    expect(() => dispatcher.subscribe('c', { partition: 'three' })).toThrow(/"odd", "even".*"three"/);
    dispatcher.subscribe('c', { partition: 'odd' });
    let caught: unknown;
    try {
      dispatcher.subscribe('d', { partition: 'odd' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DispenserError);
    expect(caught).toBeInstanceOf(PartitionTakenError);
    expect(caught).toMatchObject({ code: 'PARTITION_TAKEN', partition: 'odd', holder: 'c' });
    expect(() => dispatcher.subscribe('c', { partition: 'even' })).toThrow(
      expect.objectContaining({ code: 'ALREADY_SUBSCRIBED' }),
    );
    expect(dispatcher.size).toBe(1);
    expect(dispatcher.partitionOf('c')).toBe('odd');
    expect(dispatcher.has('d')).toBe(false);
  });

  it('rejects asks for unknown consumers and bad demands; ask 0 and cancelling strangers are no-ops', () => {
    const { dispatcher } = setup(parity);
    dispatcher.subscribe('c', { partition: 'odd' });
    expect(() => dispatcher.ask('x', 1)).toThrow(expect.objectContaining({ code: 'NOT_SUBSCRIBED' }));
    expect(() => dispatcher.ask('c', -1)).toThrow(RangeError);
    expect(dispatcher.ask('c', 0)).toBe(0);
    expect(dispatcher.cancel('x')).toBe(0);
    expect(dispatcher.waiting).toBe(0);
  });

  it('validates its options', () => {
    const send = () => undefined;
    expect(() => new PartitionDispatcher(null as never, { partitions: 2 })).toThrow(/send/);
    expect(() => new PartitionDispatcher(send, undefined as never)).toThrow(TypeError);
    expect(() => new PartitionDispatcher(send, { partitions: 0 })).toThrow(RangeError);
    expect(() => new PartitionDispatcher(send, { partitions: 1.5 })).toThrow(/options\.partitions/);
    expect(() => new PartitionDispatcher(send, { partitions: '2' as never })).toThrow(TypeError);
    expect(() => new PartitionDispatcher(send, { partitions: [] })).toThrow(RangeError);
    expect(() => new PartitionDispatcher(send, { partitions: ['a', 'a'], hash: () => null })).toThrow(/repeat/);
    expect(() => new PartitionDispatcher(send, { partitions: ['a', 'b'] })).toThrow(/options\.hash/);
    expect(() => new PartitionDispatcher(send, { partitions: 2, hash: 'x' as never })).toThrow(/options\.hash/);
    expect(new PartitionDispatcher(send, { partitions: [1, 0] }).partitions).toEqual([1, 0]);
  });

  it('runs under DispatchingBuffer: per-key ordered processing across 4 subscribers', () => {
    const users = ['ann', 'bob', 'cid', 'dee', 'eve', 'fay'];
    const hash = (e: { user: string; seq: number }) => [e, users.indexOf(e.user) % 4] as const;
    const buffer = new DispatchingBuffer<{ user: string; seq: number }, string>({
      dispatcher: (send) => new PartitionDispatcher(send, { partitions: 4, hash }),
      capacity: 1000,
      subscribeOptions: (worker) => ({ partition: Number(worker.slice(1)) }),
    });
    const events = Array.from({ length: 120 }, (_, i) => ({ user: users[i % users.length] as string, seq: i }));
    buffer.append(events);
    const received = new Map<string, Array<{ user: string; seq: number }>>();
    for (let round = 0; round < 100 && buffer.size > 0; round++) {
      for (let w = 0; w < 4; w++) buffer.ask(`w${w}`, 1 + ((round + w) % 3));
      for (const [worker, batch] of buffer.assignEvents()) {
        received.set(worker, [...(received.get(worker) ?? []), ...batch]);
      }
    }
    const all = [...received.values()].flat();
    expect(all).toHaveLength(120);
    for (const [worker, batch] of received) {
      const partition = Number(worker.slice(1));
      for (const event of batch) expect(users.indexOf(event.user) % 4).toBe(partition);
      for (const user of users) {
        const seqs = batch.filter((e) => e.user === user).map((e) => e.seq);
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      }
    }
    expect(buffer.stats()).toEqual({ buffered: 0, demand: buffer.dispatcher.demand?.() });
  });
});
