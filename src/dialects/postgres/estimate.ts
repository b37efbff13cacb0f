import type { Db } from '../../db.js'
import { quoteIdent } from './quote.js'

/** Above this many rows (per the planner's statistics) an exact count is not worth its full scan. */
const EXACT_BELOW = 100_000
/** How long an exact count may wait for a table lock before the statistics answer instead. */
const COUNT_LOCK_TIMEOUT_MS = 1000

const STATS = `
SELECT n.nspname AS schema, c.relname AS name, c.reltuples::float8 AS reltuples, coalesce(s.n_live_tup, 0)::float8 AS live
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_catalog.pg_stat_all_tables s ON s.relid = c.oid
 WHERE c.relkind IN ('r', 'p', 'm', 'f')
   AND n.nspname || '.' || c.relname IN (SELECT jsonb_array_elements_text(?::jsonb))`

/**
 * Row counts of `tables` (`schema.name`) for lint's risk report: the planner's statistics for big
 * tables (one catalog query for all of them), an exact count for small ones, where "0 rows" versus
 * "some rows" matters (a NOT NULL column without default). An exact count never waits behind
 * another session's table lock for more than a second: it then falls back to the statistics, so
 * linting before `up` cannot hang on the very lock the migration would time out on.
 * Tables that do not exist are left out.
 */
export async function estimateRows(db: Db, tables: readonly string[]): Promise<ReadonlyMap<string, number>> {
  const result = new Map<string, number>()
  if (tables.length === 0) return result
  const rows = await db.query<{ schema: string; name: string; reltuples: number; live: number }>(STATS, [JSON.stringify(tables)])
  for (const row of rows) {
    const key = `${row.schema}.${row.name}`
    // reltuples is -1 (PostgreSQL 14+) or 0 before the first ANALYZE; n_live_tup counts inserts since.
    const statistic = Math.round(Math.max(0, Number(row.reltuples), Number(row.live)))
    if (statistic >= EXACT_BELOW) {
      result.set(key, statistic)
      continue
    }
    result.set(key, (await exactCount(db, row.schema, row.name)) ?? statistic)
  }
  return result
}

/** count(*) bounded by a lock timeout; undefined when the table lock could not be had in time. */
async function exactCount(db: Db, schema: string, name: string): Promise<number | undefined> {
  try {
    return await db.transaction(async (tx) => {
      // SET takes no bind parameters; the value is our own integer.
      await tx.exec(`SET LOCAL lock_timeout = '${COUNT_LOCK_TIMEOUT_MS}ms'`)
      const rows = await tx.query<{ n: string }>(`SELECT count(*) AS n FROM ${quoteIdent(schema)}.${quoteIdent(name)}`)
      return Number(rows[0]?.n ?? 0)
    })
  } catch (error) {
    if ((error as { code?: unknown }).code === '55P03') return undefined
    throw error
  }
}
