import type { Knex } from 'knex'
import { KnexDb } from '../../db.js'
import type { Db } from '../../db.js'
import { pgRows } from './rows.js'
import { describeHolders, findLockHolders, isLockTimeout } from './lock-wait.js'
import { quoteIdent } from './quote.js'

/** What a PgDb needs to explain failures: where to open a side connection, and its own backend. */
export interface PgSession {
  readonly connectionString: string
  /** pg_backend_pid() of the driver's single pooled connection. */
  pid: number
}

/**
 * The PostgreSQL Db: a KnexDb that makes two failures say what happened instead of leaving the
 * user to investigate:
 * - a lock_timeout cancellation (55P03) names the tables, lock modes and pids holding them, looked
 *   up in pg_locks/pg_stat_activity on a side connection (this session's transaction is aborted);
 * - a failed `CREATE INDEX CONCURRENTLY` drops the INVALID index it leaves behind, so a failure
 *   leaves the database as it was (PostgreSQL keeps the half-built index otherwise).
 * The rethrown error keeps the original `code` and has it as `cause`.
 */
export class PgDb extends KnexDb {
  /**
   * Scratch databases only: schemas created before anything ran (the live connection's scope and
   * the existing schemas of its search_path), so a `CREATE SCHEMA` of one of them in a target or a
   * replayed migration runs as `IF NOT EXISTS`.
   */
  precreated: ReadonlySet<string> = new Set()

  constructor(
    knex: Knex,
    private readonly session: PgSession,
  ) {
    super(knex, pgRows)
  }

  override async query<Row = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    try {
      return await super.query<Row>(sql, params)
    } catch (error) {
      throw await this.explain(error, sql)
    }
  }

  override async exec(sql: string, params: readonly unknown[] = []): Promise<void> {
    try {
      await super.exec(this.precreated.size === 0 ? sql : createSchemaIfMissing(sql, this.precreated), params)
    } catch (error) {
      if (!this.knex.isTransaction) await dropInvalidIndex(this, sql, error)
      throw await this.explain(error, sql)
    }
  }

  override async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (this.knex.isTransaction) return fn(this)
    return this.knex.transaction((trx) => fn(Object.assign(new PgDb(trx, this.session), { precreated: this.precreated })))
  }

  private async explain(error: unknown, sql: string): Promise<unknown> {
    if (!isLockTimeout(error)) return error
    const holders = await findLockHolders(this.session.connectionString, this.session.pid, sql)
    if (holders === undefined) return error
    const err = error as Error & { code?: string }
    // knex prefixes the SQL ("<sql> - <message>"); callers quote the statement themselves.
    const reason = err.message.includes(' - ') ? err.message.slice(err.message.lastIndexOf(' - ') + 3) : err.message
    return Object.assign(new Error(`${reason}: ${describeHolders(holders)}`, { cause: error }), { code: err.code })
  }
}

// CREATE [UNIQUE] INDEX CONCURRENTLY [IF NOT EXISTS] name ON [ONLY] [schema.]table
const IDENT = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)`
const CONCURRENT_INDEX = new RegExp(
  String.raw`^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\s+(?:IF\s+NOT\s+EXISTS\s+)?(${IDENT})\s+ON\s+(?:ONLY\s+)?((?:${IDENT}\s*\.\s*)?${IDENT})`,
  'i',
)

/**
 * After a failed `CREATE INDEX CONCURRENTLY name ON table`, drops index `name` on that table if it
 * exists and is INVALID (what the failed build left). A name clash (42P07) is not ours to drop.
 * Best effort: the original failure is what the caller reports.
 */
async function dropInvalidIndex(db: PgDb, sql: string, error: unknown): Promise<void> {
  const match = CONCURRENT_INDEX.exec(sql)
  if (match === null || (error as { code?: unknown }).code === '42P07') return
  const [, name = '', table = ''] = match
  try {
    const rows = await db.query<{ schema: string; name: string }>(
      `SELECT n.nspname AS schema, c.relname AS name
         FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE i.indrelid = pg_catalog.to_regclass(?) AND c.relname = ? AND NOT i.indisvalid`,
      [table, unquote(name)],
    )
    for (const row of rows) await db.exec(`DROP INDEX CONCURRENTLY IF EXISTS ${quoteIdent(row.schema)}.${quoteIdent(row.name)}`)
  } catch {
    // Leave it: the failure message is about the statement, and `migrator status`/psql show the index.
  }
}

const CREATE_SCHEMA = new RegExp(String.raw`^(\s*CREATE\s+SCHEMA\s+)(?!IF\s+NOT\s+EXISTS\b)(${IDENT})(\s+AUTHORIZATION\s+${IDENT})?\s*;?\s*$`, 'i')

/** `CREATE SCHEMA name` → `CREATE SCHEMA IF NOT EXISTS name` when `name` is one of `schemas`. */
function createSchemaIfMissing(sql: string, schemas: ReadonlySet<string>): string {
  const match = CREATE_SCHEMA.exec(sql)
  if (match === null || !schemas.has(unquote(match[2]!))) return sql
  return `${match[1]}IF NOT EXISTS ${sql.slice(match[1]!.length)}`
}

function unquote(ident: string): string {
  return ident.startsWith('"') ? ident.slice(1, -1).replace(/""/g, '"') : ident.toLowerCase()
}
