// The worker-pool example, run for real in a short form: 2 threads, one planned crash, every job checked.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fingerprint, payloadOf } from './jobs';
import { formatReport, main, parseCommandLine } from './main';

const entry = fileURLToPath(new URL('./main.ts', import.meta.url));

describe('the worker-pool example', () => {
  it('compresses every job once on 2 threads, though one crashes, with the server\'s and the pool\'s books balanced', async () => {
    const result = await main({ jobs: 30, kib: 8, crashAt: 15, maxDemand: 3 });
    const { results, server, pool } = result;

    // Every job committed exactly once, with the right output for its payload.
    expect(results.map((r) => r.commits)).toEqual(Array.from({ length: 30 }, () => 1));
    for (const r of results) {
      const payload = new Uint8Array(payloadOf(r.id, 8 * 1_024));
      expect(r.compressedBytes).toBe(deflateSync(payload).byteLength);
      expect(r.fingerprint).toBe(fingerprint(payload));
    }
    expect(result.verified).toBe(30);

    // One thread went down on job 15; the batch it held was redelivered and done on attempt 2.
    expect(result.down).toHaveLength(1);
    expect(result.down[0]).toMatch(/^worker [12] went down: its handler failed: job 15 crashed its thread on attempt 1 \(planned\)$/);
    expect(result.redelivered).toContain(15);
    expect(result.redelivered.length).toBeLessThanOrEqual(3);
    expect(new Set(result.redelivered).size).toBe(result.redelivered.length);
    for (const r of results) expect(r.attempt).toBe(result.redelivered.includes(r.id) ? 2 : 1);
    // The work: at least once. Job 15 ran twice; so did the jobs before it in its batch, and no other.
    expect(results[15]?.runs).toBe(2);
    for (const r of results) {
      if (!result.redelivered.includes(r.id)) expect(r.runs).toBe(1);
      else expect(r.runs).toBe(r.id <= 15 ? 2 : 1);
    }

    expect(server).toEqual({ appended: 30, delivered: 30, dropped: 0, failed: 0, buffered: 0 });
    expect(pool.stats).toEqual({ workers: 0, busy: 0, restarts: 1 });
    expect(pool.metrics).toEqual({ sent: 30 + result.redelivered.length, processed: 30, failed: result.redelivered.length, uncloneable: 0 });
    // Every payload, the redelivered ones' second payloads too, was transferred.
    expect(result.payloadLeft).toBe(0);
  }, 30_000);

  it('restarts nothing and redelivers nothing without a crash', async () => {
    const result = await main({ jobs: 12, kib: 4, crashAt: -1 });

    expect(result.results.every((r) => r.runs === 1 && r.commits === 1 && r.attempt === 1)).toBe(true);
    expect(result.redelivered).toEqual([]);
    expect(result.down).toEqual([]);
    expect(result.pool.stats).toEqual({ workers: 0, busy: 0, restarts: 0 });
    expect(result.pool.metrics).toEqual({ sent: 12, processed: 12, failed: 0, uncloneable: 0 });
    expect(result.server).toEqual({ appended: 12, delivered: 12, dropped: 0, failed: 0, buffered: 0 });
  }, 30_000);

  it('reports the crash, the redelivery, exactly-once results and both books', () => {
    const results = Array.from({ length: 4 }, (_, id) => ({
      id,
      runs: id === 2 ? 2 : 1,
      commits: 1,
      attempt: id >= 2 ? 2 : 1,
      compressedBytes: 2_048,
      fingerprint: 0,
      thread: id < 2 ? 1 : 2,
    }));
    const report = formatReport({
      jobs: 4,
      bytes: 4_096,
      crashAt: 2,
      results,
      verified: 4,
      redelivered: [2, 3],
      down: ['worker 1 went down: its handler failed: job 2 crashed its thread on attempt 1 (planned)'],
      server: { appended: 4, delivered: 4, dropped: 0, failed: 0, buffered: 0 },
      pool: { stats: { workers: 0, busy: 0, restarts: 1 }, metrics: { sent: 6, processed: 4, failed: 2, uncloneable: 0 } },
      payloadLeft: 0,
    });

    expect(report).toContain('worker-pool: 4 jobs of 4 KiB deflated by a WorkerPool of 2 threads (payloads transferred, not copied)');
    expect(report).toContain('threads  jobs committed per thread (by threadId): #1 2 (4 KiB out), #2 2 (4 KiB out)');
    expect(report).toContain('down     worker 1 went down: its handler failed: job 2 crashed its thread on attempt 1 (planned)');
    expect(report).toContain('restarts 1: the pool started a thread in its place');
    expect(report).toContain('redelivered 2 jobs (2, 3): back in the buffer (redeliver: true), each with its payload read again, then done on attempt 2');
    expect(report).toContain('results  4 of 4 jobs committed, each exactly once (a thread commits a batch only when all of it is done), 4 fingerprints match their payload');
    expect(report).toContain('work     5 compressions for 4 jobs: at least once; job 2 ran twice (done before the crash, in a batch that failed)');
    expect(report).toContain('server   appended 4 = delivered 4 + dropped 0 + failed 0 + buffered 0 ✓ balanced');
    expect(report).toContain('pool     sent 6 = processed 4 + failed 2 ✓ balanced · 0 threads up after close()');
    expect(report).toContain('payload  0 bytes left on the main thread: every ArrayBuffer was transferred');
  });

  it('reads --jobs and --kib, and refuses a bad count', () => {
    expect(parseCommandLine([])).toEqual({ jobs: 200, kib: 64 });
    expect(parseCommandLine(['--jobs', '50', '--kib', '16'])).toEqual({ jobs: 50, kib: 16 });
    expect(() => parseCommandLine(['--kib', '0'])).toThrow("--kib must be a whole number >= 1, received '0'");
  });

  it('runs from the command line', async () => {
    const child = spawn(process.execPath, ['--conditions=@dispenser/source', '--import', 'tsx', entry, '--jobs', '20', '--kib', '4'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise((resolve) => child.on('close', resolve));

    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('worker-pool: 20 jobs of 4 KiB');
    expect(stdout).toMatch(/^down {5}worker [12] went down: its handler failed: job 10 crashed its thread on attempt 1 \(planned\)$/m);
    expect(stdout).toContain('restarts 1: the pool started a thread in its place');
    expect(stdout).toContain('results  20 of 20 jobs committed, each exactly once');
    expect(stdout).toContain('server   appended 20 = delivered 20 + dropped 0 + failed 0 + buffered 0 ✓ balanced');
    expect(stdout).toMatch(/^pool {5}sent 2\d = processed 20 \+ failed \d ✓ balanced · 0 threads up after close\(\)$/m);
  }, 30_000);
});
