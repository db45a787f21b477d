// The jobs of the worker-pool example: an id, an attempt count, and a payload made the same way every time from the id.
import { createHash } from 'node:crypto';

/** A unit of CPU-heavy work: compress `data` and fingerprint it. */
export interface Job {
  readonly id: number;
  /** 1 for the first delivery; the server's `onError` counts it up when it redelivers the job. */
  attempt: number;
  /**
   * The payload. It is transferred to the worker thread that takes the job, so on this thread it
   * is empty (detached) from then on; a redelivered job gets a fresh one (see `main.ts`).
   */
  data: ArrayBuffer;
}

/**
 * The payload of job `id`: `bytes` letters of a 16-letter alphabet drawn by xorshift32 seeded
 * with the id, so it compresses to about half and the same id always gives the same bytes (the
 * job's source, which a redelivery reads again).
 */
export function payloadOf(id: number, bytes: number): ArrayBuffer {
  const data = new Uint8Array(bytes);
  let x = Math.imul(id + 1, 0x9e3779b1) || 1;
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    data[i] = 97 + ((x >>> 0) % 16);
  }
  return data.buffer;
}

/** The fingerprint kept for a payload: the first 4 bytes of its SHA-256, as a signed 32-bit integer. */
export function fingerprint(data: Uint8Array): number {
  return createHash('sha256').update(data).digest().readInt32BE(0);
}
