import { isLockTimeout } from './lock-errors.js'
import { postgresDrizzle } from './drizzle.js'
import { postgresZeroDowntimeSql } from './zero-downtime.js'
import { postgresCopy } from './copy-types.js'
import type { DatabaseUrl } from '../../config/url.js'
import type { Db } from '../../db.js'
import type { Change } from '../../schema/changes.js'
import type { Schema, Table } from '../../schema/model.js'
import type { Dialect, Driver, InspectOptions, OpenOptions, PlanOptions, ScratchDriver } from '../dialect.js'
import type { Capabilities, Plan, ValueLoss } from '../../schema/plan.js'
import { connect, connectForQueries } from './connect.js'
import type { PgConnection } from './connect.js'
import type { PgDb } from './pg-db.js'
import { estimateRows } from './estimate.js'
import type { LintFinding, LintHookContext } from '../../lint/finding.js'
import type { ActivityOptions, SessionActivity } from '../dialect.js'
import { blockingActivity } from './activity.js'
import { backupPostgres, restorePostgres } from './backup.js'
import { lintChange } from './lint.js'
import { columnValueLosses } from './lossy.js'
import { enumValueLosses } from './enum-plan.js'
import { inspect } from './inspect.js'
import { applyLockTimeout, lock, sessionLockTimeout, waitsForOtherTransactions } from './lock.js'
import { plan } from './plan.js'
import { serverFeatures } from './queries.js'
import type { ServerFeatures } from './queries.js'
import { quoteIdent } from './quote.js'
import { openDev } from './dev-database.js'
import { openTemporary } from './scratch.js'
import { splitStatements } from './split.js'
import { verifyPostgres } from './verify.js'
import { urlWithSearchPath } from './scope.js'
import type { SoundnessFinding } from '../../safety/soundness.js'
import type { TableChecksum } from '../../safety/untouched.js'
import { tableChecksum } from './checksum.js'

const CAPABILITIES: Capabilities = {
  transactionalDdl: true,
  schemas: true,
  forwardForeignKeys: false,
  schemaScopedIndexNames: true,
  exclusiveRunnerLock: true,
}

/**
 * A PostgreSQL database on one session: through knex + pg (PgDb), or for a connection that runs
 * only migrator's own SQL through a bare pg.Client (OpenOptions.queriesOnly).
 */
export class PostgresDriver<D extends Db = PgDb> implements Driver {
  readonly dialect = 'postgres' as const
  readonly capabilities = CAPABILITIES
  readonly transactionSyntax = { begin: 'BEGIN;', commit: 'COMMIT;' }
  readonly db: D
  readonly serverVersion: string
  readonly features: ServerFeatures
  readonly scope?: readonly string[]
  /**
   * The search_path unqualified names resolve against: the session's when it connected, or for a
   * scratch database the live one's. Inspection prints names relative to it (inspect.ts).
   */
  searchPath: string

  constructor(
    readonly url: DatabaseUrl,
    readonly connection: PgConnection<D>,
  ) {
    this.db = connection.db
    this.serverVersion = connection.serverVersion
    this.features = serverFeatures(connection.versionNum)
    if (connection.scope !== undefined) this.scope = connection.scope
    this.searchPath = connection.searchPath
  }

  readonly isLockTimeout = isLockTimeout
  readonly drizzle = postgresDrizzle
  readonly zeroDowntimeSql = postgresZeroDowntimeSql
  readonly copy = postgresCopy

  inspect(options?: InspectOptions): Promise<Schema> {
    // options.db: the runner's post-checks inspect inside the migration's own transaction (the
    // single pooled connection is busy with it, so this.db would wait forever).
    return inspect(options?.db ?? this.db, this.features, options, this.searchPath)
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

  async listSchemas(): Promise<readonly string[]> {
    const rows = await this.db.query<{ name: string }>(
      "SELECT nspname AS name FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY nspname",
    )
    return rows.map((row) => row.name)
  }

  schemaStatements(name: string): { readonly create: string; readonly drop: string } {
    return { create: `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(name)}`, drop: `DROP SCHEMA ${quoteIdent(name)}` }
  }

  /**
   * The lock is named after the history table where it lives: schemas of one database with their
   * own history (tenant schemas) each take their own lock. The table in `public`, where every
   * connection without a search_path keeps it, keeps the bare name earlier versions locked.
   */
  lock(name: string, timeoutMs: number): Promise<() => Promise<void>> {
    const schema = this.connection.pathSchemas[0] ?? this.scope?.[0]
    return lock(this.db, timeoutMs, schema === undefined || schema === 'public' ? name : `${schema}.${name}`)
  }

  scopedUrl(schema: string): string {
    return urlWithSearchPath(this.url.raw, schema)
  }

  applyLockTimeout(tx: Db, timeoutMs: number): Promise<void> {
    return applyLockTimeout(tx, timeoutMs)
  }

  sessionLockTimeout(db: Db, timeoutMs: number | undefined): Promise<void> {
    return sessionLockTimeout(db, timeoutMs)
  }

  waitsForOtherTransactions(sql: string): boolean {
    return waitsForOtherTransactions(sql)
  }

  /**
   * devUrl: checked empty, and emptied again by drop() (dev-database.ts); otherwise a temporary
   * database on this server, dropped by drop() (scratch.ts). Both are released on signals too.
   * Either gets this session's search_path (a database- or role-level setting, or a devUrl
   * without the live URL's `search_path`, would otherwise put unqualified names elsewhere), the
   * schemas of that path that exist here and the schemas of this connection's scope: targets and
   * migrations written for this database take them as given, and without them an unqualified name
   * would land in a later schema of the path (created after a devUrl's contents are recorded, so
   * its clean-up drops them again).
   */
  async openScratch(devUrl?: DatabaseUrl): Promise<ScratchDriver> {
    const scratch = devUrl === undefined ? await openTemporary(this, open) : await openDev(devUrl, open)
    try {
      const given = new Set([...(this.scope ?? []), ...this.connection.pathSchemas])
      // Only the missing ones: CREATE SCHEMA needs a privilege on the database even when it exists.
      const missing = await scratch.db.query<{ name: string }>(
        'SELECT s.name FROM unnest(?::text[]) s(name) WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace n WHERE n.nspname = s.name)',
        [[...given]],
      )
      for (const { name } of missing) await scratch.db.exec(`CREATE SCHEMA ${quoteIdent(name)}`)
      await scratch.db.query("SELECT set_config('search_path', ?, false)", [this.searchPath])
      scratch.searchPath = this.searchPath
      scratch.connection.db.precreated = given
    } catch (error) {
      await scratch.drop().catch(() => undefined)
      throw error
    }
    return scratch
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

  tableChecksum(db: Db, table: Table, sampleRows: number): Promise<TableChecksum> {
    return tableChecksum(db, table, sampleRows)
  }

  verify(options: InspectOptions): Promise<readonly SoundnessFinding[]> {
    return verifyPostgres(this.db, options.schemas !== undefined && options.schemas.length > 0 ? options.schemas : ['public'], options.exclude ?? [])
  }

  blockingActivity(tables: readonly string[], options: ActivityOptions): Promise<readonly SessionActivity[]> {
    return blockingActivity(this.db, tables, options)
  }

  /**
   * With a URL scope none of whose schemas existed at connect time (the first migration fills one
   * that is not there yet), nothing on the search_path could take the table: the first schema of
   * the scope is created with it. Migrations never create or drop a bound schema (see
   * InspectOptions.bound), so a down leaves it, with the history, in place.
   */
  historyTableDdl(table: string): string {
    const create = this.historyTableCreate(table)
    const first = this.scope?.[0]
    if (first === undefined || this.connection.pathSchemas.length > 0) return create
    return `DO $$BEGIN CREATE SCHEMA IF NOT EXISTS ${quoteIdent(first)}; ${create}; END$$`
  }

  private historyTableCreate(table: string): string {
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

  snapshotTableDdl(table: string): string {
    return (
      `CREATE TABLE IF NOT EXISTS ${quoteIdent(table)} (\n` +
      '  history_key varchar(71) PRIMARY KEY,\n' +
      '  version varchar(14) NOT NULL,\n' +
      '  fingerprint varchar(71) NOT NULL,\n' +
      '  schema_json text NOT NULL,\n' +
      '  recorded_at varchar(32) NOT NULL\n' +
      ')'
    )
  }

  private closed = false

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.connection.close()
  }
}

export async function open(url: DatabaseUrl): Promise<PostgresDriver> {
  return new PostgresDriver(url, await connect(url))
}

export const dialect: Dialect = {
  name: 'postgres',
  open: async (url: DatabaseUrl, options?: OpenOptions) => (options?.queriesOnly === true ? new PostgresDriver(url, await connectForQueries(url)) : open(url)),
}
