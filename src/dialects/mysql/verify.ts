import type { Db } from '../../db.js'
import type { SoundnessFinding } from '../../safety/soundness.js'
import { quoteIdent } from './quote.js'

interface KeyColumn {
  readonly name: string
  readonly tbl: string
  readonly col: string
  readonly ref_schema: string
  readonly ref_table: string
  readonly ref_col: string
}

/** CHECK TABLE answers that mean the table is fine. */
const HEALTHY = new Set(['ok', 'table is already up to date'])

/**
 * Reads only: rows whose foreign key references no parent (left by loads with
 * `foreign_key_checks = 0`), and what `CHECK TABLE` reports as broken in each base table.
 */
export async function verifyMysql(db: Db, database: string, exclude: readonly string[]): Promise<SoundnessFinding[]> {
  const findings: SoundnessFinding[] = []
  const keyColumns = await db.query<KeyColumn>(
    `SELECT CONSTRAINT_NAME AS name, TABLE_NAME AS tbl, COLUMN_NAME AS col, REFERENCED_TABLE_SCHEMA AS ref_schema,
            REFERENCED_TABLE_NAME AS ref_table, REFERENCED_COLUMN_NAME AS ref_col
       FROM information_schema.KEY_COLUMN_USAGE
      WHERE TABLE_SCHEMA = ? AND REFERENCED_TABLE_NAME IS NOT NULL
      ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION`,
    [database],
  )
  const keys = new Map<string, KeyColumn[]>()
  for (const column of keyColumns) {
    if (exclude.includes(column.tbl)) continue
    const key = `${column.tbl}\u0000${column.name}`
    keys.set(key, [...(keys.get(key) ?? []), column])
  }
  for (const columns of keys.values()) {
    const first = columns[0]
    if (first === undefined) continue
    const present = columns.map((c) => `c.${quoteIdent(c.col)} IS NOT NULL`).join(' AND ')
    const join = columns.map((c) => `p.${quoteIdent(c.ref_col)} = c.${quoteIdent(c.col)}`).join(' AND ')
    const counted = await db.query<{ n: number | string }>(
      `SELECT count(*) AS n FROM ${quoteIdent(first.tbl)} c WHERE ${present} AND NOT EXISTS (SELECT 1 FROM ${quoteIdent(first.ref_schema)}.${quoteIdent(first.ref_table)} p WHERE ${join})`,
    )
    const rows = Number(counted[0]?.n ?? 0)
    if (rows === 0) continue
    findings.push({
      kind: 'fk-orphans',
      table: first.tbl,
      object: first.name,
      rows,
      message: `${first.tbl}: foreign key ${first.name} (${columns.map((c) => c.col).join(', ')}) → ${first.ref_table}: ${rows} row${rows === 1 ? '' : 's'} reference${rows === 1 ? 's' : ''} a missing parent (loaded with foreign_key_checks = 0?); delete or fix them`,
    })
  }

  const tables = await db.query<{ name: string }>(`SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED') ORDER BY TABLE_NAME`, [database])
  for (const { name } of tables) {
    if (exclude.includes(name)) continue
    const report = await db.query<Record<string, unknown>>(`CHECK TABLE ${quoteIdent(name)}`)
    for (const row of report) {
      const type = String(row.Msg_type ?? row.MSG_TYPE ?? '').toLowerCase()
      const text = String(row.Msg_text ?? row.MSG_TEXT ?? '')
      if (type === 'error' || (type === 'status' && !HEALTHY.has(text.toLowerCase()))) {
        findings.push({ kind: 'check-table', table: name, message: `CHECK TABLE ${name}: ${text}; repair it (REPAIR TABLE, or rebuild with ALTER TABLE … FORCE) or restore from a backup` })
      }
    }
  }
  return findings
}
