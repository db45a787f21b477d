// The SQLite side of the example: a table of page views, written in one transaction per batch,
// with each transaction recorded in a `flushes` table so the batching can be checked afterwards.
import Database from 'better-sqlite3';

/** One page view, as inserted into the `DataBuffer` under its page. */
export interface PageView {
  /** Unique per run: 0, 1, 2, … */
  readonly id: number;
  /** `clock.now()` when the view was recorded. */
  readonly at: number;
}

/** A connection to the page-view database. */
export interface ViewStore {
  /**
   * Writes `views` of `page` in one transaction, recorded in `flushes` at time `at`; returns the
   * flush's id. Throws a `SqliteError` (code `SQLITE_BUSY`) at once, having written nothing,
   * while another connection holds the write lock.
   */
  write(page: string, views: readonly PageView[], at: number): number;
  close(): void;
}

const schema = `
  CREATE TABLE IF NOT EXISTS flushes (
    id   INTEGER PRIMARY KEY,
    page TEXT    NOT NULL,
    size INTEGER NOT NULL,
    at   REAL    NOT NULL
  );
  CREATE TABLE IF NOT EXISTS views (
    view_id  INTEGER NOT NULL,
    page     TEXT    NOT NULL,
    at       REAL    NOT NULL,
    flush_id INTEGER NOT NULL REFERENCES flushes (id)
  );
`;

/**
 * Opens (and creates) the database at `file` in WAL mode. `busyTimeout: 0` (the default here)
 * makes a locked database fail at once instead of blocking the event loop in SQLite's busy
 * handler: the `DataBuffer` retries later.
 */
export function openViewStore(file: string, { busyTimeout = 0 }: { busyTimeout?: number } = {}): ViewStore {
  const db = new Database(file, { timeout: busyTimeout });
  db.pragma('journal_mode = WAL');
  db.exec(schema);
  const insertFlush = db.prepare<[string, number, number]>('INSERT INTO flushes (page, size, at) VALUES (?, ?, ?)');
  const insertView = db.prepare<[number, string, number, number | bigint]>(
    'INSERT INTO views (view_id, page, at, flush_id) VALUES (?, ?, ?, ?)',
  );
  const writeBatch = db.transaction((page: string, views: readonly PageView[], at: number) => {
    const flushId = insertFlush.run(page, views.length, at).lastInsertRowid;
    for (const view of views) insertView.run(view.id, page, view.at, flushId);
    return Number(flushId);
  });
  return {
    // BEGIN IMMEDIATE takes the write lock first, so a busy database fails before any insert.
    write: (page, views, at) => writeBatch.immediate(page, views, at),
    close: () => db.close(),
  };
}
