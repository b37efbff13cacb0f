import type { RawRows } from '../../db.js'

/** pg's `knex.raw` result is a pg `Result` (or an array of them for multi-statement text). */
export const pgRows: RawRows = (result) => {
  const last = Array.isArray(result) ? result[result.length - 1] : result
  const rows = (last as { rows?: unknown } | undefined)?.rows
  return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : []
}
