import pg from 'pg'
import type { Knex } from 'knex'
import type { ClientDb, Db } from '../../db.js'
import { pgClientDb } from './client-db.js'
import { PgDb, type PgSession } from './pg-db.js'
import type { DatabaseUrl } from '../../config/url.js'
import { redactSecrets } from '../../config/url.js'
import { ConnectionError } from '../../errors.js'
import { pgClientConfig, refusedTls, type PgClientConfig } from './ssl.js'
import { urlScope } from './scope.js'

export { pgRows } from './rows.js'

export interface PgConnection<D extends Db = PgDb> {
  readonly db: D
  /** Ends the session. */
  close(): Promise<void>
  /** `server_version_num`, e.g. 150004. */
  readonly versionNum: number
  /** `PostgreSQL 15.4`. */
  readonly serverVersion: string
  /** The session's `search_path` after connecting: what unqualified names of a target resolve against. */
  readonly searchPath: string
  /** The schemas of `searchPath` that exist (`current_schemas(false)`): where unqualified names resolve. */
  readonly pathSchemas: readonly string[]
  /** The schemas the URL's `search_path` names (scope.ts); undefined when it sets none. */
  readonly scope?: readonly string[]
}

/**
 * Opens one session to `url`. The pool holds exactly one connection: the advisory lock and session
 * settings live on a connection, so every query of this driver must run on the same one.
 * `sslmode` and its certificate parameters are mapped to pg's TLS options with libpq's meaning
 * (ssl.ts); a `search_path` parameter is set on the session (pg ignores it, psql-style tools take
 * `options=-csearch_path=…`, which works too); everything else in the connection string
 * (`application_name`, `options`, …) goes to pg as is.
 */
export function connect(url: DatabaseUrl): Promise<PgConnection> {
  return withTlsFallback(url, (config) => openSession(url, config, knexSession))
}

/**
 * connect() for a session that runs only migrator's own SQL (OpenOptions.queriesOnly): the same
 * session over a bare pg.Client (client-db.ts), so knex is never loaded.
 */
export function connectForQueries(url: DatabaseUrl): Promise<PgConnection<ClientDb>> {
  return withTlsFallback(url, (config) => openSession(url, config, clientSession))
}

async function withTlsFallback<C>(url: DatabaseUrl, open: (config: PgClientConfig) => Promise<C>): Promise<C> {
  const config = pgClientConfig(url.raw, url.redacted)
  try {
    return await open(config)
  } catch (error) {
    if (config.fallback === undefined || !refusedTls((error as Error).cause)) throw error
    return open(config.fallback)
  }
}

/** A connected Db and how to end it. */
interface Opened<D extends Db> {
  readonly db: D
  close(): Promise<void>
}

/** Connects a Db; `session` is filled in by openSession once it has connected. */
type SessionOpener<D extends Db> = (config: PgClientConfig, session: PgSession) => Promise<Opened<D>>

async function knexSession(config: PgClientConfig, session: PgSession): Promise<Opened<PgDb>> {
  const { default: knexFactory } = await import('knex')
  const knex = knexFactory({
    client: 'pg',
    connection: { connectionString: config.connectionString, ...(config.ssl === undefined ? {} : { ssl: config.ssl }) },
    pool: { min: 1, max: 1 },
    acquireConnectionTimeout: 30_000,
    // Only src/cli prints: failures reach the caller as ConnectionError instead of knex's console log.
    log: { warn: () => undefined, error: () => undefined, deprecate: () => undefined, debug: () => undefined },
  })
  keepQuestionMarks(knex)
  return { db: new PgDb(knex, session), close: () => knex.destroy() }
}

async function clientSession(config: PgClientConfig): Promise<Opened<ClientDb>> {
  const client = new pg.Client({
    connectionString: config.connectionString,
    ...(config.ssl === undefined ? {} : { ssl: config.ssl }),
    connectionTimeoutMillis: 30_000,
  })
  // A server going away between queries must not surface as an unhandled 'error' event; the next query fails.
  client.on('error', () => undefined)
  try {
    await client.connect()
    // Only catalog queries run here, and their estimates (generate_series counts 1,000 rows) pass
    // jit_above_cost: compiling them took 1-2 s of a status that otherwise needs a fraction of that.
    // pg_settings: servers before PostgreSQL 11 have no `jit`.
    await client.query("SELECT set_config('jit', 'off', false) FROM pg_catalog.pg_settings WHERE name = 'jit'")
  } catch (error) {
    await client.end().catch(() => undefined)
    throw error
  }
  return { db: pgClientDb(client), close: () => client.end() }
}

async function openSession<D extends Db>(url: DatabaseUrl, config: PgClientConfig, opener: SessionOpener<D>): Promise<PgConnection<D>> {
  // Side connections (lock-holder lookups) connect the way this session did.
  const session: PgSession = { connectionString: sideConnection(url.raw, config), pid: 0 }
  let opened: Opened<D> | undefined
  try {
    opened = await opener(config, session)
    const { db } = opened
    const rows = await db.query<{ num: string; version: string; pid: number }>(
      "SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS version, pg_backend_pid() AS pid",
    )
    const row = rows[0]
    // The pool's only connection: lock-timeout explanations leave this backend out of the holders.
    session.pid = Number(row?.pid ?? 0)
    const versionNum = Number(row?.num ?? 0)
    const version = String(row?.version ?? '').split(' ')[0] ?? ''
    const searchPathParam = new URL(url.raw).searchParams.get('search_path')
    if (searchPathParam !== null) await db.query("SELECT set_config('search_path', ?, false)", [searchPathParam])
    const [path] = await db.query<{ path: string; existing: string[] }>("SELECT current_setting('search_path') AS path, current_schemas(false)::text[] AS existing")
    const scope = await urlScope(db, url.raw)
    return {
      db, close: opened.close, versionNum, serverVersion: `PostgreSQL ${version}`,
      searchPath: path?.path ?? '', pathSchemas: path?.existing ?? [],
      ...(scope === undefined ? {} : { scope }),
    }
  } catch (error) {
    await opened?.close().catch(() => undefined)
    throw connectionError(url, error)
  }
}

/** Wraps a connect failure in a ConnectionError whose message holds no password and says what to check. */
export function connectionError(url: DatabaseUrl, error: unknown): ConnectionError {
  const err = error as { code?: string; message?: string }
  const reason = redactSecrets(String(err.message ?? error), url)
  const where = `${url.host ?? 'localhost'}:${url.port ?? 5432}`
  let hint: string
  switch (err.code) {
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EHOSTUNREACH':
    case 'ETIMEDOUT':
      hint = `check that PostgreSQL is running and reachable at ${where}`
      break
    case '28P01':
    case '28000':
      hint = 'check the user name and password in the URL'
      break
    case '3D000':
      hint = `create database "${url.database ?? ''}" first, or fix the database name in the URL`
      break
    default:
      hint = /does not support SSL/i.test(reason)
        ? 'the server does not offer TLS: use sslmode=prefer (TLS when offered) or sslmode=disable'
        : 'check the URL (host, port, user, password, database, sslmode)'
  }
  return new ConnectionError(`cannot connect to ${url.redacted}: ${reason}; ${hint}`, { cause: error })
}

/**
 * The URL a side connection uses to connect like the session did: after sslmode=prefer/allow fell
 * back, the mode that worked is spelled out, so a lookup does not try the refused way again.
 */
function sideConnection(raw: string, config: PgClientConfig): string {
  const mode = new URL(raw).searchParams.get('sslmode')
  if (mode !== 'prefer' && mode !== 'allow') return raw
  const url = new URL(raw)
  url.searchParams.set('sslmode', config.ssl === false ? 'disable' : 'require')
  return url.toString()
}

/**
 * knex's pg client rewrites every `?` of every statement into `$n`, bindings or not, so DDL that
 * contains a `?` (jsonb operators, regular expressions like `https?://`) would be corrupted.
 * knex prepares a query's bindings right before positioning them, synchronously and on the same
 * client object, so remembering whether the current query has any lets statements without bindings
 * pass through untouched. Patched on the pg client prototype because transactions run on
 * per-transaction client objects created from it.
 */
const PATCHED = Symbol.for('migrator.pg.keepQuestionMarks')

function keepQuestionMarks(knex: Knex): void {
  type PgClient = { prepBindings(b: unknown[]): unknown[]; positionBindings(sql: string): string; [PATCHED]?: boolean; hasBindings?: boolean }
  const proto = Object.getPrototypeOf(knex.client) as PgClient
  if (proto[PATCHED] === true) return
  proto[PATCHED] = true
  const prep = proto.prepBindings
  const position = proto.positionBindings
  proto.prepBindings = function (this: PgClient, bindings: unknown[]) {
    this.hasBindings = Array.isArray(bindings) && bindings.length > 0
    return prep.call(this, bindings)
  }
  proto.positionBindings = function (this: PgClient, sql: string) {
    return this.hasBindings === false ? sql : position.call(this, sql)
  }
}
