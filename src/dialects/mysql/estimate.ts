import type { Db } from '../../db.js'
import { quoteIdent } from './quote.js'

/** Above this many rows (per the table statistics) an exact count is not worth its full scan. */
const EXACT_BELOW = 100_000
/** How long (whole seconds, MySQL's unit) an exact count may wait for a metadata lock. */
const COUNT_LOCK_WAIT_SECONDS = 1

/**
 * Row counts of `tables` (plain names in `database`) for lint's risk report:
 * information_schema.TABLES.TABLE_ROWS (one query for all of them; an InnoDB estimate) for big
 * tables, an exact count for small ones, where InnoDB's sampled statistics are least reliable and
 * "0 rows" versus "some rows" matters. An exact count waits at most a second for a metadata lock
 * another session holds (LOCK TABLES, a running ALTER), then the statistic answers instead.
 * Tables that do not exist are left out.
 */
export async function estimateRows(db: Db, database: string, tables: readonly string[]): Promise<ReadonlyMap<string, number>> {
  const result = new Map<string, number>()
  if (tables.length === 0) return result
  const rows = await db.query<{ name: string; estimate: number | string | null }>(
    `SELECT TABLE_NAME AS name, TABLE_ROWS AS estimate FROM information_schema.TABLES
      WHERE TABLE_SCHEMA = ? AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED') AND TABLE_NAME IN (${tables.map(() => '?').join(', ')})`,
    [database, ...tables],
  )
  for (const row of rows) {
    const statistic = Math.max(0, Math.round(Number(row.estimate ?? 0)))
    if (statistic >= EXACT_BELOW) {
      result.set(row.name, statistic)
      continue
    }
    result.set(row.name, (await exactCount(db, row.name)) ?? statistic)
  }
  return result
}

/** count(*) with lock_wait_timeout lowered for just this statement; undefined on a lock timeout. */
async function exactCount(db: Db, table: string): Promise<number | undefined> {
  const saved = await db.query<{ seconds: number | string }>('SELECT @@SESSION.lock_wait_timeout AS seconds')
  // Our own integer: SET takes no bind parameters.
  await db.exec(`SET SESSION lock_wait_timeout = ${COUNT_LOCK_WAIT_SECONDS}`)
  try {
    const rows = await db.query<{ n: number | string }>(`SELECT count(*) AS n FROM ${quoteIdent(table)}`)
    return Number(rows[0]?.n ?? 0)
  } catch (error) {
    // ER_LOCK_WAIT_TIMEOUT
    if ((error as { errno?: unknown }).errno === 1205) return undefined
    throw error
  } finally {
    await db.exec(`SET SESSION lock_wait_timeout = ${Math.max(1, Math.round(Number(saved[0]?.seconds ?? 31536000)))}`)
  }
}
