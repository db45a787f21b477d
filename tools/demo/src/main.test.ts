import { describe, expect, it } from 'vitest';
import { number, runDemo as demo } from './test/run-demo';


describe('npm run demo', () => {
  it('runs for a second without a TTY, prints plain lines and a summary whose books balance', async () => {
    const [split, broadcast] = await Promise.all([
      demo(['--duration', '1', '--seed', '3', '--capacity', '500']),
      demo(['--duration', '1', '--strategy', 'broadcast', '--batch', '--drop', 'oldest']),
    ]);

    expect(split.stderr).toBe('');
    expect(split.code).toBe(0);
    expect(split.stdout).not.toContain('\u001b[');
    const lines = split.stdout.split('\n');
    const progress = lines.filter((line) => line.startsWith('t='));
    expect(progress).toHaveLength(1);
    expect(progress[0]).toMatch(/^t=1\.0s mode=(normal|overloaded) producer=\w+ buffered=\d+\/500 demand=\d+ delivered: fast=\d+ steady=\d+ slow=\d+ sluggish=\d+ dropped=\d+ appended=\d+$/);
    expect(split.stdout).toContain('Summary after 1.0 s · strategy even · BufferServer · capacity 500 · drop-newest · seed 3');
    for (const name of ['fast', 'steady', 'slow', 'sluggish']) expect(split.stdout).toMatch(new RegExp(`^${name}\\s+[\\d,]+/s\\s+[\\d,]+`, 'm'));
    const books = /^books: appended ([\d,]+) = delivered ([\d,]+) \+ dropped ([\d,]+) \+ buffered ([\d,]+) ✓ balanced$/m.exec(split.stdout);
    expect(books).not.toBeNull();
    const [, appended, delivered, dropped, buffered] = (books as RegExpExecArray).map(number);
    expect(appended).toBeGreaterThan(0);
    expect(appended).toBe((delivered as number) + (dropped as number) + (buffered as number));
    expect(split.stdout).toContain('The books balance.');

    expect(broadcast.code).toBe(0);
    expect(broadcast.stdout).toContain('BatchingBufferServer');
    expect(broadcast.stdout.match(/^books \((fast|steady|slow|sluggish)\): .* ✓ balanced$/gm)).toHaveLength(4);
  }, 30_000);

  it('runs worker threads with --workers 2, balances its books and closes the pool cleanly', async () => {
    const run = await demo(['--workers', '2', '--duration', '1', '--seed', '5']);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const progress = run.stdout.split('\n').filter((line) => line.startsWith('t='));
    expect(progress).toHaveLength(1);
    expect(progress[0]).toMatch(/^t=1\.0s mode=(normal|overloaded) producer=\w+ buffered=\d+\/5000 demand=\d+ delivered: worker-1=\d+ worker-2=\d+( worker-\d+=\d+)* restarts=\d+ dropped=\d+ appended=\d+$/);
    expect(run.stdout).toContain('Summary after 1.0 s · strategy even · BufferServer · capacity 5,000 · drop-newest · seed 5 · 2 worker threads');
    expect(run.stdout).toMatch(/^worker\s+delivered\s+processed\s+redelivered\s+avg rate\s+share\s+end$/m);
    for (const name of ['worker-1', 'worker-2']) expect(run.stdout).toMatch(new RegExp(`^${name}\\s+[\\d,]+\\s+[\\d,]+\\s+[\\d,]+\\s+[\\d,]+/s\\s+[\\d.]+%\\s+(closed|threw)$`, 'm'));
    const pool = /^pool\s+metrics\(\) sent ([\d,]+) = processed ([\d,]+) \+ failed ([\d,]+) \(redelivered\)$/m.exec(run.stdout);
    expect(pool).not.toBeNull();
    const [, sent, processed, failed] = (pool as RegExpExecArray).map(number);
    expect(sent).toBe((processed as number) + (failed as number));
    expect(run.stdout).toMatch(/^\s+restarts \d+ · \d+ went down · 0 threads up, 0 busy after close\(\) ✓ closed cleanly$/m);
    const books = /^books: appended ([\d,]+) = delivered ([\d,]+) \+ dropped ([\d,]+) \+ buffered ([\d,]+) ✓ balanced$/m.exec(run.stdout);
    expect(books).not.toBeNull();
    const [, appended, delivered, dropped, buffered] = (books as RegExpExecArray).map(number);
    expect(appended).toBeGreaterThan(0);
    expect(appended).toBe((delivered as number) + (dropped as number) + (buffered as number));
    expect(delivered).toBe(processed);
    expect(run.stdout).toContain('The books balance.');
  }, 30_000);

  it.each([
    [['--strategy', 'fastest'], "demo: --strategy must be one of even, greedy, demand, broadcast, partition, received 'fastest'"],
    [['--bogus'], "demo: Unknown option '--bogus'"],
    [['--workers', '0'], "demo: --workers must be an integer >= 1, received '0'"],
    [['--workers', '2', '--strategy', 'broadcast'], "demo: --strategy with --workers must be one of even, greedy, demand, received 'broadcast'"],
  ])('prints the usage and exits with 2 for %j', async (args, message) => {
    const result = await demo(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('Usage: npm run demo -- [options]');
  }, 30_000);
});
