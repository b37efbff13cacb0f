import { createHash } from 'node:crypto'
import type { Driver } from '../dialects/dialect.js'
import { qualifiedName, type Schema, type Table } from '../schema/model.js'

/** The rows of one table, by primary key: a checksum of the compared columns of each row. */
export interface TableRows {
  readonly table: string
  readonly columns: readonly string[]
  readonly rows: ReadonlyMap<string, string>
}

/**
 * The tables to compare across a down: those with a primary key that exist before the up (`before`)
 * and after it (`after`), with the columns present in both whose type the migration keeps (a
 * column whose type it changes reads back differently even when no value was lost).
 */
export function comparableTables(before: Schema, after: Schema): { table: Table; columns: string[] }[] {
  const earlier = new Map(before.tables.map((t) => [qualifiedName(t), t]))
  const out: { table: Table; columns: string[] }[] = []
  for (const table of after.tables) {
    const old = earlier.get(qualifiedName(table))
    if (old === undefined || table.primaryKey === undefined) continue
    const columns = table.columns.filter((c) => old.columns.some((o) => o.name === c.name && o.type === c.type)).map((c) => c.name)
    if (table.primaryKey.columns.every((c) => columns.includes(c))) out.push({ table, columns })
  }
  return out
}

/** Reads `columns` of every row of `table` and checksums each row by its primary key. */
export async function readRows(driver: Driver, table: Table, columns: readonly string[]): Promise<TableRows> {
  const key = table.primaryKey?.columns ?? []
  const name = table.schema === undefined ? driver.quoteIdent(table.name) : `${driver.quoteIdent(table.schema)}.${driver.quoteIdent(table.name)}`
  const rows = await driver.db.query(`SELECT ${columns.map((c) => driver.quoteIdent(c)).join(', ')} FROM ${name}`)
  const sums = new Map<string, string>()
  for (const row of rows) {
    const id = JSON.stringify(key.map((c) => text(row[c])))
    sums.set(id, createHash('sha256').update(JSON.stringify(columns.map((c) => text(row[c])))).digest('hex'))
  }
  return { table: qualifiedName(table), columns, rows: sums }
}

/**
 * What the down did to the rows read before it, one line per table: rows gone (by primary key),
 * rows whose compared values changed. Columns the down removed are compared no further; the
 * schema check names them.
 */
export async function compareRows(driver: Driver, before: readonly TableRows[], afterSchema: Schema): Promise<string[]> {
  const problems: string[] = []
  const tables = new Map(afterSchema.tables.map((t) => [qualifiedName(t), t]))
  for (const snapshot of before) {
    if (snapshot.rows.size === 0) continue
    const table = tables.get(snapshot.table)
    if (table === undefined) continue
    const columns = snapshot.columns.filter((c) => table.columns.some((col) => col.name === c))
    if (columns.length !== snapshot.columns.length) continue
    const after = await readRows(driver, table, columns)
    const lost = [...snapshot.rows.keys()].filter((id) => !after.rows.has(id))
    const changed = [...snapshot.rows].filter(([id, sum]) => after.rows.has(id) && after.rows.get(id) !== sum).map(([id]) => id)
    if (lost.length > 0) problems.push(`table ${snapshot.table} lost ${lost.length} of ${snapshot.rows.size} rows (primary key ${lost.slice(0, 3).map(keyText).join(', ')}${lost.length > 3 ? ', …' : ''})`)
    if (changed.length > 0) problems.push(`table ${snapshot.table}: ${changed.length} of ${snapshot.rows.size} rows changed values (primary key ${changed.slice(0, 3).map(keyText).join(', ')}${changed.length > 3 ? ', …' : ''})`)
  }
  return problems
}

function keyText(id: string): string {
  const parts = JSON.parse(id) as string[]
  return parts.length === 1 ? (parts[0] ?? '') : `(${parts.join(', ')})`
}

/** A value as comparable text, the same whichever way a driver returns it. */
function text(value: unknown): string {
  if (value === null || value === undefined) return '\u0000NULL'
  if (value instanceof Date) return value.toISOString()
  if (Buffer.isBuffer(value)) return value.toString('hex')
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}
