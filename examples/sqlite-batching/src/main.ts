// `npm run example:sqlite-batching`: page views batched per page by a DataBuffer and written into
// SQLite in one transaction per flush, riding out a database that is busy at the start.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { systemClock, type Clock } from '@dispenser/core';
import { DataBuffer, type DataBufferMetrics } from '@dispenser/servers';
import { defaultPages, pageOf } from './traffic';
import { openViewStore, type PageView } from './view-store';
import { holdWriteLock } from './write-lock';

/** Options of {@link main}; only `file` is required. */
export interface SqliteBatchingOptions {
  /** The SQLite database file (created if missing). */
  readonly file: string;
  /** Page views recorded in all. @default 1000 */
  readonly views?: number;
  /** @default {@link defaultPages} */
  readonly pages?: readonly string[];
  /** Views arriving at once, `tick` ms apart. @default 50 */
  readonly perTick?: number;
  /** @default 100 */
  readonly tick?: number;
  /** A page with this many waiting views is written at once; the most one transaction holds. @default 100 */
  readonly maxSize?: number;
  /** Longest a view waits for its transaction, while the database is not busy (ms). @default 1000 */
  readonly interval?: number;
  /** Another connection holds the write lock for this long at the start (ms); 0 for none. @default 600 */
  readonly busyFor?: number;
  /** Wait between a failed write and the next try (ms). @default 150 */
  readonly retryDelay?: number;
  /** Tries per batch before it is given up on (dead-lettered). @default 5 */
  readonly retryMax?: number;
  /** @default systemClock; a `ManualClock` in the tests */
  readonly clock?: Clock;
}

/** What {@link main} returns; the database itself holds the rest. */
export interface SqliteBatchingResult {
  readonly file: string;
  /** Views recorded per page. */
  readonly perPage: ReadonlyMap<string, number>;
  /** Transactions committed per page: the flushes that succeeded. */
  readonly transactions: ReadonlyMap<string, number>;
  /** Time from the first view to the end of `close()` (ms of the clock). */
  readonly duration: number;
  readonly metrics: DataBufferMetrics;
  /** Views whose batch failed `retryMax` times, by page. */
  readonly deadLetters: ReadonlyArray<readonly [page: string, views: readonly PageView[]]>;
}

/** Waits `ms` on `clock`. */
function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

/**
 * Records `views` page views, `perTick` every `tick` ms, into a `DataBuffer` keyed by page whose
 * `flush` writes a page's batch into SQLite in one transaction; `close()` writes the rest.
 */
export async function main(options: SqliteBatchingOptions): Promise<SqliteBatchingResult> {
  const { file, views = 1_000, pages = defaultPages, perTick = 50, tick = 100, maxSize = 100, interval = 1_000 } = options;
  const { busyFor = 600, retryDelay = 150, retryMax = 5, clock = systemClock } = options;
  const store = openViewStore(file);
  const lock = busyFor > 0 ? holdWriteLock(file, busyFor, clock) : undefined;
  const deadLetters: Array<[string, PageView[]]> = [];
  const transactions = new Map<string, number>();
  const buffer = new DataBuffer<string, PageView>({
    flush: (page, batch) => {
      store.write(page, batch, clock.now());
      transactions.set(page, (transactions.get(page) ?? 0) + 1);
    },
    onError: (page, batch) => void deadLetters.push([page, batch]),
    maxSize,
    interval,
    retryDelay,
    retryMax,
    clock,
  });
  const perPage = new Map<string, number>();
  const started = clock.now();
  try {
    for (let id = 0; id < views; id++) {
      const page = pageOf(id, pages);
      buffer.insert(page, { id, at: clock.now() });
      perPage.set(page, (perPage.get(page) ?? 0) + 1);
      if ((id + 1) % perTick === 0 && id + 1 < views) await sleep(clock, tick);
    }
  } finally {
    await buffer.close();
    lock?.release();
    store.close();
  }
  return { file, perPage, transactions, duration: clock.now() - started, metrics: buffer.metrics(), deadLetters };
}

/** The run in a few lines, for a terminal. */
export function formatReport(result: SqliteBatchingResult): string {
  const { transactions } = result;
  const { inserted, flushed, failedAttempts, handedToOnError } = result.metrics;
  const width = Math.max(...[...result.perPage.keys()].map((page) => page.length));
  const pages = [...result.perPage].map(
    ([page, count]) => `  ${page.padEnd(width)}  ${String(count).padStart(5)} views in ${String(transactions.get(page) ?? 0)} transactions`,
  );
  const total = [...transactions.values()].reduce((sum, count) => sum + count, 0);
  return [
    `sqlite-batching: ${String(inserted)} page views into ${result.file} in ${String(total)} transactions`,
    ...pages,
    `written ${String(flushed)}, failed attempts retried ${String(failedAttempts)} (database busy), dead-lettered ${String(handedToOnError)}`,
    '',
  ].join('\n');
}

/** A whole number >= `min` from a command-line flag; a usage error otherwise. */
function whole(flag: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) throw new TypeError(`--${flag} must be a whole number >= ${String(min)}, received '${text}'`);
  return value;
}

/** The options of a run from the command line, and whether to keep the database. */
export function parseCommandLine(args: readonly string[]): { options: Omit<SqliteBatchingOptions, 'file'>; keep: boolean } {
  const { values } = parseArgs({
    args: [...args],
    options: {
      views: { type: 'string', default: '1000' },
      'max-size': { type: 'string', default: '100' },
      interval: { type: 'string', default: '1000' },
      'busy-for': { type: 'string', default: '600' },
      tick: { type: 'string', default: '100' },
      keep: { type: 'boolean', default: false },
    },
  });
  return {
    options: {
      views: whole('views', values.views, 1),
      maxSize: whole('max-size', values['max-size'], 1),
      interval: whole('interval', values.interval, 0),
      busyFor: whole('busy-for', values['busy-for'], 0),
      tick: whole('tick', values.tick, 0),
    },
    keep: values.keep,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let command: ReturnType<typeof parseCommandLine> | undefined;
  try {
    command = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`sqlite-batching: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  }
  if (command) {
    const dir = mkdtempSync(join(tmpdir(), 'dispenser-sqlite-'));
    try {
      const result = await main({ ...command.options, file: join(dir, 'views.db') });
      process.stdout.write(formatReport(result));
    } finally {
      if (command.keep) process.stdout.write(`kept ${dir}\n`);
      else rmSync(dir, { recursive: true, force: true });
    }
  }
}
