import fs from 'node:fs'
import Database from 'better-sqlite3'
import { MigratorError } from '../../errors.js'
import type { SqliteDb } from './connect.js'

/**
 * Snapshots the open database to `dest` through SQLite's online backup API: consistent even while
 * other connections write, and WAL content included.
 */
export async function backupSqlite(db: SqliteDb, file: string | undefined, dest: string): Promise<void> {
  if (file === undefined || file === ':memory:') {
    throw new MigratorError('backup', 'cannot back up an in-memory SQLite database; use a file URL (sqlite:./app.db)')
  }
  await db.raw.backup(dest)
}

/**
 * Replaces the contents of the database with the snapshot `source`, page by page through the
 * backup API in the other direction (the live file stays the same inode; open connections see the
 * restored schema on their next statement).
 */
export async function restoreSqlite(db: SqliteDb, file: string | undefined, source: string): Promise<void> {
  if (file === undefined || file === ':memory:') {
    throw new MigratorError('restore', 'cannot restore into an in-memory SQLite database; use a file URL (sqlite:./app.db)')
  }
  if (!fs.existsSync(source)) throw new MigratorError('restore', `backup file ${source} does not exist; \`migrator status\` lists the backups`)
  let snapshot: Database.Database
  try {
    snapshot = new Database(source, { readonly: true, fileMustExist: true })
    snapshot.prepare('SELECT count(*) FROM sqlite_schema').get()
  } catch (error) {
    throw new MigratorError('restore', `${source} is not a SQLite database backup: ${(error as Error).message}`, { cause: error })
  }
  try {
    // Our own connection must not hold a transaction while the pages are replaced.
    if (db.raw.inTransaction) throw new MigratorError('restore', 'cannot restore while a transaction is open')
    await snapshot.backup(file)
  } finally {
    snapshot.close()
  }
}
