import { hash } from 'node:crypto'
import type { Driver } from '../dialects/dialect.js'
import type { CopyTable } from './map-schema.js'
import { readPages, type Side } from './read.js'
import type { NeutralType } from './types.js'
import { proofText } from './values.js'

/** One table's proof: row counts and checksums on both sides. */
export interface ProofRow {
  readonly table: string
  readonly sourceRows: number
  readonly targetRows: number
  readonly sourceChecksum: string
  readonly targetChecksum: string
  readonly match: boolean
}

const MASK = (1n << 64n) - 1n

/**
 * Counts and checksums `table` on both sides, in parallel. The checksum is order independent: the
 * sum (mod 2^64) of a hash (the first 64 bits of MD5: accidental collisions, not attackers, are the concern) of each row's values in the common text form, floats compared at the
 * precision of the source column (values.ts). Rows stream through in keyset pages: memory holds
 * one page per side.
 */
export async function proveTable(table: CopyTable, source: Driver, target: Driver, batch: number): Promise<ProofRow> {
  const sourceTypes = table.columns.map((c) => c.source)
  const [s, t] = await Promise.all([
    digest({ driver: source, table: table.source, types: sourceTypes }, table, batch),
    digest({ driver: target, table: table.target, types: table.columns.map((c) => c.target) }, table, batch),
  ])
  return { table: table.name, sourceRows: s.rows, targetRows: t.rows, sourceChecksum: s.checksum, targetChecksum: t.checksum, match: s.rows === t.rows && s.checksum === t.checksum }
}

async function digest(side: Side, table: CopyTable, batch: number): Promise<{ rows: number; checksum: string }> {
  const sourceTypes = table.columns.map((c) => c.source)
  let rows = 0
  let sum = 0n
  for await (const page of readPages(side, table, batch, {})) {
    for (const row of page.rows) {
      sum = (sum + hash('md5', rowText(row, sourceTypes), 'buffer').readBigUInt64BE(0)) & MASK
      rows++
    }
  }
  return { rows, checksum: sum.toString(16).padStart(16, '0') }
}

/** A row's values, each as its length and text (NULL as `-`), so no two rows' texts run together. */
function rowText(row: readonly (string | null)[], types: readonly NeutralType[]): string {
  let text = ''
  for (let i = 0; i < row.length; i++) {
    const value = row[i]
    if (value === null || value === undefined) text += '-;'
    else {
      const shown = proofText(value, types[i]!)
      text += `${shown.length}:${shown};`
    }
  }
  return text
}
