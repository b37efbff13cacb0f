import type { Db } from '../../db.js'
import type { ActivityOptions, SessionActivity } from '../dialect.js'

// One query: other client sessions of this database that hold or wait for a lock on a relation
// named in $1 (pg_locks), or whose transaction has been open at least $2 ms (pg_stat_activity).
const ACTIVITY = `
WITH names AS (SELECT jsonb_array_elements_text(?::jsonb) AS name),
locked AS (
  SELECT l.pid, n.nspname || '.' || c.relname AS tbl, l.granted
    FROM pg_catalog.pg_locks l
    JOIN pg_catalog.pg_class c ON c.oid = l.relation
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
   WHERE l.locktype = 'relation'
     AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
     AND c.relkind IN ('r', 'p', 'm', 'f', 'v')
     AND c.relname IN (SELECT name FROM names)
     AND l.pid <> pg_backend_pid()
)
SELECT a.pid, a.state, left(coalesce(a.query, ''), 300) AS query,
       (extract(epoch FROM clock_timestamp() - a.xact_start) * 1000)::float8 AS xact_ms,
       coalesce(array_agg(DISTINCT k.tbl) FILTER (WHERE k.tbl IS NOT NULL), '{}') AS tables,
       coalesce(bool_or(NOT k.granted), false) AS waiting
  FROM pg_catalog.pg_stat_activity a
  LEFT JOIN locked k ON k.pid = a.pid
 WHERE a.pid <> pg_backend_pid()
   AND a.datname = current_database()
   AND a.backend_type = 'client backend'
 GROUP BY a.pid, a.state, a.query, a.xact_start
HAVING count(k.tbl) > 0
    OR (a.xact_start IS NOT NULL AND clock_timestamp() - a.xact_start >= ? * interval '1 millisecond')
 ORDER BY a.xact_start NULLS LAST, a.pid`

/**
 * Sessions that could block (or be blocked by) a migration on `tables` (unqualified names, as the
 * migration mentions them): those holding or awaiting a lock on one of them, with the tables
 * (`schema.name`) and whether they wait, and those whose transaction has been open for at least
 * `longTransactionMs`. Our own session is left out.
 */
export async function blockingActivity(db: Db, tables: readonly string[], options: ActivityOptions): Promise<readonly SessionActivity[]> {
  const rows = await db.query<{ pid: number; state: string | null; query: string; xact_ms: number | null; tables: string[] | string; waiting: boolean }>(ACTIVITY, [
    JSON.stringify([...new Set(tables)]),
    Math.max(0, Math.round(options.longTransactionMs)),
  ])
  return rows.map((row) => ({
    pid: Number(row.pid),
    query: row.query.replace(/\s+/g, ' ').trim(),
    ...(row.state === null ? {} : { state: row.state }),
    ...(row.xact_ms === null ? {} : { transactionAgeMs: Math.round(Number(row.xact_ms)) }),
    tables: parseArray(row.tables),
    waiting: row.waiting,
  }))
}

/** node-pg parses text[] into an array; a bare `{a,b}` literal is handled too. */
function parseArray(value: string[] | string): string[] {
  if (Array.isArray(value)) return value
  const inner = value.replace(/^\{|\}$/g, '')
  return inner === '' ? [] : inner.split(',').map((s) => s.replace(/^"|"$/g, ''))
}
