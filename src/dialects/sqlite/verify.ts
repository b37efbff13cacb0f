import type { SoundnessFinding } from '../../safety/soundness.js'
import type { SqliteDb } from './connect.js'

/**
 * `PRAGMA integrity_check` (corrupt pages, index entries that disagree with their table) and
 * `PRAGMA foreign_key_check` (rows whose parent is missing, e.g. inserted with foreign_keys off).
 * Both only read.
 */
export async function verifySqlite(db: SqliteDb, exclude: readonly string[]): Promise<SoundnessFinding[]> {
  const findings: SoundnessFinding[] = []
  const integrity = await db.query<{ integrity_check: string }>('PRAGMA integrity_check')
  for (const row of integrity) {
    if (row.integrity_check !== 'ok') findings.push({ kind: 'integrity', message: `integrity_check: ${row.integrity_check}; restore from a backup or rebuild the damaged table or index` })
  }
  const orphans = await db.query<{ table: string; rowid: number | null; parent: string; fkid: number }>('PRAGMA foreign_key_check')
  const byKey = new Map<string, { table: string; parent: string; rowids: (number | null)[] }>()
  for (const row of orphans) {
    if (exclude.includes(row.table)) continue
    const key = `${row.table}\u0000${row.fkid}`
    const entry = byKey.get(key) ?? { table: row.table, parent: row.parent, rowids: [] }
    entry.rowids.push(row.rowid)
    byKey.set(key, entry)
  }
  for (const { table, parent, rowids } of byKey.values()) {
    const shown = rowids.slice(0, 5).map((r) => (r === null ? '?' : String(r))).join(', ')
    findings.push({
      kind: 'fk-orphans',
      table,
      object: `foreign key to ${parent}`,
      rows: rowids.length,
      message: `${rowids.length} row${rowids.length === 1 ? '' : 's'} of ${table} reference${rowids.length === 1 ? 's' : ''} a missing row of ${parent} (rowid ${shown}${rowids.length > 5 ? ', …' : ''}); delete or fix them`,
    })
  }
  return findings
}
