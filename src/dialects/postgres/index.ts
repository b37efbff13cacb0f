import { isLockTimeout } from './lock-errors.js'
import { postgresZeroDowntimeSql } from './zero-downtime.js'
import type { DatabaseUrl } from '../../config/url.js'
import type { Db } from '../../db.js'
import { ConnectionError } from '../../errors.js'
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
import { clearDatabase, createScratchDatabase, readBaseline, dropScratchDatabase, scratchName, trackScratch, untrackScratch, withDatabase } from './scratch.js'
import { splitStatements } from './split.js'

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

  lock(name: string, timeoutMs: number): Promise<() => Promise<void>> {
    return lock(this.db, timeoutMs, name)
  }

  applyLockTimeout(tx: Db, timeoutMs: number): Promise<void> {
    return applyLockTimeout(tx, timeoutMs)
  }

  async openScratch(devUrl?: DatabaseUrl): Promise<ScratchDriver> {
    if (devUrl !== undefined) {
      const driver = await open(devUrl)
      await assertEmpty(driver)
      const baseline = await readBaseline(driver.db)
      let dropped = false
      // A devUrl database belongs to the user: "dropping" the scratch empties it again and closes it.
      return Object.assign(driver, {
        drop: async () => {
          if (dropped) return
          dropped = true
          try {
            await clearDatabase(driver.db, baseline)
          } finally {
            await driver.close()
          }
        },
      })
    }
    const name = scratchName()
    const adminUrl = this.url
    // Registered before it exists, so a signal arriving during CREATE DATABASE still drops it.
    trackScratch(name, adminUrl)
    try {
      await createScratchDatabase(this.db, this.url, name)
    } catch (error) {
      untrackScratch(name)
      throw error
    }
    const dropDatabase = async (): Promise<void> => {
      const admin = await connect(adminUrl)
      try {
        await dropScratchDatabase(admin.db, name)
      } finally {
        await admin.knex.destroy()
      }
    }
    let driver: PostgresDriver
    try {
      driver = await open(withDatabase(this.url, name))
    } catch (error) {
      await dropDatabase().catch(() => undefined)
      untrackScratch(name)
      throw error
    }
    let dropped = false
    return Object.assign(driver, {
      drop: async () => {
        if (dropped) return
        dropped = true
        await driver.close()
        await dropDatabase()
        untrackScratch(name)
      },
    })
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

/** A devUrl must hold no user objects: the target is applied to it and compared as is. */
async function assertEmpty(driver: PostgresDriver): Promise<void> {
  const rows = await driver.db.query<{ n: string }>(
    `SELECT count(*)::int8 AS n FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')`,
  )
  const count = Number(rows[0]?.n ?? 0)
  if (count > 0) {
    await driver.close()
    throw new ConnectionError(
      `dev database ${driver.url.redacted} is not empty (${count} relations): it must be an empty database that migrator may fill and clear; ` +
        'point devUrl at an empty database, or leave it unset to use a temporary one',
    )
  }
}

export async function open(url: DatabaseUrl): Promise<PostgresDriver> {
  return new PostgresDriver(url, await connect(url))
}

export const dialect: Dialect = { name: 'postgres', open }
