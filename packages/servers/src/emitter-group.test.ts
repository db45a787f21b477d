import { describe, expect, it, vi } from 'vitest';
import { EmitterGroup, emitterName, topic, type Emitter, type EmitterMessage } from './emitter-group';
import { settle } from './test/settle';

/** An emitter that records what it handles. */
function recorder(name: string, node?: string): Emitter<string> & { name: string; got: EmitterMessage<string>[] } {
  const got: EmitterMessage<string>[] = [];
  return {
    name,
    got,
    ...(node === undefined ? {} : { node }),
    handle(message: EmitterMessage<string>) {
      got.push(message);
    },
  };
}

/** A `random` that returns the given numbers in turn, forever. */
function sequence(...numbers: number[]): () => number {
  let i = 0;
  return () => numbers[i++ % numbers.length] as number;
}

describe('topic', () => {
  it.each([
    ['orders', 'billing', 'orders:billing'],
    ['orders', '$all', 'orders:$all'],
    ['', 'x', ':x'],
  ])('joins %j and %j into %j', (store, subscription, expected) => {
    expect(topic(store, subscription)).toBe(expected);
  });

  it('throws a TypeError naming a non-string argument', () => {
    expect(() => topic(1 as unknown as string, 'x')).toThrow(/store/);
    expect(() => topic('s', undefined as unknown as string)).toThrow(TypeError);
  });
});

describe('emitterName', () => {
  it.each([
    [undefined, 'orders_billing_emitter'],
    [1, 'orders_billing_emitter'],
    [2, 'orders_billing_emitter_2'],
    [10, 'orders_billing_emitter_10'],
  ])('names emitter %s of a pool', (n, expected) => {
    expect(emitterName('orders', 'billing', n)).toBe(expected);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('throws a RangeError naming n for %s', (n) => {
    expect(() => emitterName('orders', 'billing', n)).toThrow(RangeError);
    expect(() => emitterName('orders', 'billing', n)).toThrow(/\bn must be/);
  });
});

describe('EmitterGroup', () => {
  describe('constructor', () => {
    it('validates its options, naming them with the options. prefix', () => {
      expect(() => new EmitterGroup({ random: 1 as unknown as () => number })).toThrow(/^options\.random must be a function/);
      expect(() => new EmitterGroup({ onError: 'x' as unknown as () => void })).toThrow(TypeError);
      expect(() => new EmitterGroup({ onError: 'x' as unknown as () => void })).toThrow(/^options\.onError must be a function/);
      expect(() => new EmitterGroup({ node: 3 as unknown as string })).toThrow(/^options\.node must be a string/);
      expect(() => new EmitterGroup(null as unknown as object)).toThrow(/^options must be an object/);
      expect(new EmitterGroup().node).toBeUndefined();
      expect(new EmitterGroup({ node: 'a' }).node).toBe('a');
    });

    it('throws a TypeError listing the known keys for an unknown option', () => {
      const make = () => new EmitterGroup({ nodes: 'a' } as unknown as object);
      expect(make).toThrow(TypeError);
      expect(make).toThrow('options has unknown key "nodes"; known keys: node, random, onError');
      expect(() => new EmitterGroup({ node: undefined, onError: undefined } as unknown as object)).not.toThrow();
    });
  });

  describe('join / leave / members', () => {
    it('lists members in join order, per store and subscription', () => {
      const group = new EmitterGroup<string>();
      const [a, b, c] = [recorder('a'), recorder('b'), recorder('c')];
      group.join('orders', 'billing', a);
      group.join('orders', 'billing', [b, c]);
      group.join('orders', 'audit', c);
      group.join('users', 'billing', a);
      expect(group.members('orders', 'billing')).toEqual([a, b, c]);
      expect(group.members('orders', 'audit')).toEqual([c]);
      expect(group.members('users', 'billing')).toEqual([a]);
      expect(group.members('users', 'audit')).toEqual([]);
    });

    it('removes one membership per leave and ignores members that are not joined', () => {
      const group = new EmitterGroup<string>();
      const [a, b, stranger] = [recorder('a'), recorder('b'), recorder('stranger')];
      group.join('s', 'sub', [a, b, a]);
      group.leave('s', 'sub', a);
      expect(group.members('s', 'sub')).toEqual([a, b]);
      group.leave('s', 'sub', [stranger]);
      group.leave('s', 'nobody-here', a);
      group.leave('other', 'sub', a);
      expect(group.members('s', 'sub')).toEqual([a, b]);
      group.leave('s', 'sub', [a, b, a]);
      expect(group.members('s', 'sub')).toEqual([]);
      expect(group.broadcast('s', 'sub', 'e')).toBe('no_emitters');
    });

    it('returns a copy, so changing it does not change the group', () => {
      const group = new EmitterGroup<string>();
      group.join('s', 'sub', recorder('a'));
      group.members('s', 'sub').pop();
      expect(group.members('s', 'sub')).toHaveLength(1);
    });

    it('rejects a member without a handle function and adds none of the batch', () => {
      const group = new EmitterGroup<string>();
      const good = recorder('good');
      expect(() => group.join('s', 'sub', [good, {} as Emitter<string>])).toThrow(/members must be an emitter/);
      expect(() => group.join('s', 'sub', null as unknown as Emitter<string>)).toThrow(TypeError);
      expect(() => group.join(5 as unknown as string, 'sub', good)).toThrow(/store/);
      expect(group.members('s', 'sub')).toEqual([]);
    });
  });

  describe('broadcast', () => {
    it("returns 'no_emitters' for an empty or unknown group", () => {
      const group = new EmitterGroup<string>();
      expect(group.broadcast('s', 'sub', 'e')).toBe('no_emitters');
    });

    it('hands the event to exactly one member chosen by the injected random', () => {
      const [a, b, c] = [recorder('a'), recorder('b'), recorder('c')];
      const group = new EmitterGroup<string>({ random: sequence(0, 0.5, 0.99) });
      group.join('orders', 'billing', [a, b, c]);
      expect(group.broadcast('orders', 'billing', 'e1')).toBe('ok');
      expect(group.broadcast('orders', 'billing', 'e2')).toBe('ok');
      expect(group.broadcast('orders', 'billing', 'e3')).toBe('ok');
      expect(a.got.map((m) => m.event)).toEqual(['e1']);
      expect(b.got.map((m) => m.event)).toEqual(['e2']);
      expect(c.got.map((m) => m.event)).toEqual(['e3']);
      expect(a.got[0]).toEqual({ kind: 'forward_to_local', topic: 'orders:billing', event: 'e1' });
    });

    it('uses the $all topic for the $all subscription', () => {
      const a = recorder('a');
      const group = new EmitterGroup<string>();
      group.join('orders', '$all', a);
      group.broadcast('orders', '$all', 'e');
      expect(a.got[0]?.topic).toBe('orders:$all');
    });

    it('picks a member joined twice twice as often', () => {
      const [a, b] = [recorder('a'), recorder('b')];
      const steps = Array.from({ length: 300 }, (_, i) => (i + 0.5) / 300);
      const group = new EmitterGroup<string>({ random: sequence(...steps) });
      group.join('s', 'sub', [a, b, a]);
      for (let i = 0; i < steps.length; i++) group.broadcast('s', 'sub', `e${i}`);
      expect(a.got).toHaveLength(200);
      expect(b.got).toHaveLength(100);
    });

    it('clamps a random number outside [0, 1) to a valid member', () => {
      const [a, b] = [recorder('a'), recorder('b')];
      const group = new EmitterGroup<string>({ random: sequence(1, -0.5, Number.NaN) });
      group.join('s', 'sub', [a, b]);
      for (let i = 0; i < 3; i++) expect(group.broadcast('s', 'sub', `e${i}`)).toBe('ok');
      expect(b.got.map((m) => m.event)).toEqual(['e0']);
      expect(a.got.map((m) => m.event)).toEqual(['e1', 'e2']);
    });

    it("tags members on the group's node, or without a node, as local and the others as remote", () => {
      const local = recorder('local', 'n1');
      const nodeless = recorder('nodeless');
      const remote = recorder('remote', 'n2');
      const group = new EmitterGroup<string>({ node: 'n1', random: sequence(0, 0.5, 0.9) });
      group.join('s', 'sub', [local, nodeless, remote]);
      for (let i = 0; i < 3; i++) group.broadcast('s', 'sub', 'e');
      expect(local.got[0]?.kind).toBe('forward_to_local');
      expect(nodeless.got[0]?.kind).toBe('forward_to_local');
      expect(remote.got[0]?.kind).toBe('broadcast');
    });

    it('treats every member with a node as remote when the group has no node', () => {
      const member = recorder('m', 'n1');
      const group = new EmitterGroup<string>();
      group.join('s', 'sub', member);
      group.broadcast('s', 'sub', 'e');
      expect(member.got[0]?.kind).toBe('broadcast');
    });

    it('reports a member that throws to onError and keeps serving the group', () => {
      const failure = new Error('emitter down');
      const bad: Emitter<string> = {
        handle: () => {
          throw failure;
        },
      };
      const good = recorder('good');
      const onError = vi.fn();
      const group = new EmitterGroup<string>({ onError, random: sequence(0, 0.9) });
      group.join('s', 'sub', [bad, good]);
      expect(group.broadcast('s', 'sub', 'e1')).toBe('ok');
      expect(group.broadcast('s', 'sub', 'e2')).toBe('ok');
      expect(onError).toHaveBeenCalledExactlyOnceWith(failure, bad);
      expect(good.got.map((m) => m.event)).toEqual(['e2']);
      expect(group.members('s', 'sub')).toEqual([bad, good]);
    });

    it('reports a member whose handle returns a rejected promise to onError', async () => {
      const failure = new Error('async failure');
      const bad = { handle: () => Promise.reject(failure) };
      const onError = vi.fn();
      const group = new EmitterGroup<string>({ onError });
      group.join('s', 'sub', bad);
      expect(group.broadcast('s', 'sub', 'e')).toBe('ok');
      await vi.waitFor(() => expect(onError).toHaveBeenCalledWith(failure, bad));
    });

    const hostileThen = (failure: Error) => ({
      then() {
        throw failure;
      },
    });
    const hostileGetter = (failure: Error) =>
      Object.defineProperty({}, 'then', {
        get() {
          throw failure;
        },
      });
    it.each([
      ['a then that throws', hostileThen],
      ['a then getter that throws', hostileGetter],
    ])('reports a member whose returned value has %s to onError, not from broadcast', async (_case, hostile) => {
      const failure = new Error('hostile thenable');
      const bad = { handle: () => hostile(failure) as unknown as Promise<void> };
      const onError = vi.fn();
      const group = new EmitterGroup<string>({ onError });
      group.join('s', 'sub', bad);
      expect(() => group.broadcast('s', 'sub', 'e')).not.toThrow();
      await settle();
      expect(onError).toHaveBeenCalledExactlyOnceWith(failure, bad);
    });

    it('reports a failing member on console.error by default and keeps serving the group', async () => {
      const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
      const queueMicrotask = vi.spyOn(globalThis, 'queueMicrotask');
      const syncFailure = new Error('sync boom');
      const asyncFailure = new Error('async boom');
      const good = recorder('good');
      const group = new EmitterGroup<string>({ random: sequence(0, 0.4, 0.9) });
      group.join('s', 'sub', [
        {
          handle: () => {
            throw syncFailure;
          },
        },
        { handle: () => Promise.reject(asyncFailure) },
        good,
      ]);
      expect(group.broadcast('s', 'sub', 'e1')).toBe('ok');
      expect(group.broadcast('s', 'sub', 'e2')).toBe('ok');
      expect(group.broadcast('s', 'sub', 'e3')).toBe('ok');
      await settle();
      expect(consoleError).toHaveBeenCalledTimes(2);
      expect(consoleError).toHaveBeenNthCalledWith(1, syncFailure);
      expect(consoleError).toHaveBeenNthCalledWith(2, asyncFailure);
      expect(queueMicrotask).not.toHaveBeenCalled();
      expect(good.got.map((m) => m.event)).toEqual(['e3']);
    });

    it('reports an onError that throws on console.error instead of throwing from broadcast', async () => {
      const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
      const handlerFailure = new Error('handler broken');
      const group = new EmitterGroup<string>({
        onError: () => {
          throw handlerFailure;
        },
      });
      group.join('s', 'sub', [
        {
          handle: () => {
            throw new Error('member down');
          },
        },
      ]);
      expect(group.broadcast('s', 'sub', 'e')).toBe('ok');
      expect(consoleError).toHaveBeenCalledExactlyOnceWith(handlerFailure);
      group.leave('s', 'sub', group.members('s', 'sub'));
      group.join('s', 'sub', { handle: () => Promise.reject(new Error('async member down')) });
      expect(group.broadcast('s', 'sub', 'e')).toBe('ok');
      await settle();
      expect(consoleError).toHaveBeenCalledTimes(2);
      expect(consoleError).toHaveBeenLastCalledWith(handlerFailure);
    });
  });

  describe('persistEmitters / retrieveEmitters', () => {
    it('returns and remembers the names of a pool', () => {
      const group = new EmitterGroup();
      expect(group.retrieveEmitters('orders', 'billing')).toEqual([]);
      expect(group.persistEmitters('orders', 'billing', 3)).toEqual([
        'orders_billing_emitter',
        'orders_billing_emitter_2',
        'orders_billing_emitter_3',
      ]);
      expect(group.retrieveEmitters('orders', 'billing')).toEqual([
        'orders_billing_emitter',
        'orders_billing_emitter_2',
        'orders_billing_emitter_3',
      ]);
      expect(group.retrieveEmitters('orders', 'other')).toEqual([]);
    });

    it('names a pool of one by the base name', () => {
      expect(new EmitterGroup().persistEmitters('s', '$all', 1)).toEqual(['s_$all_emitter']);
    });

    it('replaces the remembered names when called again with another pool size', () => {
      const group = new EmitterGroup();
      group.persistEmitters('s', 'sub', 3);
      group.persistEmitters('s', 'sub', 2);
      expect(group.retrieveEmitters('s', 'sub')).toEqual(['s_sub_emitter', 's_sub_emitter_2']);
    });

    it('keeps its cache safe from changes to returned arrays', () => {
      const group = new EmitterGroup();
      group.persistEmitters('s', 'sub', 2).push('x');
      group.retrieveEmitters('s', 'sub').pop();
      expect(group.retrieveEmitters('s', 'sub')).toEqual(['s_sub_emitter', 's_sub_emitter_2']);
    });

    it.each([0, -1, 2.5, Number.NaN])('throws a RangeError naming poolSize for %s and remembers nothing', (size) => {
      const group = new EmitterGroup();
      expect(() => group.persistEmitters('s', 'sub', size)).toThrow(RangeError);
      expect(() => group.persistEmitters('s', 'sub', size)).toThrow(/poolSize/);
      expect(group.retrieveEmitters('s', 'sub')).toEqual([]);
    });
  });
});
