import type { Db } from '../../db.js'
import type { Table } from '../../schema/model.js'
import type { TableChecksum } from '../../safety/untouched.js'
import { quoteIdent } from './quote.js'

/**
 * Row count and checksum of one table in one query. Each row's values are QUOTE()d (NULL reads as
 * the word NULL, a string as a quoted literal) as bytes, so columns of different collations join
 * without a collation error, and md5-hashed; the sum and the XOR of two halves of the hashes do
 * not depend on row order (MySQL has no ordered string aggregate without a length cap). More rows
 * than `sampleRows`: the hash covers the first `sampleRows` in primary-key order.
 */
export async function tableChecksum(db: Db, table: Table, sampleRows: number): Promise<TableChecksum> {
  const limit = Math.max(1, Math.floor(sampleRows))
  const name = quoteIdent(table.name)
  const values = table.columns.map((c) => `CAST(QUOTE(x.${quoteIdent(c.name)}) AS BINARY)`).join(', ')
  const order = table.primaryKey === undefined ? 'h' : table.primaryKey.columns.map((c) => `x.${quoteIdent(c)}`).join(', ')
  const part = (from: number) => `CAST(CONV(SUBSTRING(h, ${from}, 16), 16, 10) AS UNSIGNED)`
  const rows = await db.query<{ n: string | number; sum: string | null }>(
    `SELECT (SELECT COUNT(*) FROM ${name}) AS n, ` +
      `(SELECT CONCAT(COALESCE(SUM(${part(1)}), 0), ':', COALESCE(BIT_XOR(${part(17)}), 0)) ` +
      `FROM (SELECT MD5(CONCAT_WS(',', ${values})) AS h FROM ${name} AS x ORDER BY ${order} LIMIT ${limit}) AS s) AS sum`,
  )
  const n = Number(rows[0]?.n ?? 0)
  return { rows: n, checksum: String(rows[0]?.sum ?? ''), ...(n > limit ? { sampled: limit } : {}) }
}
