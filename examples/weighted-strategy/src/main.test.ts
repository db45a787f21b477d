// The weighted-strategy example: a BufferServer run in which jobs are split by weight, capped by demand.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatReport, main, parseCommandLine } from './main';

const entry = fileURLToPath(new URL('./main.ts', import.meta.url));

describe('the weighted-strategy example', () => {
  it('hands every job to exactly one worker', async () => {
    const result = await main();

    const ids = result.workers.flatMap((worker) => worker.jobs).sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: result.jobs }, (_, i) => i));
    expect(result.metrics).toEqual({ appended: 600, delivered: 600, dropped: 0, failed: 0 });
  });

  it('gives the worker that asks for less than its share what it asks for, and splits the rest 3:2:1', async () => {
    const { workers } = await main({ jobs: 600, batch: 60 });
    const byName = Object.fromEntries(workers.map((worker) => [worker.name, worker]));

    expect(byName['small']!.perAppend.every((count) => count === 5)).toBe(true);
    // 55 jobs per append over weights 3, 2 and 1: 27.5, 18.3 and 9.2, rounded to whole jobs.
    const per = (name: string) => byName[name]!.perAppend;
    for (let i = 0; i < 10; i++) {
      expect(per('gold')[i]! + per('silver')[i]! + per('bronze')[i]!).toBe(55);
      expect(Math.abs(per('gold')[i]! - 27.5)).toBeLessThan(1);
      expect(Math.abs(per('silver')[i]! - 55 / 3)).toBeLessThan(1);
      expect(Math.abs(per('bronze')[i]! - 55 / 6)).toBeLessThan(1);
    }
  });

  it('splits by weight alone when every worker asks for plenty', async () => {
    const { workers } = await main({
      jobs: 120,
      batch: 12,
      workers: [
        { name: 'a', weight: 1, demand: 50 },
        { name: 'b', weight: 3, demand: 50 },
      ],
    });

    expect(workers.map((worker) => worker.jobs.length)).toEqual([30, 90]);
  });

  it('reports a table with the share of each worker', async () => {
    const report = formatReport(await main({ jobs: 120, batch: 60 }));

    expect(report).toMatch(/^gold\s+3\s+100\s+56\s+46\.7 %\s+28$/m);
    expect(report).toContain('small is capped by its demand');
    expect(report).toContain('appended 120, delivered 120');
  });

  it('reads --jobs and --batch, and refuses a bad count', () => {
    expect(parseCommandLine(['--jobs', '90', '--batch', '30'])).toEqual({ jobs: 90, batch: 30 });
    expect(() => parseCommandLine(['--jobs', '0'])).toThrow("--jobs must be a whole number >= 1, received '0'");
  });

  it('runs from the command line', async () => {
    const child = spawn(process.execPath, ['--conditions=@dispenser/source', '--import', 'tsx', entry, '--jobs', '60'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const code = await new Promise((resolve) => child.on('close', resolve));

    expect(code).toBe(0);
    expect(stdout).toContain('weighted strategy: 60 jobs in 1 append of up to 60');
  }, 30_000);
});
