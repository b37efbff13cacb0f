import type { Db } from '../db.js'

/** Where a page of rows goes: the quoted table and columns, and the columns' declared target types. */
export interface InsertTarget {
  readonly table: string
  readonly columns: readonly string[]
  readonly types: readonly string[]
  /** A column is GENERATED ALWAYS AS IDENTITY: explicit values need the dialect's override. */
  readonly alwaysIdentity: boolean
}

/** Bytes of values one INSERT statement carries at most (MySQL's max_allowed_packet defaults to 16–64 MiB). */
const STATEMENT_BYTES = 4 << 20

/**
 * Multi-row `INSERT … VALUES (?, …), (?, …)`: as many rows per statement as `maxParams` bind
 * parameters and about 4 MiB of values allow.
 */
export async function insertValues(db: Db, target: InsertTarget, rows: readonly (readonly unknown[])[], maxParams: number): Promise<void> {
  const head = `INSERT INTO ${target.table} (${target.columns.join(', ')}) VALUES `
  const placeholders = `(${target.columns.map(() => '?').join(', ')})`
  const perStatement = Math.max(1, Math.floor(maxParams / target.columns.length))
  let chunk: (readonly unknown[])[] = []
  let bytes = 0
  const flush = async () => {
    if (chunk.length > 0) await db.exec(head + chunk.map(() => placeholders).join(', '), chunk.flat())
    chunk = []
    bytes = 0
  }
  for (const row of rows) {
    const size = row.reduce<number>((sum, value) => sum + (typeof value === 'string' || Buffer.isBuffer(value) ? value.length : 8) + 4, 0)
    if (chunk.length >= perStatement || bytes + size > STATEMENT_BYTES) await flush()
    chunk.push(row)
    bytes += size
  }
  await flush()
}
