import type { DatabaseUrl } from '../../config/url.js'
import { sqliteDrizzle } from './drizzle.js'
import { sqliteCopy } from './copy-types.js'
import type { Db } from '../../db.js'
import type { Change } from '../../schema/changes.js'
import type { Schema, Table } from '../../schema/model.js'
import type { Dialect, Driver, InspectOptions, OpenOptions, PlanOptions, ScratchDriver } from '../dialect.js'
import type { Capabilities, Plan } from '../../schema/plan.js'
import { backupSqlite, restoreSqlite } from './backup.js'
import { SqliteDb, openDatabase } from './connect.js'
import { definitionKey } from './definition-key.js'
import { inspectSchema } from './inspect.js'
import { lintChange } from './lint.js'
import { columnValueLosses } from './lossy.js'
import { isLockTimeout } from './lock-errors.js'
import { planChanges } from './plan.js'
import { quoteIdent } from './quote.js'
import { assertEmptyDevFile, MEMORY_URL } from './scratch.js'
import { splitStatements } from './split.js'
import { verifySqlite } from './verify.js'
import type { SoundnessFinding } from '../../safety/soundness.js'
import type { TableChecksum } from '../../safety/untouched.js'
import { tableChecksum } from './checksum.js'

const CAPABILITIES: Capabilities = {
  transactionalDdl: true,
  schemas: false,
  forwardForeignKeys: true,
  schemaScopedIndexNames: true,
  exclusiveRunnerLock: false,
  // SQLite matches every identifier without regard to (ASCII) letter case and stores it as spelled.
  identifierCase: { tables: 'preserving', columns: 'preserving', indexes: 'preserving', folds: 'ascii' },
  definitionKey,
}

/** The SQLite dialect over better-sqlite3 (embedded; the URL names a file or `:memory:`). */
export class SqliteDriver implements Driver {
  readonly dialect = 'sqlite' as const
  readonly capabilities = CAPABILITIES
  readonly copy = sqliteCopy
  readonly transactionSyntax = { begin: 'BEGIN IMMEDIATE;', commit: 'COMMIT;' } as const
  readonly serverVersion: string
  readonly db: SqliteDb

  constructor(
    readonly url: DatabaseUrl,
    options: OpenOptions = {},
  ) {
    this.db = new SqliteDb(openDatabase(url, options))
    const version = this.db.raw.prepare('SELECT sqlite_version() AS v').get() as { v: string }
    this.serverVersion = `SQLite ${version.v}`
  }

  inspect(options?: InspectOptions): Promise<Schema> {
    return inspectSchema(this.db, options)
  }

  plan(changes: readonly Change[], options?: PlanOptions): Plan {
    return planChanges(changes, options)
  }

  splitStatements(sql: string): readonly { readonly sql: string; readonly line: number }[] {
    return splitStatements(sql)
  }

  quoteIdent(name: string): string {
    return quoteIdent(name)
  }

  /**
   * SQLite's lock is the database write lock itself: runners take it with BEGIN IMMEDIATE per
   * migration and re-read history inside, so each migration applies once. Here we only bound how
   * long BEGIN IMMEDIATE waits for another writer.
   */
  readonly lintChange = lintChange
  readonly valueLosses = columnValueLosses
  readonly isLockTimeout = isLockTimeout
  readonly drizzle = sqliteDrizzle

  /** A consistent snapshot through SQLite's online backup API. */
  async backup(dest: string): Promise<void> {
    await backupSqlite(this.db, this.url.file, dest)
  }

  async restore(file: string): Promise<void> {
    await restoreSqlite(this.db, this.url.file, file)
  }

  tableChecksum(db: Db, table: Table, sampleRows: number): Promise<TableChecksum> {
    return tableChecksum(db, table, sampleRows)
  }

  verify(options: InspectOptions): Promise<readonly SoundnessFinding[]> {
    return verifySqlite(this.db, options.exclude ?? [])
  }

  async lock(_name: string, timeoutMs: number): Promise<() => Promise<void>> {
    this.db.raw.pragma(`busy_timeout = ${Math.max(0, Math.floor(timeoutMs))}`)
    return async () => {}
  }

  async applyLockTimeout(_tx: Db, _timeoutMs: number): Promise<void> {}

  async sessionLockTimeout(_db: Db, _timeoutMs: number | undefined): Promise<void> {}

  /**
   * Always an in-memory database. A devUrl file is only checked to be empty, never opened for
   * writing, so it stays exactly as found on every exit path, SIGKILL included (scratch.ts).
   */
  async openScratch(devUrl?: DatabaseUrl): Promise<ScratchDriver> {
    if (devUrl !== undefined) assertEmptyDevFile(devUrl)
    return new SqliteScratchDriver(MEMORY_URL)
  }

  historyTableDdl(table: string): string {
    return `CREATE TABLE IF NOT EXISTS ${quoteIdent(table)} (
  version TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  checksum TEXT NOT NULL,
  down_checksum TEXT,
  status TEXT NOT NULL,
  applied_at TEXT NOT NULL,
  execution_ms INTEGER NOT NULL,
  applied_by TEXT,
  statements_applied INTEGER NOT NULL DEFAULT 0,
  tool_version TEXT
)`
  }

  snapshotTableDdl(table: string): string {
    return `CREATE TABLE IF NOT EXISTS ${quoteIdent(table)} (
  history_key TEXT PRIMARY KEY,
  version TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  schema_json TEXT NOT NULL,
  recorded_at TEXT NOT NULL
)`
  }

  async close(): Promise<void> {
    this.db.close()
  }
}

/** A scratch database: in memory, so dropping it is closing it. */
class SqliteScratchDriver extends SqliteDriver implements ScratchDriver {
  drop(): Promise<void> {
    return this.close()
  }
}

export const dialect: Dialect = {
  name: 'sqlite',
  async open(url: DatabaseUrl, options?: OpenOptions): Promise<Driver> {
    return new SqliteDriver(url, options)
  },
}
