// compressJobs in this thread: what it commits, what a crash leaves behind, and the guard against an empty payload.
import { threadId } from 'node:worker_threads';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compressJobs, PlannedCrash } from './compress';
import { fingerprint, payloadOf, type Job } from './jobs';
import { ResultTable } from './results';

const job = (id: number, attempt = 1): Job => ({ id, attempt, data: payloadOf(id, 1_024) });

describe('compressJobs', () => {
  it('commits the compressed size and fingerprint of each job of a batch', () => {
    const table = ResultTable.create(3);
    compressJobs([job(0), job(1), job(2)], { results: table.buffer, crashAt: -1 });
    for (let id = 0; id < 3; id++) {
      const payload = new Uint8Array(payloadOf(id, 1_024));
      expect(table.read(id)).toEqual({
        id,
        runs: 1,
        commits: 1,
        attempt: 1,
        compressedBytes: deflateSync(payload).byteLength,
        fingerprint: fingerprint(payload),
        thread: threadId,
      });
    }
    // The payload compresses to about half: 16 letters are 4 bits of 8.
    expect(table.read(0).compressedBytes).toBeGreaterThan(400);
    expect(table.read(0).compressedBytes).toBeLessThan(700);
  });

  it('commits nothing of a batch that crashes, but counts the work done before the crash', () => {
    const table = ResultTable.create(4);
    const config = { results: table.buffer, crashAt: 2 };
    expect(() => compressJobs([job(1), job(2), job(3)], config)).toThrow(new PlannedCrash('job 2 crashed its thread on attempt 1 (planned)'));
    expect([1, 2, 3].map((id) => [table.read(id).runs, table.read(id).commits])).toEqual([
      [1, 0],
      [1, 0],
      [0, 0],
    ]);
    // Redelivered (attempt 2), the batch passes and each job is committed once.
    compressJobs([job(1, 2), job(2, 2), job(3, 2)], config);
    expect([1, 2, 3].map((id) => [table.read(id).runs, table.read(id).commits, table.read(id).attempt])).toEqual([
      [2, 1, 2],
      [2, 1, 2],
      [1, 1, 2],
    ]);
  });

  it('refuses a job whose payload was transferred away and not given back', () => {
    const table = ResultTable.create(1);
    const gone = job(0);
    structuredClone(gone.data, { transfer: [gone.data] });
    expect(() => compressJobs([gone], { results: table.buffer, crashAt: -1 })).toThrow('job 0 (attempt 1) arrived without its payload');
  });
});

describe('payloadOf', () => {
  it('makes the same bytes for the same id, and other bytes for another', () => {
    expect(new Uint8Array(payloadOf(7, 64))).toEqual(new Uint8Array(payloadOf(7, 64)));
    expect(new Uint8Array(payloadOf(7, 64))).not.toEqual(new Uint8Array(payloadOf(8, 64)));
    expect(new Set(new Uint8Array(payloadOf(7, 4_096))).size).toBe(16);
  });
});
