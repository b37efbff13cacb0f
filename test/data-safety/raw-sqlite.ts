import path from 'node:path'
import Database from 'better-sqlite3'
import { quoteIdent } from '../../src/dialects/sqlite/quote.js'
import type { RawDb, TextRow, Value } from './raw.js'

/** The text of a stored value: 64-bit integers exact (safeIntegers), doubles in their shortest round-trip form. */
function textOf(value: unknown): string | null {
  if (value === null || value === undefined) return null
  if (Buffer.isBuffer(value)) return `x'${value.toString('hex')}'`
  return String(value)
}

/** The storage class with the value, so a dump also sees `'42'` become `42`. */
function tagged(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'bigint') return `int:${value}`
  if (typeof value === 'number') return `real:${value}`
  if (Buffer.isBuffer(value)) return `blob:${value.toString('hex')}`
  return `text:${JSON.stringify(value)}`
}

/**
 * A real SQLite file `app.db` in the project directory (removed with it). Each call opens its own
 * connection and closes it, so no handle of the test is open while the CLI runs.
 */
export function openSqlite(projectDir: string): RawDb {
  const file = path.join(projectDir, 'app.db')
  const use = <T>(fn: (db: Database.Database) => T): T => {
    const db = new Database(file)
    db.defaultSafeIntegers(true)
    try {
      return fn(db)
    } finally {
      db.close()
    }
  }
  // better-sqlite3 binds every JS number as REAL; whole numbers within 2^53 go as INTEGER like the other drivers send them.
  const param = (value: Value) => (typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value)
  return {
    dialect: 'sqlite',
    url: 'sqlite:./app.db',
    exec: async (sql) => use((db) => void db.exec(sql)),
    insert: async (table, rows) =>
      use((db) => {
        for (const row of rows) {
          const names = Object.keys(row)
          db.prepare(`INSERT INTO ${quoteIdent(table)} (${names.map(quoteIdent).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`)
            .run(names.map((n) => param(row[n] ?? null)))
        }
      }),
    rows: async (table, columns) =>
      use((db) => {
        const rows = db.prepare(`SELECT ${columns.map(quoteIdent).join(', ')} FROM ${quoteIdent(table)} ORDER BY "id"`).raw(true).all() as unknown[][]
        return rows.map((row): TextRow => row.map(textOf))
      }),
    select: async (sql) => use((db) => (db.prepare(sql).raw(true).all() as unknown[][]).map((row): TextRow => row.map(textOf))),
    columns: async (table) =>
      use((db) => (db.prepare('SELECT name FROM pragma_table_info(?) ORDER BY cid').all(table) as { name: string }[]).map((r) => r.name)),
    dump: async () =>
      use((db) => {
        const entries = db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name').all() as { type: string; name: string; sql: string | null }[]
        const lines = entries.map((e) => `${e.type} ${e.name}: ${e.sql ?? ''}`)
        for (const { name } of entries.filter((e) => e.type === 'table')) {
          const rows = db.prepare(`SELECT * FROM ${quoteIdent(name)}`).raw(true).all() as unknown[][]
          lines.push(...rows.map((row) => `${name} ${row.map(tagged).join(' | ')}`).sort())
        }
        lines.push(`user_version ${String(db.pragma('user_version', { simple: true }))}`)
        return lines.join('\n')
      }),
    dispose: async () => undefined,
  }
}
