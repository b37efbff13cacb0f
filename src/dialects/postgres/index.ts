import { isLockTimeout } from './lock-errors.js'
import { postgresZeroDowntimeSql } from './zero-downtime.js'
import type { DatabaseUrl } from '../../config/url.js'
import type { Db } from '../../db.js'
import type { Change } from '../../schema/changes.js'
import type { Schema } from '../../schema/model.js'
import type { Dialect, Driver, InspectOptions, PlanOptions, ScratchDriver } from '../dialect.js'
import type { Capabilities, Plan, ValueLoss } from '../../schema/plan.js'
import { connect } from './connect.js'
import type { PgConnection } from './connect.js'
import { estimateRows } from './estimate.js'
import type { LintFinding, LintHookContext } from '../../lint/finding.js'
import type { ActivityOptions, SessionActivity } from '../dialect.js'
import { blockingActivity } from './activity.js'
import { backupPostgres, restorePostgres } from './backup.js'
import { lintChange } from './lint.js'
import { columnValueLosses } from './lossy.js'
import { enumValueLosses } from './enum-plan.js'
import { inspect } from './inspect.js'
import { applyLockTimeout, lock } from './lock.js'
import { plan } from './plan.js'
import { serverFeatures } from './queries.js'
import type { ServerFeatures } from './queries.js'
import { quoteIdent } from './quote.js'
import { openDev } from './dev-database.js'
import { openTemporary } from './scratch.js'
import { splitStatements } from './split.js'
import { verifyPostgres } from './verify.js'
import type { SoundnessFinding } from '../../safety/soundness.js'

const CAPABILITIES: Capabilities = {
  transactionalDdl: true,
  schemas: true,
  forwardForeignKeys: false,
  schemaScopedIndexNames: true,
  exclusiveRunnerLock: true,
}

/** A PostgreSQL database opened through knex + pg, on one pooled session. */
export class PostgresDriver implements Driver {
  readonly dialect = 'postgres' as const
  readonly capabilities = CAPABILITIES
  readonly transactionSyntax = { begin: 'BEGIN;', commit: 'COMMIT;' }
  readonly db: Db
  readonly serverVersion: string
  readonly features: ServerFeatures

  constructor(
    readonly url: DatabaseUrl,
    private readonly connection: PgConnection,
  ) {
    this.db = connection.db
    this.serverVersion = connection.serverVersion
    this.features = serverFeatures(connection.versionNum)
  }

  readonly isLockTimeout = isLockTimeout
  readonly zeroDowntimeSql = postgresZeroDowntimeSql

  inspect(options?: InspectOptions): Promise<Schema> {
    // options.db: the runner's post-checks inspect inside the migration's own transaction (the
    // single pooled connection is busy with it, so this.db would wait forever).
    return inspect(options?.db ?? this.db, this.features, options)
  }

  plan(changes: readonly Change[], options?: PlanOptions): Plan {
    return plan(changes, options)
  }

  splitStatements(sql: string): readonly { readonly sql: string; readonly line: number }[] {
    return splitStatements(sql)
  }

  quoteIdent(name: string): string {
    return quoteIdent(name)
  }

  createNamespaceSql(name: string): string {
    return `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(name)}`
  }

  lock(name: string, timeoutMs: number): Promise<() => Promise<void>> {
    return lock(this.db, timeoutMs, name)
  }

  applyLockTimeout(tx: Db, timeoutMs: number): Promise<void> {
    return applyLockTimeout(tx, timeoutMs)
  }

  /**
   * devUrl: checked empty, and emptied again by drop() (dev-database.ts); otherwise a temporary
   * database on this server, dropped by drop() (scratch.ts). Both are released on signals too.
   */
  openScratch(devUrl?: DatabaseUrl): Promise<ScratchDriver> {
    return devUrl === undefined ? openTemporary(this, open) : openDev(devUrl, open)
  }

  estimateRows(tables: readonly string[]): Promise<ReadonlyMap<string, number>> {
    return estimateRows(this.db, tables)
  }

  valueLosses(change: Change, options: PlanOptions = {}): readonly ValueLoss[] {
    return [...columnValueLosses(change), ...enumValueLosses(change, options)]
  }

  lintChange(change: Change, context: LintHookContext): readonly LintFinding[] {
    return lintChange(change, context)
  }

  backup(dest: string): Promise<void> {
    return backupPostgres(this.url, dest)
  }

  restore(file: string): Promise<void> {
    return restorePostgres(this.url, file)
  }

  verify(options: InspectOptions): Promise<readonly SoundnessFinding[]> {
    return verifyPostgres(this.db, options.schemas !== undefined && options.schemas.length > 0 ? options.schemas : ['public'], options.exclude ?? [])
  }

  blockingActivity(tables: readonly string[], options: ActivityOptions): Promise<readonly SessionActivity[]> {
    return blockingActivity(this.db, tables, options)
  }

  historyTableDdl(table: string): string {
    return (
      `CREATE TABLE IF NOT EXISTS ${quoteIdent(table)} (\n` +
      '  version varchar(14) PRIMARY KEY,\n' +
      '  name text NOT NULL,\n' +
      '  checksum char(64) NOT NULL,\n' +
      '  down_checksum char(64) NULL,\n' +
      '  status varchar(16) NOT NULL,\n' +
      '  applied_at timestamptz NOT NULL,\n' +
      '  execution_ms integer NOT NULL,\n' +
      '  applied_by text,\n' +
      '  statements_applied integer NOT NULL DEFAULT 0,\n' +
      '  tool_version text\n' +
      ')'
    )
  }

  private closed = false

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.connection.knex.destroy()
  }
}

export async function open(url: DatabaseUrl): Promise<PostgresDriver> {
  return new PostgresDriver(url, await connect(url))
}

export const dialect: Dialect = { name: 'postgres', open }
