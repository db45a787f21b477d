// A busy database, for real: a second connection holds SQLite's write lock for a while.
import Database from 'better-sqlite3';
import type { Clock } from '@dispenser/core';

/** A write lock held by another connection; `release` ends it early (idempotent). */
export interface WriteLock {
  release(): void;
}

/**
 * Opens a second connection to `file` and takes the write lock (`BEGIN IMMEDIATE`), releasing it
 * after `ms` milliseconds of `clock`: until then, writes of other connections fail with
 * `SQLITE_BUSY`, as they would behind a long migration or another process's batch.
 */
export function holdWriteLock(file: string, ms: number, clock: Clock): WriteLock {
  const db = new Database(file);
  db.exec('BEGIN IMMEDIATE');
  const release = (): void => {
    if (!db.open) return;
    clock.clearTimeout(timer);
    db.exec('COMMIT');
    db.close();
  };
  const timer = clock.setTimeout(release, ms);
  return { release };
}
