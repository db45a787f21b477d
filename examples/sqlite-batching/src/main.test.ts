// The sqlite-batching example, run on a ManualClock into a real database file, then read back.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatReport, main, parseCommandLine, type SqliteBatchingOptions } from './main';
import { runOnManualClock } from './test/run-on-manual-clock';
import { defaultPages, pageOf } from './traffic';

interface FlushRow {
  id: number;
  page: string;
  size: number;
  at: number;
  rows: number;
  pages: number;
}

/** What the database holds after a run. */
function readBack(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    const viewIds = db.prepare('SELECT view_id AS id FROM views ORDER BY view_id').pluck().all() as number[];
    const perPage = new Map(db.prepare('SELECT page, count(*) FROM views GROUP BY page').raw().all() as Array<[string, number]>);
    // Each flush with the views that point at it: how many, and of how many pages.
    const flushes = db
      .prepare(
        `SELECT f.id, f.page, f.size, f.at, count(v.view_id) AS rows, count(DISTINCT v.page) AS pages
         FROM flushes f LEFT JOIN views v ON v.flush_id = f.id GROUP BY f.id ORDER BY f.id`,
      )
      .all() as FlushRow[];
    const longestWait = db.prepare('SELECT max(f.at - v.at) FROM views v JOIN flushes f ON f.id = v.flush_id').pluck().get() as number;
    return { viewIds, perPage, flushes, longestWait };
  } finally {
    db.close();
  }
}

/** How many of the first `views` views are of each page, counted apart from the example. */
function expectedPerPage(views: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let id = 0; id < views; id++) counts.set(pageOf(id), (counts.get(pageOf(id)) ?? 0) + 1);
  return counts;
}

function flushesOf(flushes: readonly FlushRow[], page: string): FlushRow[] {
  return flushes.filter((flush) => flush.page === page);
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('the sqlite-batching example', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dispenser-sqlite-test-'));
    file = join(dir, 'views.db');
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (options: Omit<SqliteBatchingOptions, 'file' | 'clock'> = {}) =>
    runOnManualClock((clock) => main({ file, clock, ...options }));

  it('writes every view exactly once, a page per transaction, after retrying while the database is busy', async () => {
    const result = await run({ views: 1_000, maxSize: 100, interval: 1_000, busyFor: 600, retryDelay: 150 });
    const { viewIds, perPage, flushes } = readBack(file);

    expect(viewIds).toEqual(range(1_000));
    expect(perPage).toEqual(expectedPerPage(1_000));
    expect(result.perPage).toEqual(perPage);
    for (const flush of flushes) {
      expect(flush.rows).toBe(flush.size);
      expect(flush.pages).toBe(1);
      expect(flush.size).toBeLessThanOrEqual(100);
      // Nothing got through while the other connection held the write lock.
      expect(flush.at).toBeGreaterThanOrEqual(600);
    }
    expect(result.metrics).toMatchObject({ inserted: 1_000, flushed: 1_000, handedToOnError: 0, buffered: 0 });
    expect(result.metrics.failedAttempts).toBeGreaterThan(0);
    expect(result.deadLetters).toEqual([]);
  });

  it('needs about one transaction per maxSize views, and a few more for the interval and the close', async () => {
    const result = await run({ views: 1_000, maxSize: 100, interval: 1_000, busyFor: 0 });
    const { flushes } = readBack(file);

    for (const [page, count] of expectedPerPage(1_000)) {
      const transactions = flushesOf(flushes, page).length;
      expect(result.transactions.get(page)).toBe(transactions);
      expect(transactions).toBeGreaterThanOrEqual(Math.ceil(count / 100));
      // Full batches, plus at most one interval flush per interval started, plus the close.
      expect(transactions).toBeLessThanOrEqual(Math.floor(count / 100) + Math.floor(result.duration / 1_000) + 2);
    }
    expect(result.metrics.failedAttempts).toBe(0);
  });

  it('writes only full batches, and the rest at close, when the interval never comes', async () => {
    await run({ views: 1_000, maxSize: 50, interval: 600_000, busyFor: 0 });
    const { viewIds, flushes } = readBack(file);

    expect(viewIds).toEqual(range(1_000));
    for (const [page, count] of expectedPerPage(1_000)) {
      const sizes = flushesOf(flushes, page).map((flush) => flush.size);
      expect(sizes).toHaveLength(Math.ceil(count / 50));
      expect(sizes.slice(0, -1).every((size) => size === 50)).toBe(true);
    }
  });

  it('keeps no view waiting longer than the interval while the database is free', async () => {
    const result = await run({ views: 600, perTick: 20, tick: 100, maxSize: 1_000, interval: 250, busyFor: 0 });
    const { longestWait, flushes } = readBack(file);

    expect(longestWait).toBeLessThanOrEqual(250);
    for (const page of defaultPages) {
      expect(flushesOf(flushes, page).length).toBeLessThanOrEqual(Math.floor(result.duration / 250) + 2);
    }
  });

  it('hands a batch to onError once the database stays busy through every try, and loses no view', async () => {
    const result = await run({ views: 200, maxSize: 20, busyFor: 60_000, retryMax: 2, retryDelay: 100 });
    const { viewIds } = readBack(file);
    const deadIds = result.deadLetters.flatMap(([, views]) => views.map((view) => view.id));

    expect(viewIds).toEqual([]);
    expect(deadIds.sort((a, b) => a - b)).toEqual(range(200));
    expect(result.metrics).toMatchObject({ inserted: 200, flushed: 0, handedToOnError: 200 });
  });

  it('reports the run in a few lines', async () => {
    const result = await run({ views: 300, busyFor: 0 });
    const report = formatReport(result);

    expect(report).toContain(`sqlite-batching: 300 page views into ${file}`);
    expect(report).toMatch(/^ {2}\/ +\d+ views in \d+ transactions$/m);
    expect(report).toContain('written 300, failed attempts retried 0 (database busy), dead-lettered 0');
  });

  it('reads its flags, and refuses a bad one', () => {
    expect(parseCommandLine(['--views', '50', '--busy-for', '0', '--keep'])).toEqual({
      options: { views: 50, maxSize: 100, interval: 1_000, busyFor: 0, tick: 100 },
      keep: true,
    });
    expect(() => parseCommandLine(['--max-size', '0'])).toThrow("--max-size must be a whole number >= 1, received '0'");
  });

  it('runs from the command line and removes its database', async () => {
    const entry = fileURLToPath(new URL('./main.ts', import.meta.url));
    const args = ['--views', '200', '--tick', '0', '--busy-for', '0', '--interval', '0'];
    const child = spawn(process.execPath, ['--conditions=@dispenser/source', '--import', 'tsx', entry, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const code = await new Promise((resolve) => child.on('close', resolve));

    expect(code).toBe(0);
    expect(stdout).toContain('dead-lettered 0');
    const written = /^sqlite-batching: 200 page views into (.+) in \d+ transactions$/m.exec(stdout);
    expect(written).not.toBeNull();
    expect(existsSync(dirname(written![1]!))).toBe(false);
  }, 30_000);
});
