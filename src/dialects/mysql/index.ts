import type { Db } from '../../db.js'
import type { ZeroDowntimeSql } from '../../zero-downtime/dialect-sql.js'
import { mysqlDrizzle } from './drizzle.js'
import { mysqlCopy } from './copy-types.js'
import { isLockTimeout } from './lock-errors.js'
import { mysqlZeroDowntimeSql } from './zero-downtime.js'
import type { DatabaseUrl } from '../../config/url.js'
import { UrlError } from '../../errors.js'
import type { Change } from '../../schema/changes.js'
import type { Schema, Table } from '../../schema/model.js'
import type { Dialect, Driver, InspectOptions, OpenOptions, PlanOptions, ScratchDriver } from '../dialect.js'
import type { Capabilities, Plan, RowLoss, ValueLoss } from '../../schema/plan.js'
import { partitionRowLosses } from './partitions.js'
import { historyRowLosses } from './versioning.js'
import { connect, connectForQueries, type MysqlDb } from './connect.js'
import type { Flavor } from './flavor.js'
import { inspect } from './inspect.js'
import type { LintFinding, LintHookContext } from '../../lint/finding.js'
import type { ActivityOptions, SessionActivity } from '../dialect.js'
import { blockingActivity, mdlSource, type MdlSource } from './activity.js'
import { backupMysql, restoreMysql } from './backup.js'
import { estimateRows } from './estimate.js'
import { lintChange } from './lint.js'
import { statementObjects } from './objects.js'
import { statementTookEffect } from './effects.js'
import { columnValueLosses } from './lossy.js'
import { acquireLock, applyLockTimeout, lockName, sessionLockTimeout } from './lock.js'
import { plan } from './plan.js'
import { quoteIdent } from './quote.js'
import { openDev } from './dev-database.js'
import { openTemporary } from './scratch.js'
import { splitStatements } from './split.js'
import { useStatement } from './use.js'
import { isTransactionalStatement } from './transactional.js'
import { verifyMysql } from './verify.js'
import type { SoundnessFinding } from '../../safety/soundness.js'
import type { TableChecksum } from '../../safety/untouched.js'
import { tableChecksum } from './checksum.js'

/** Column, index and constraint names are case-insensitive everywhere; table names follow the server. */
function capabilitiesOf(flavor: Flavor): Capabilities {
  return {
    transactionalDdl: false,
    schemas: false,
    forwardForeignKeys: false,
    schemaScopedIndexNames: false,
    exclusiveRunnerLock: true,
    identifierCase: { tables: flavor.tableNameCase, columns: 'preserving', indexes: 'preserving' },
    foreignKeysPinColumnTypes: true,
  }
}

/** A MySQL or MariaDB database on one session; flavor and version decide syntax via `flavor`. */
export class MysqlDriver implements Driver {
  readonly dialect = 'mysql' as const
  readonly capabilities: Capabilities
  readonly copy = mysqlCopy
  readonly transactionSyntax = { begin: 'START TRANSACTION;', commit: 'COMMIT;' } as const
  readonly serverVersion: string
  readonly database: string

  constructor(
    readonly url: DatabaseUrl,
    readonly db: MysqlDb,
    readonly flavor: Flavor,
    private readonly end: () => Promise<void>,
  ) {
    this.serverVersion = flavor.label
    this.capabilities = capabilitiesOf(flavor)
    this.database = url.database ?? ''
  }

  readonly isLockTimeout = isLockTimeout
  readonly drizzle = mysqlDrizzle
  get zeroDowntimeSql(): ZeroDowntimeSql {
    return mysqlZeroDowntimeSql(this.flavor)
  }

  tableChecksum(db: Db, table: Table, sampleRows: number): Promise<TableChecksum> {
    return tableChecksum(db, table, sampleRows)
  }

  verify(options: InspectOptions): Promise<readonly SoundnessFinding[]> {
    return verifyMysql(this.db, this.database, options.exclude ?? [])
  }

  inspect(options?: InspectOptions): Promise<Schema> {
    return inspect(options?.db ?? this.db, this.database, this.flavor, options)
  }

  plan(changes: readonly Change[], options?: PlanOptions): Plan {
    return plan(changes, this.flavor, options)
  }

  splitStatements(sql: string): readonly { readonly sql: string; readonly line: number }[] {
    return splitStatements(sql)
  }

  quoteIdent(name: string): string {
    return quoteIdent(name)
  }

  /**
   * Whether `sql` (one statement) can run in a transaction without an implicit commit: plain DML.
   * For the statement-by-statement runner, to group consecutive data statements into one
   * transaction (proposed optional Driver method; see transactional.ts).
   */
  isTransactional(sql: string): boolean {
    return isTransactionalStatement(sql)
  }

  targetSessionCommand(sql: string, database: string | undefined): 'skip' | string | undefined {
    return useStatement(sql, database, this.database)
  }

  objectsOf(sql: string): readonly string[] | undefined {
    return statementObjects(sql)
  }

  statementTookEffect(sql: string, schema: Schema): boolean | undefined {
    return statementTookEffect(sql, schema, this.database)
  }

  lock(name: string, timeoutMs: number): Promise<() => Promise<void>> {
    return acquireLock(this.db, lockName(this.database, name), timeoutMs, this.url.redacted)
  }

  applyLockTimeout(tx: Parameters<Driver['applyLockTimeout']>[0], timeoutMs: number): Promise<void> {
    return applyLockTimeout(tx, timeoutMs)
  }

  sessionLockTimeout(db: Db, timeoutMs: number | undefined): Promise<void> {
    return sessionLockTimeout(db, timeoutMs)
  }

  valueLosses(change: Change, options?: PlanOptions): readonly ValueLoss[] {
    return columnValueLosses(change, options)
  }

  rowLosses(change: Change, options?: PlanOptions): readonly RowLoss[] {
    return [...partitionRowLosses(change, options), ...historyRowLosses(change, options)]
  }

  lintChange(change: Change, context: LintHookContext): readonly LintFinding[] {
    return lintChange(change, context, this.flavor)
  }

  estimateRows(tables: readonly string[]): Promise<ReadonlyMap<string, number>> {
    return estimateRows(this.db, this.database, tables)
  }

  backup(dest: string): Promise<void> {
    return backupMysql(this.url, this.flavor, dest)
  }

  restore(file: string): Promise<void> {
    return restoreMysql(this.url, this.flavor, file)
  }

  private mdl: Promise<MdlSource> | undefined

  async blockingActivity(tables: readonly string[], options: ActivityOptions): Promise<readonly SessionActivity[]> {
    this.mdl ??= mdlSource(this.db)
    return blockingActivity(this.db, this.database, await this.mdl, tables, options)
  }

  /**
   * devUrl: checked empty, and emptied again by drop() (dev-database.ts); otherwise a temporary
   * database on this server, dropped by drop() (scratch.ts). Both are released on signals too.
   */
  openScratch(devUrl?: DatabaseUrl): Promise<ScratchDriver> {
    return devUrl === undefined ? openTemporary(this, open) : openDev(devUrl, open)
  }

  historyTableDdl(table: string): string {
    return (
      `CREATE TABLE IF NOT EXISTS ${quoteIdent(table)} (\n` +
      '  `version` varchar(14) NOT NULL PRIMARY KEY,\n' +
      '  `name` varchar(255) NOT NULL,\n' +
      '  `checksum` char(64) NOT NULL,\n' +
      '  `down_checksum` char(64) NULL,\n' +
      '  `status` varchar(16) NOT NULL,\n' +
      '  `applied_at` datetime(3) NULL,\n' +
      '  `execution_ms` int NULL,\n' +
      '  `applied_by` varchar(255) NULL,\n' +
      '  `statements_applied` int NOT NULL DEFAULT 0,\n' +
      '  `tool_version` varchar(32) NULL\n' +
      ') ENGINE=InnoDB'
    )
  }

  snapshotTableDdl(table: string): string {
    return (
      `CREATE TABLE IF NOT EXISTS ${quoteIdent(table)} (\n` +
      '  `history_key` varchar(71) NOT NULL PRIMARY KEY,\n' +
      '  `version` varchar(14) NOT NULL,\n' +
      '  `fingerprint` varchar(71) NOT NULL,\n' +
      '  `schema_json` longtext NOT NULL,\n' +
      '  `recorded_at` varchar(32) NOT NULL\n' +
      ') ENGINE=InnoDB'
    )
  }

  private closed = false

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.end()
  }
}

async function open(url: DatabaseUrl, options?: OpenOptions): Promise<MysqlDriver> {
  if (url.dialect !== 'mysql') throw new UrlError(`not a MySQL URL: ${url.redacted}`)
  const { db, flavor, close } = await (options?.queriesOnly === true ? connectForQueries : connect)(url)
  return new MysqlDriver(url, db, flavor, close)
}

export const dialect: Dialect = { name: 'mysql', open }
