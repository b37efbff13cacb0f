import fs from 'node:fs'
import Database from 'better-sqlite3'
import { MigratorError } from '../../errors.js'
import type { SqliteDb } from './connect.js'
import { quoteIdent } from './quote.js'

/**
 * Snapshots the open database to `dest` through SQLite's online backup API: consistent even while
 * other connections write, and WAL content included. Then verified: the copy opens, passes
 * `PRAGMA quick_check` and holds the database's schema.
 */
export async function backupSqlite(db: SqliteDb, file: string | undefined, dest: string): Promise<void> {
  if (file === undefined || file === ':memory:') {
    throw new MigratorError('backup', 'cannot back up an in-memory SQLite database; use a file URL (sqlite:./app.db)')
  }
  await db.raw.backup(dest)
  const copy = new Database(dest, { readonly: true, fileMustExist: true })
  try {
    const check = copy.pragma('quick_check', { simple: true })
    if (check !== 'ok') throw new MigratorError('backup', `the backup ${dest} fails PRAGMA quick_check (${String(check)}); do not rely on it — take another backup`)
    if (schemaOf(copy) !== schemaOf(db.raw)) throw new MigratorError('backup', `the backup ${dest} does not hold the database's schema; do not rely on it — take another backup`)
  } finally {
    copy.close()
  }
}

/**
 * Replaces the contents of the database with the snapshot `source`, page by page through the
 * backup API in the other direction (the live file stays the same inode; open connections see the
 * restored schema on their next statement): exactly the backed-up database, objects created since
 * included in what goes. Then verified: schema and rows per table equal the backup's.
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
    const problems = differences(db.raw, snapshot)
    if (problems.length > 0) {
      throw new MigratorError('restore', `restored ${file} from ${source}, but the result does not match the backup: ${problems.slice(0, 5).join('; ')}; restore again, or check the database`)
    }
  } finally {
    snapshot.close()
  }
}

/** The schema as sqlite_schema holds it: every object's type, name and SQL, in a stable order. */
function schemaOf(db: Database.Database): string {
  return JSON.stringify(db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name").all())
}

/** How the restored database differs from the backup: schema, then rows per table. */
function differences(restored: Database.Database, backup: Database.Database): string[] {
  if (schemaOf(restored) !== schemaOf(backup)) return ["its schema differs from the backup's"]
  const problems: string[] = []
  const tables = backup.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name").all() as { name: string }[]
  for (const { name } of tables) {
    const count = (db: Database.Database): number => (db.prepare(`SELECT count(*) AS n FROM ${quoteIdent(name)}`).get() as { n: number }).n
    const expected = count(backup)
    const actual = count(restored)
    if (actual !== expected) problems.push(`${quoteIdent(name)} has ${actual} rows, the backup ${expected}`)
  }
  return problems
}
