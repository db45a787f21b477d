// What a worker thread of `--workers` does with each event: a hashing loop, and a throw for a poison event.
import { createHash } from 'node:crypto';
import type { DemoEvent } from './crew';

/** SHA-256 rounds per event: about 0.4 ms of CPU on a 2020s core. */
export const ROUNDS = 200;

/**
 * The CPU-bound work on one event: `rounds` chained SHA-256 digests, starting from its id.
 *
 * @returns the first 8 bytes of the last digest, in hex
 * @example
 * ```ts
 * hashEvent(7, 1); // the first 16 hex digits of sha256("7")
 * ```
 */
export function hashEvent(id: number, rounds = ROUNDS): string {
  let digest = Buffer.from(String(id));
  for (let i = 0; i < rounds; i++) digest = createHash('sha256').update(digest).digest();
  return digest.toString('hex', 0, 8);
}

/** A fresh poison flag: 4 bytes of shared memory, 0 until the first thread takes it. */
export function poisonFlag(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4));
}

/**
 * Thrown by {@link handleEvents} for a poison event: the stand-in for a rare bug that takes a
 * worker thread down.
 */
export class PoisonError extends Error {
  override readonly name = 'PoisonError';
}

/**
 * The handler of every worker thread (the default export of `thread-entry.mjs`): hashes each event
 * and throws on a poison event the first time any thread meets it. Events after the poison one
 * in the batch are left: the pool fails the whole batch, and the server redelivers it.
 *
 * @throws PoisonError on a poison event whose flag was not taken yet
 */
export function handleEvents(events: readonly DemoEvent[]): void {
  for (const event of events) {
    if (event.fault !== undefined && Atomics.exchange(event.fault, 0, 1) === 0) {
      throw new PoisonError(`event ${event.id} is poison (it fails once)`);
    }
    hashEvent(event.id);
  }
}

/**
 * Events per second one thread handles with {@link hashEvent}, measured here on `samples` events
 * (after a short warm-up). Real time, on purpose: it sizes the load for this machine.
 */
export function measureSpeed(samples = 200): number {
  for (let id = 0; id < 20; id++) hashEvent(id);
  const start = performance.now();
  for (let id = 0; id < samples; id++) hashEvent(id);
  const seconds = Math.max(performance.now() - start, 0.001) / 1000;
  return samples / seconds;
}
