import pg from 'pg'
import { pgClientConfig } from './ssl.js'

/** A lock another session holds on a table, as pg_locks and pg_stat_activity report it. */
export interface LockHolder {
  readonly pid: number
  readonly mode: string
  readonly schema: string
  readonly table: string
  readonly applicationName: string | null
  readonly state: string | null
  readonly xactStart: string | null
  readonly query: string | null
}

// Granted table-level locks of other sessions in this database, strongest first. Runs on a side
// connection: the failed statement's own session is in an aborted transaction and cannot query.
const HOLDERS = `
SELECT l.pid, l.mode, n.nspname AS schema, c.relname AS table, a.application_name, a.state,
       to_char(a.xact_start, 'YYYY-MM-DD HH24:MI:SS TZ') AS xact_start, a.query
  FROM pg_catalog.pg_locks l
  JOIN pg_catalog.pg_class c ON c.oid = l.relation
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
 WHERE l.locktype = 'relation' AND l.granted
   AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
   AND l.pid <> $1 AND l.pid <> pg_catalog.pg_backend_pid()
   AND c.relkind IN ('r', 'p', 'm', 'v', 'f', 'S')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
 ORDER BY (l.mode = 'AccessExclusiveLock') DESC, l.pid`

/** Whether `error` is PostgreSQL's lock_timeout cancellation (SQLSTATE 55P03). */
export function isLockTimeout(error: unknown): boolean {
  const err = error as { code?: unknown; message?: unknown } | null
  return err?.code === '55P03' && /lock timeout/i.test(String(err.message ?? ''))
}

/**
 * Who holds a lock on a table that `statement` names, looked up on a short side connection to
 * `connectionString` right after the statement gave up waiting (the holder usually still holds it).
 * `ownPid` is the waiting session, left out. Undefined when the lookup itself fails.
 */
export async function findLockHolders(connectionString: string, ownPid: number, statement: string): Promise<readonly LockHolder[] | undefined> {
  const client = new pg.Client({ ...pgClientConfig(connectionString), connectionTimeoutMillis: 5000 })
  // A server going away mid-lookup must not surface as an unhandled 'error' event.
  client.on('error', () => undefined)
  try {
    await client.connect()
    const { rows } = await client.query<Record<string, unknown>>(HOLDERS, [ownPid])
    const holders: LockHolder[] = rows.map((r) => ({
      pid: Number(r.pid),
      mode: String(r.mode),
      schema: String(r.schema),
      table: String(r.table),
      applicationName: r.application_name == null ? null : String(r.application_name),
      state: r.state == null ? null : String(r.state),
      xactStart: r.xact_start == null ? null : String(r.xact_start),
      query: r.query == null ? null : String(r.query),
    }))
    return holders.filter((h) => namesTable(statement, h.table))
  } catch {
    return undefined
  } finally {
    await client.end().catch(() => undefined)
  }
}

/**
 * Whether `statement` mentions the table: as a quoted identifier, or unquoted (case-insensitively,
 * as PostgreSQL folds it), qualified or not. A text match, not a parse: it may name a
 * table the statement only mentions in a string, which for a diagnosis is harmless.
 */
export function namesTable(statement: string, table: string): boolean {
  const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const quoted = `"${table.replace(/"/g, '""')}"`
  if (statement.includes(quoted)) return true
  if (table !== table.toLowerCase() || !/^[a-z_][a-z0-9_$]*$/.test(table)) return false
  return new RegExp(`(^|[^A-Za-z0-9_$"])${escape(table)}($|[^A-Za-z0-9_$"])`, 'i').test(statement)
}

/** One sentence naming each holder: table, lock mode, pid, what that session is doing, and what to do. */
export function describeHolders(holders: readonly LockHolder[]): string {
  if (holders.length === 0) {
    return 'no other session holds a lock on a table this statement names any more (it may have been a row lock or a short-lived holder); ' +
      'look for long transactions in pg_stat_activity, or raise lockTimeout'
  }
  const shown = holders.slice(0, 3).map((h) => {
    const facts = [
      h.mode,
      ...(h.applicationName ? [`application "${h.applicationName}"`] : []),
      ...(h.state === null ? [] : [`${h.state}${h.xactStart === null ? '' : ` since ${h.xactStart}`}`]),
      ...(h.query ? [`last query: ${oneLine(h.query)}`] : []),
    ]
    return `table ${h.schema}.${h.table} is locked by pid ${h.pid} (${facts.join(', ')})`
  })
  const pids = [...new Set(holders.map((h) => h.pid))]
  return (
    `${shown.join('; ')}${holders.length > shown.length ? `; and ${holders.length - shown.length} more` : ''}; ` +
    `wait for that transaction to end, end it (SELECT pg_terminate_backend(${pids[0]})), or raise lockTimeout`
  )
}

function oneLine(sql: string, max = 120): string {
  const flat = sql.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}
