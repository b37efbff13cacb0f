import type { Driver } from '../dialects/dialect.js'
import type { CopyCheckpoint, TablePosition } from './checkpoint.js'
import type { CopyTable } from './map-schema.js'
import { readPages } from './read.js'

/** Bytes of values one INSERT statement carries at most (MySQL's max_allowed_packet defaults to 16–64 MiB). */
const STATEMENT_BYTES = 4 << 20

export interface LoadProgress {
  readonly table: string
  readonly copied: number
}

/**
 * Copies `table`'s rows from `source` into `target`, from where `position` says the last run
 * stopped. Each page of rows goes in as multi-row INSERTs sized to the target's bind-parameter
 * limit, in one transaction with the table's checkpoint row; the next page is read while the
 * previous one is written. Returns the rows copied in all (this run and earlier ones).
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
  const head = target.copy.insertHead(tableName(target, table.target), table.columns.map((c) => target.quoteIdent(c.name)), table.alwaysIdentity)
  const perStatement = Math.max(1, Math.floor(target.copy.maxParams / table.columns.length))
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
    await target.db.transaction(async (tx) => {
      for (const chunk of statements(page.value.rows, perStatement)) {
        const params = chunk.flatMap((row) => row.map((value, i) => (value === null ? null : target.copy.writeValue(value, targetTypes[i]!))))
        const placeholders = `(${table.columns.map(() => '?').join(', ')})`
        await tx.exec(head + chunk.map(() => placeholders).join(', '), params)
      }
      await checkpoint.save(tx, table.name, reached)
    })
    progress({ table: table.name, copied })
  }
  await target.db.transaction((tx) => checkpoint.save(tx, table.name, { copied, done: true }))
  return copied
}

/** `rows` cut into statements of at most `perStatement` rows and about STATEMENT_BYTES of values. */
function* statements(rows: readonly (readonly (string | null)[])[], perStatement: number): Generator<(readonly (string | null)[])[]> {
  let chunk: (readonly (string | null)[])[] = []
  let bytes = 0
  for (const row of rows) {
    const size = row.reduce((sum, value) => sum + (value?.length ?? 4) + 4, 0)
    if (chunk.length > 0 && (chunk.length >= perStatement || bytes + size > STATEMENT_BYTES)) {
      yield chunk
      chunk = []
      bytes = 0
    }
    chunk.push(row)
    bytes += size
  }
  if (chunk.length > 0) yield chunk
}

export function tableName(driver: Driver, table: { readonly schema?: string; readonly name: string }): string {
  return table.schema === undefined ? driver.quoteIdent(table.name) : `${driver.quoteIdent(table.schema)}.${driver.quoteIdent(table.name)}`
}
