import type { Driver } from '../dialects/dialect.js'
import type { CopyTable } from './map-schema.js'
import type { NeutralType } from './types.js'

/** One page of rows in the common text form, and where the next page starts. */
export interface Page {
  readonly rows: readonly (readonly (string | null)[])[]
  readonly key?: readonly string[]
  readonly offset?: number
}

/** Which side of a copied table to read: the table and column types as that side has them. */
export interface Side {
  readonly driver: Driver
  readonly table: { readonly schema?: string; readonly name: string }
  readonly types: readonly NeutralType[]
}

/**
 * Reads `table`'s rows from `side` in pages of `size`, in primary-key order from after `start`
 * (keyset pagination: each page is one indexed range scan, whatever the table's size). A table
 * without a primary key is read in pages ordered by all of its columns with LIMIT/OFFSET: slower
 * on large tables, and it relies on the table not changing while it is read. Memory holds one page.
 */
export async function* readPages(side: Side, table: CopyTable, size: number, start: { readonly key?: readonly string[]; readonly offset?: number }): AsyncGenerator<Page> {
  const { driver, types } = side
  const q = (name: string) => driver.quoteIdent(name)
  const from = side.table.schema === undefined ? q(side.table.name) : `${q(side.table.schema)}.${q(side.table.name)}`
  // Aliased by position: expressions would otherwise share result names (two to_char columns).
  const select = table.columns.map((c, i) => `${driver.copy.readExpression(q(c.name), types[i]!)} AS ${q(`c${i}`)}`).join(', ')
  const keyIndexes = table.key.map((k) => table.columns.findIndex((c) => c.name === k))
  const decode = (raw: Record<string, unknown>): (string | null)[] => types.map((type, i) => driver.copy.readValue(raw[`c${i}`], type))

  if (table.key.length === 0) {
    const order = table.columns.filter((_, i) => orderable(types[i]!)).map((c) => q(c.name))
    for (let offset = start.offset ?? 0; ; ) {
      const raw = await driver.db.query(`SELECT ${select} FROM ${from}${order.length === 0 ? '' : ` ORDER BY ${order.join(', ')}`} LIMIT ${size} OFFSET ${offset}`)
      if (raw.length === 0) return
      offset += raw.length
      yield { rows: raw.map(decode), offset }
      if (raw.length < size) return
    }
  }

  const keyList = table.key.map(q).join(', ')
  const after = table.key.length === 1 ? `${keyList} > ?` : `(${keyList}) > (${table.key.map(() => '?').join(', ')})`
  let key = start.key
  for (;;) {
    const params = key === undefined ? [] : key.map((value, i) => driver.copy.writeValue(value, types[keyIndexes[i]!]!))
    const raw = await driver.db.query(`SELECT ${select} FROM ${from}${key === undefined ? '' : ` WHERE ${after}`} ORDER BY ${keyList} LIMIT ${size}`, params)
    if (raw.length === 0) return
    const rows = raw.map(decode)
    const last = rows.at(-1)!
    key = keyIndexes.map((i) => last[i] ?? '')
    yield { rows, key }
    if (raw.length < size) return
  }
}

/** JSON documents and binary values have no order on every engine; the other columns suffice. */
function orderable(type: NeutralType): boolean {
  return type.kind !== 'json' && type.kind !== 'binary' && type.kind !== 'other'
}
