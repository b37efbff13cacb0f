import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import type { Knex } from 'knex'
import type { DatabaseUrl } from '../../config/url.js'
import type { Db } from '../../db.js'
import type { OpenOptions } from '../dialect.js'
import { ConnectionError, LockTimeoutError, MigratorError } from '../../errors.js'
import { isDdl, rewriteDoubleQuotedString } from './dqs.js'
import { knexOverConnection } from './knex.js'
import { quoteIdent } from './quote.js'

/** How long a statement waits for another connection's write lock before failing (ms). */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000

/**
 * Opens the database file of `url` with foreign keys enforced. Throws ConnectionError when the
 * file cannot be opened (missing directory, not a database, permissions). With `readOnly` a file
 * that does not exist is never created: that is a ConnectionError, or with `missingAsEmpty` an
 * empty in-memory database stands in for it.
 */
export function openDatabase(url: DatabaseUrl, options: OpenOptions = {}): Database.Database {
  let file = url.file ?? ':memory:'
  if (file !== ':memory:') {
    const dir = path.dirname(file)
    if (!fs.existsSync(dir)) {
      throw new ConnectionError(
        `cannot open SQLite database ${url.redacted}: directory ${dir} does not exist; create it or fix the URL`,
      )
    }
    if (options.readOnly === true && !fs.existsSync(file)) {
      if (options.missingAsEmpty !== true) {
        throw new ConnectionError(`cannot open SQLite database ${url.redacted}: the database file ${file} does not exist; check the URL (\`migrator up\` creates it)`)
      }
      file = ':memory:'
    }
  }
  let raw: Database.Database
  try {
    // fileMustExist rather than `readonly`: a read-only connection to a WAL database leaves -wal and
    // -shm files behind that it may not remove, and RecordingDb already keeps dry runs from writing.
    raw = new Database(file, { timeout: DEFAULT_BUSY_TIMEOUT_MS, fileMustExist: options.readOnly === true && file !== ':memory:' })
    raw.pragma('foreign_keys = ON')
    // Touch the schema so a file that is not a database fails here, not at the first migration.
    raw.prepare('SELECT count(*) FROM sqlite_schema').get()
  } catch (error) {
    throw new ConnectionError(`cannot open SQLite database ${url.redacted}: ${(error as Error).message}`, { cause: error })
  }
  return raw
}

/** Converts a JavaScript value to something better-sqlite3 binds. */
function bindable(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString()
  if (typeof value === 'boolean') return value ? 1 : 0
  if (value === undefined) return null
  return value
}

interface FkViolation {
  readonly table: string
  readonly rowid: number | null
  readonly parent: string
  readonly fkid: number
}

const DROP_TABLE = /^\s*DROP\s+TABLE\b/i

/**
 * A Db over one better-sqlite3 connection. Transactions use BEGIN IMMEDIATE so that a second writer
 * queues on busy_timeout instead of failing when it would upgrade a read lock. Because the 12-step
 * table rebuild needs foreign keys off, and PRAGMA foreign_keys is a no-op inside a transaction,
 * `transaction` turns enforcement off before BEGIN, runs PRAGMA foreign_key_check before COMMIT
 * (a violation rolls back), and restores the previous setting afterwards.
 */
export class SqliteDb implements Db {
  private knexInstance: Knex | undefined

  constructor(readonly raw: Database.Database) {}

  /** A knex over this very connection, made on first use (`.ts` migrations' `ctx.knex`; see knex.ts). */
  get knex(): Knex {
    this.knexInstance ??= knexOverConnection(this.raw)
    return this.knexInstance
  }

  async query<Row = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    const stmt = this.prepare(sql)
    const args = params.map(bindable)
    if (stmt.reader) return stmt.all(...args) as Row[]
    stmt.run(...args)
    return []
  }

  async exec(sql: string, params: readonly unknown[] = []): Promise<void> {
    // Outside a transaction (no-transaction files, --tx-mode none) DROP TABLE still gets the FK
    // handling of `transaction`: with enforcement on, its implicit DELETE would silently
    // cascade-delete the children's rows; the dangling references it leaves fail the check instead.
    if (!this.raw.inTransaction && DROP_TABLE.test(sql)) return this.transaction((tx) => tx.exec(sql, params))
    // prepare() rejects text holding more than one statement, which keeps `exec` to exactly one.
    const stmt = this.prepare(sql)
    const args = params.map(bindable)
    if (stmt.reader) stmt.all(...args)
    else stmt.run(...args)
  }

  /** prepare(), accepting legacy double-quoted string literals in DDL (see dqs.ts). */
  private prepare(sql: string): Database.Statement {
    let text = sql
    // Each retry turns one more unresolved "name" into a string, so this ends.
    for (;;) {
      try {
        return this.raw.prepare(text)
      } catch (error) {
        const rewritten = isDdl(text) ? rewriteDoubleQuotedString(text, error) : undefined
        if (rewritten === undefined) throw error
        text = rewritten
      }
    }
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (this.raw.inTransaction) return fn(this)
    const enforced = this.raw.pragma('foreign_keys', { simple: true }) === 1
    if (enforced) this.raw.pragma('foreign_keys = OFF')
    try {
      await this.beginImmediate()
      try {
        const result = await fn(this)
        if (enforced) this.checkForeignKeys()
        this.raw.prepare('COMMIT').run()
        return result
      } catch (error) {
        if (this.raw.inTransaction) this.raw.prepare('ROLLBACK').run()
        throw error
      }
    } finally {
      if (enforced) this.raw.pragma('foreign_keys = ON')
    }
  }

  /**
   * BEGIN IMMEDIATE, waiting up to busy_timeout for another writer. better-sqlite3 would wait inside
   * one blocking call, which freezes the event loop: a writer on another connection of this same
   * process could then never commit. So poll with the busy handler off, yielding between tries.
   */
  private async beginImmediate(): Promise<void> {
    const timeout = Number(this.raw.pragma('busy_timeout', { simple: true }))
    const deadline = Date.now() + timeout
    this.raw.pragma('busy_timeout = 0')
    try {
      for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
        try {
          this.raw.prepare('BEGIN IMMEDIATE').run()
          return
        } catch (error) {
          if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error
          if (Date.now() >= deadline) {
            throw new LockTimeoutError(
              `the SQLite database ${this.raw.name} is locked by another writer (waited ${timeout} ms for its write lock); retry, or wait longer with --lock-wait`,
            )
          }
        }
        await new Promise((resolve) => setTimeout(resolve, delay))
      }
    } finally {
      this.raw.pragma(`busy_timeout = ${timeout}`)
    }
  }

  /** Throws when a row references a missing parent; the caller rolls back. */
  private checkForeignKeys(): void {
    const violations = this.raw.prepare('PRAGMA foreign_key_check').all() as FkViolation[]
    if (violations.length === 0) return
    const shown = violations.slice(0, 5).map((v) => {
      const row = v.rowid === null ? 'a row' : `row ${v.rowid}`
      return `${row} of ${quoteIdent(v.table)} references a missing row of ${quoteIdent(v.parent)}`
    })
    const more = violations.length > shown.length ? ` and ${violations.length - shown.length} more` : ''
    throw new MigratorError(
      'foreign-key-check',
      `foreign key check failed: ${shown.join('; ')}${more}; the transaction was rolled back — ` +
        'fix the data or the migration so every foreign key points at an existing row',
    )
  }

  close(): void {
    // Stops knex's pool timers; its connection is this one, which knex never closes itself.
    void this.knexInstance?.destroy().catch(() => undefined)
    this.knexInstance = undefined
    if (this.raw.open) this.raw.close()
  }
}
