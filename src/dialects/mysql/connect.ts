import type { Knex } from 'knex'
import type { DatabaseUrl } from '../../config/url.js'
import { redactSecrets } from '../../config/url.js'
import { ClientDb, KnexDb, type Db, type RawRows } from '../../db.js'
import { ConnectionError } from '../../errors.js'
import { detectFlavor, type Flavor } from './flavor.js'
import { strictSession, type RawSession } from './strict.js'

/** mysql2 (also through knex.raw) resolves to `[rows, fields]`; DDL gives a ResultSetHeader instead of rows. */
const mysqlRows: RawRows = (result) => {
  const first = Array.isArray(result) ? (result as unknown[])[0] : undefined
  return Array.isArray(first) ? (first as Record<string, unknown>[]) : []
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/

/**
 * A Db (a KnexDb, or a ClientDb for OpenOptions.queriesOnly) that turns ISO-8601 UTC strings into
 * Dates before binding: strict mode rejects `2024-01-02T03:04:05.000Z` for DATETIME, while mysql2
 * formats a Date in the connection time zone (UTC here), so callers may pass either.
 */
export class MysqlDb implements Db {
  constructor(private readonly inner: Db) {}

  get knex(): Knex | undefined {
    return this.inner.knex
  }

  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]> {
    return this.inner.query<Row>(sql, bindable(params)).catch(serverMessage)
  }

  exec(sql: string, params?: readonly unknown[]): Promise<void> {
    return this.inner.exec(sql, bindable(params)).catch(serverMessage)
  }

  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    return this.inner.transaction((tx) => fn(tx === this.inner ? this : new MysqlDb(tx)))
  }
}

/**
 * knex prefixes a failed query's message with the whole SQL and its bound values
 * (`INSERT … - Duplicate entry …`): the runner names the statement itself, and values may be
 * private, so the message becomes the server's own text (mysql2 `sqlMessage`). `sql`, `code` and
 * `errno` stay on the error.
 */
function serverMessage(error: unknown): never {
  const server = (error as { sqlMessage?: unknown } | null)?.sqlMessage
  if (error instanceof Error && typeof server === 'string' && server !== '') error.message = server
  throw error
}

function bindable(params?: readonly unknown[]): readonly unknown[] | undefined {
  return params?.map((value) => (typeof value === 'string' && ISO_UTC.test(value) ? new Date(value) : value))
}

export interface Connection {
  readonly db: MysqlDb
  readonly flavor: Flavor
  /** Ends the session. */
  close(): Promise<void>
}

/**
 * Opens one session (pool of exactly one connection, kept open) so that GET_LOCK and session
 * settings apply to every statement; its `sql_mode` always includes STRICT_ALL_TABLES (strict.ts),
 * whatever the server's default. Reads `SELECT VERSION()` to learn flavor and version, and
 * `@@lower_case_table_names` to learn how table names compare.
 * Throws ConnectionError with the redacted URL when the server cannot be reached.
 */
export function connect(url: DatabaseUrl): Promise<Connection> {
  return openSession(url, knexSession)
}

/**
 * connect() for a session that runs only migrator's own SQL (OpenOptions.queriesOnly): the same
 * strict session over a bare mysql2 connection, so knex is never loaded.
 */
export function connectForQueries(url: DatabaseUrl): Promise<Connection> {
  return openSession(url, clientSession)
}

/** mysql2's connection settings for `url`. */
function connectionSettings(url: DatabaseUrl) {
  const ssl = url.params.ssl ?? url.params.sslmode
  return {
    host: url.host ?? '127.0.0.1',
    port: url.port ?? 3306,
    user: url.user ?? 'root',
    password: url.password ?? '',
    database: url.database,
    multipleStatements: false,
    charset: 'utf8mb4',
    timezone: 'Z',
    supportBigNumbers: true,
    ...(ssl !== undefined && ssl !== 'false' && ssl !== 'disable' ? { ssl: {} } : {}),
  }
}

type Opened = { readonly db: Db; close(): Promise<void> }

async function openSession(url: DatabaseUrl, opener: (url: DatabaseUrl) => Promise<Opened>): Promise<Connection> {
  let opened: Opened | undefined
  try {
    opened = await opener(url)
    const db = new MysqlDb(opened.db)
    const rows = await db.query<{ v: string; lctn: unknown }>('SELECT VERSION() AS v, @@lower_case_table_names AS lctn')
    return { db, close: opened.close, flavor: detectFlavor(String(rows[0]?.v ?? ''), url.flavorHint, Number(rows[0]?.lctn ?? 0)) }
  } catch (error) {
    await opened?.close().catch(() => undefined)
    throw new ConnectionError(connectionMessage(url, error), { cause: error })
  }
}

async function knexSession(url: DatabaseUrl): Promise<Opened> {
  const { default: knexFactory } = await import('knex')
  const knex = knexFactory({
    client: 'mysql2',
    connection: connectionSettings(url),
    // min 1: the pool never reaps the session that holds GET_LOCK. Every session is strict, so a
    // value that does not fit fails its statement instead of being stored truncated.
    pool: { min: 1, max: 1, afterCreate: strictSession },
    // Core code never prints: connection failures surface as ConnectionError instead.
    log: { warn: silent, error: silent, debug: silent, deprecate: silent },
  })
  return { db: new KnexDb(knex, mysqlRows), close: () => knex.destroy() }
}

async function clientSession(url: DatabaseUrl): Promise<Opened> {
  const { default: mysql } = await import('mysql2/promise')
  const connection = await mysql.createConnection(connectionSettings(url))
  // A server going away between queries must not surface as an unhandled 'error' event; the next query fails.
  connection.on('error', silent)
  const session: RawSession = {
    query: (sql, values, callback) => void connection.query(sql, values).then(([rows]) => callback(null, rows), (error: Error) => callback(error)),
  }
  try {
    await new Promise<void>((resolve, reject) => strictSession(session, (error) => (error === null ? resolve() : reject(error))))
  } catch (error) {
    await connection.end().catch(() => undefined)
    throw error
  }
  const run = async (sql: string, params: readonly unknown[]) => mysqlRows(params.length > 0 ? await connection.query(sql, params as unknown[]) : await connection.query(sql))
  return { db: new ClientDb(run), close: () => connection.end() }
}

function silent(): void {}

function connectionMessage(url: DatabaseUrl, error: unknown): string {
  const reason = redactSecrets(error instanceof Error ? error.message : String(error), url)
  const code = (error as { code?: string }).code
  const hint =
    code === 'ER_ACCESS_DENIED_ERROR'
      ? 'check the user name and password in the URL'
      : code === 'ER_BAD_DB_ERROR'
        ? `create the database first (CREATE DATABASE ${url.database ?? ''})`
        : 'check that the server is running and that host and port are right'
  return `cannot connect to ${url.redacted}: ${reason}; ${hint}`
}
