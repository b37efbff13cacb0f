import type { Driver } from '../dialects/dialect.js'
import { MigratorError } from '../errors.js'
import type { CopyCheckpoint, TablePosition } from './checkpoint.js'
import type { CopyTable } from './map-schema.js'
import type { InsertTarget } from './insert.js'
import { readPages } from './read.js'

export interface LoadProgress {
  readonly table: string
  readonly copied: number
}

/**
 * Copies `table`'s rows from `source` into `target`, from where `position` says the last run
 * stopped. Each page of rows goes in through the target's bulk insert, in one transaction with the
 * table's checkpoint row; the next page is read while the previous one is written. Returns the
 * rows copied in all (this run and earlier ones).
 */
export async function loadTable(
  table: CopyTable,
  source: Driver,
  target: Driver,
  checkpoint: CopyCheckpoint,
  position: TablePosition | undefined,
  batch: number,
  progress: (event: LoadProgress) => void,
): Promise<number> {
  if (position?.done === true) return position.copied
  const targetTypes = table.columns.map((c) => c.target)
  const into: InsertTarget = {
    table: tableName(target, table.target),
    columns: table.columns.map((c) => target.quoteIdent(c.name)),
    types: table.columns.map((c) => table.target.columns.find((t) => t.name === c.name)!.type),
    alwaysIdentity: table.alwaysIdentity,
  }
  let copied = position?.copied ?? 0
  progress({ table: table.name, copied })

  const pages = readPages({ driver: source, table: table.source, types: table.columns.map((c) => c.source) }, table, batch, position ?? {})
  let next = pages.next()
  for (;;) {
    const page = await next
    if (page.done === true) break
    next = pages.next()
    copied += page.value.rows.length
    const reached: TablePosition = { ...(page.value.key === undefined ? {} : { key: page.value.key }), ...(page.value.offset === undefined ? {} : { offset: page.value.offset }), copied, done: false }
    if (target.copy.roundsDecimals) for (const row of page.value.rows) refuseRounding(table, row)
    const values = page.value.rows.map((row) => row.map((value, i) => (value === null ? null : target.copy.writeValue(value, targetTypes[i]!))))
    await target.db.transaction(async (tx) => {
      await target.copy.insertRows(tx, into, values)
      await checkpoint.save(tx, table.name, reached)
    })
    progress({ table: table.name, copied })
  }
  await target.db.transaction((tx) => checkpoint.save(tx, table.name, { copied, done: true }))
  return copied
}

/**
 * Stops the copy at a decimal with more fraction digits than its target column keeps, which the
 * target would round without an error (SQLite never enforces a declared scale, so a source column
 * can hold such values).
 */
function refuseRounding(table: CopyTable, row: readonly (string | null)[]): void {
  table.columns.forEach((column, i) => {
    const value = row[i]
    if (column.target.kind !== 'decimal' || column.target.scale === undefined || value == null) return
    const point = value.indexOf('.')
    if (point < 0 || value.length - point - 1 <= column.target.scale) return
    throw new MigratorError(
      'copy-value-rounded',
      `${table.name}.${column.name} holds ${value}, more decimal places than the target's ${column.target.scale} (it would be rounded); round it on the source, or give the target column a larger scale (copy --schema-only, alter it, then copy --data-only)`,
    )
  })
}

export function tableName(driver: Driver, table: { readonly schema?: string; readonly name: string }): string {
  return table.schema === undefined ? driver.quoteIdent(table.name) : `${driver.quoteIdent(table.schema)}.${driver.quoteIdent(table.name)}`
}
