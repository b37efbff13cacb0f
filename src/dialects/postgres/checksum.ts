import type { Db } from '../../db.js'
import type { Table } from '../../schema/model.js'
import type { TableChecksum } from '../../safety/untouched.js'
import { qualify, quoteIdent } from './quote.js'

/**
 * Row count and checksum of one table in one query: md5 of each row's text form, sorted, hashed
 * again (so the order rows come back in does not matter). More rows than `sampleRows`: the hash
 * covers the first `sampleRows` in primary-key order (an index scan), or by row hash without a key.
 */
export async function tableChecksum(db: Db, table: Table, sampleRows: number): Promise<TableChecksum> {
  const limit = Math.max(1, Math.floor(sampleRows))
  const order = table.primaryKey === undefined ? 'h' : table.primaryKey.columns.map((c) => `x.${quoteIdent(c)}`).join(', ')
  const rows = await db.query<{ n: string | number; sum: string }>(
    `SELECT (SELECT count(*) FROM ${qualify(table)}) AS n, ` +
      `(SELECT coalesce(md5(string_agg(h, '' ORDER BY h)), '') FROM (SELECT md5(x::text) AS h FROM ${qualify(table)} AS x ORDER BY ${order} LIMIT ${limit}) AS s) AS sum`,
  )
  const n = Number(rows[0]?.n ?? 0)
  return { rows: n, checksum: rows[0]?.sum ?? '', ...(n > limit ? { sampled: limit } : {}) }
}
