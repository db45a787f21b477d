// BufferServer with streams: writable() as a sink that waits for room, subscriptions as sources, onIdle.
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TestSubscriber } from '@dispenser/testing-utils';
import { describe, expect, it } from 'vitest';
import { BufferServer } from './buffer-server';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('BufferServer streams', () => {
  it('takes a Web stream through writable(), whose writes wait for room instead of dropping', async () => {
    const server = new BufferServer<number>({ capacity: 3 });
    const piping = ReadableStream.from([1, 2, 3, 4, 5, 6]).pipeTo(server.writable());
    for (let i = 0; i < 5; i++) await turn();
    expect(server.stats().buffered).toBe(3);
    const reader = new TestSubscriber<number>();
    server.ask(reader, 10);
    await piping;
    expect(reader.events).toEqual([1, 2, 3, 4, 5, 6]);
    expect(server.metrics()).toEqual({ appended: 6, dropped: 0, delivered: 6, failed: 0 });
  });

  it('stays open when the stream closes or aborts: it may have other producers', async () => {
    const server = new BufferServer<number>({ capacity: 3 });
    const sink = server.writable();
    const writer = sink.getWriter();
    await writer.write(1);
    await writer.close();
    await server.writable().abort(new Error('producer gave up'));
    expect(server.append([2])).toBe(0);
    expect(server.stats().buffered).toBe(2);
  });

  it('pipes a Node Readable into the server and out to a slow consumer without holding more than a bounded window', async () => {
    const capacity = 10;
    const server = new BufferServer<number>({ capacity });
    let produced = 0;
    let consumed = 0;
    let widest = 0;
    async function* source() {
      for (let i = 0; i < 2_000; i++) {
        produced++;
        widest = Math.max(widest, produced - consumed);
        yield i;
      }
    }
    const received: number[] = [];
    const consuming = (async () => {
      for await (const batch of Readable.from(server.subscribe({ maxDemand: 5 }))) {
        for (const event of batch as number[]) received.push(event);
        consumed += (batch as number[]).length;
        await turn(); // a slow consumer
      }
    })();
    await pipeline(Readable.from(source()), Writable.fromWeb(server.writable(), { objectMode: true }));
    await server.onIdle();
    await server.close();
    await consuming;
    expect(received).toEqual(Array.from({ length: 2_000 }, (_, i) => i));
    expect(server.metrics()).toEqual({ appended: 2_000, dropped: 0, delivered: 2_000, failed: 0 });
    // Buffer, demand and the two streams' own buffers: a few dozen events, not the 2,000.
    expect(widest).toBeLessThan(100);
  });

  it('hands a subscription to ReadableStream.from as a source of batches', async () => {
    const server = new BufferServer<string>({ capacity: 10 });
    const subscription = server.subscribe({ maxDemand: 2 });
    server.append(['a', 'b', 'c']);
    const reader = ReadableStream.from(subscription).getReader();
    expect(await reader.read()).toEqual({ done: false, value: ['a', 'b'] });
    expect(await reader.read()).toEqual({ done: false, value: ['c'] });
    await reader.cancel(); // like break: unsubscribes
    expect(server.stats().subscribed).toBe(0);
  });
});

describe('BufferServer onIdle', () => {
  it('resolves at once when idle, and otherwise once nothing is buffered and no handler promise is pending', async () => {
    const server = new BufferServer<number>({ capacity: 10 });
    await server.onIdle();
    server.append([1, 2]);
    let idle = false;
    const waiting = server.onIdle().then(() => (idle = true));
    let finish!: () => void;
    server.ask({ handleAssignedEvents: () => new Promise<void>((resolve) => (finish = resolve)) }, 5);
    await turn();
    expect([idle, server.stats().buffered]).toEqual([false, 0]);
    finish();
    await waiting;
    expect(idle).toBe(true);
  });

  it('rejects with the reason of its signal, and refuses bad options', async () => {
    const server = new BufferServer<number>({ capacity: 10 });
    server.append([1]);
    const controller = new AbortController();
    const waiting = server.onIdle({ signal: controller.signal });
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    await expect(server.onIdle({ timeout: 1 } as never)).rejects.toThrow(/unknown key "timeout"; known keys: signal/);
  });
});
