import { createHash } from 'node:crypto'
import type { Db } from '../../db.js'
import type { Table } from '../../schema/model.js'
import type { TableChecksum } from '../../safety/untouched.js'
import { quoteIdent } from './quote.js'

/**
 * Row count and checksum of one table. SQLite has no hash function, so it returns each row as its
 * values' SQL literals (`quote()`: NULL, numbers, 'text', X'blob', telling them apart) and the
 * rows are hashed here, sorted so row order does not matter. More rows than `sampleRows`: the
 * hash covers the first `sampleRows` in primary-key order (rowid order without a declared key).
 */
export async function tableChecksum(db: Db, table: Table, sampleRows: number): Promise<TableChecksum> {
  const limit = Math.max(1, Math.floor(sampleRows))
  const name = quoteIdent(table.name)
  const values = table.columns.map((c) => `quote(${quoteIdent(c.name)})`).join(` || ',' || `)
  const order = table.primaryKey === undefined ? '' : ` ORDER BY ${table.primaryKey.columns.map(quoteIdent).join(', ')}`
  const [count] = await db.query<{ n: number }>(`SELECT count(*) AS n FROM ${name}`)
  const rows = await db.query<{ r: string }>(`SELECT ${values} AS r FROM ${name}${order} LIMIT ${limit}`)
  const hashes = rows.map((row) => createHash('sha256').update(row.r).digest('hex')).sort()
  const n = Number(count?.n ?? 0)
  return { rows: n, checksum: createHash('sha256').update(hashes.join('')).digest('hex'), ...(n > limit ? { sampled: limit } : {}) }
}
