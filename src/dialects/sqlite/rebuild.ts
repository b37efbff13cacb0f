import { foldAscii } from '../../schema/plan.js'
import type { SchemaObject, Table } from '../../schema/model.js'
import { quoteIdent, quoteString } from './quote.js'
import { createIndexSql, createTableSql } from './render.js'

/** One step of a rebuild: its SQL and a short description for the statement comment. */
export interface RebuildStep {
  readonly sql: string
  readonly step: string
}

export interface RebuildInput {
  /** The table as it is now; `source` is its current name (it may differ after a rename). */
  readonly from: Table
  readonly source: string
  /** The table as it must become. */
  readonly to: Table
  /** Column renames: new name → old name. */
  readonly renames: ReadonlyMap<string, string>
  /** Triggers of the table to recreate afterwards (DROP TABLE drops them). */
  readonly triggers: readonly SchemaObject[]
}

/**
 * The documented 12-step table rebuild (https://www.sqlite.org/lang_altertable.html#otheralter):
 * create the new definition under a temporary name, copy the rows, drop the old table, rename the
 * new one into place, recreate indexes and triggers. `legacy_alter_table=ON` keeps the RENAME from
 * re-parsing views that reference the table (they point at the name, which exists again at the
 * end). Foreign-key enforcement is off and `foreign_key_check` runs before COMMIT: the Db
 * transaction does both, because PRAGMA foreign_keys cannot change inside a transaction.
 *
 * A column added as NOT NULL without a default is left out of the copy, so the INSERT fails with
 * SQLite's NOT NULL error when the table has rows, instead of inventing data.
 */
export function rebuildSteps(input: RebuildInput): RebuildStep[] {
  const { from, to, source } = input
  const temp = `_migrator_new_${to.name}`
  const fromColumns = new Map(from.columns.map((c) => [foldAscii(c.name), c.name]))
  // A column renamed away no longer feeds a new column of its old name.
  const renamedAway = new Set([...input.renames.values()].map(foldAscii))
  const targets: string[] = []
  const values: string[] = []
  for (const column of to.columns) {
    if (column.generated !== undefined) continue
    const renamed = input.renames.get(column.name)
    const sameName = renamedAway.has(foldAscii(column.name)) ? undefined : fromColumns.get(foldAscii(column.name))
    const old = renamed ?? sameName
    if (old === undefined || !fromColumns.has(foldAscii(old))) continue
    targets.push(quoteIdent(column.name))
    values.push(quoteIdent(old))
  }
  // Keep rowids when no INTEGER PRIMARY KEY carries them: triggers, FTS content tables and
  // applications may refer to rows by rowid.
  const rowid = keepsRowid(from, to) ? rowidName(from, to) : undefined
  if (rowid !== undefined) {
    targets.unshift(rowid)
    values.unshift(rowid)
  }
  const steps: RebuildStep[] = [
    { sql: 'PRAGMA legacy_alter_table=ON', step: 'keep views untouched by the rename' },
    { sql: createTableSql(to, temp), step: 'create the new table' },
  ]
  if (targets.length > 0) {
    steps.push({
      sql: `INSERT INTO ${quoteIdent(temp)} (${targets.join(', ')}) SELECT ${values.join(', ')} FROM ${quoteIdent(source)}`,
      step: 'copy the rows',
    })
  }
  if (from.columns.some((c) => c.identity !== undefined) && to.columns.some((c) => c.identity !== undefined)) {
    // AUTOINCREMENT never reuses an id: carry the old high-water mark over instead of the copy's max.
    steps.push(
      { sql: `DELETE FROM sqlite_sequence WHERE name = ${quoteString(temp)}`, step: 'keep the AUTOINCREMENT counter' },
      { sql: `UPDATE sqlite_sequence SET name = ${quoteString(temp)} WHERE name = ${quoteString(source)}`, step: 'keep the AUTOINCREMENT counter' },
    )
  }
  steps.push(
    { sql: `DROP TABLE ${quoteIdent(source)}`, step: 'drop the old table' },
    { sql: `ALTER TABLE ${quoteIdent(temp)} RENAME TO ${quoteIdent(to.name)}`, step: 'rename the new table' },
    ...to.indexes.map((index) => ({ sql: createIndexSql(to.name, index), step: `recreate index ${quoteIdent(index.name)}` })),
    ...input.triggers.map((t) => ({ sql: t.definition, step: `recreate trigger ${quoteIdent(t.name)}` })),
    { sql: 'PRAGMA legacy_alter_table=OFF', step: 'restore ALTER TABLE behaviour' },
  )
  return steps
}

/**
 * True when the table has an INTEGER PRIMARY KEY, i.e. a column that is the rowid (not when it is
 * declared `INTEGER PRIMARY KEY DESC` on the column: SQLite's documented exception).
 */
export function hasRowidAlias(table: Table): boolean {
  const pk = table.primaryKey
  if (table.options.withoutRowid === true || pk === undefined || pk.columns.length !== 1) return false
  if (pk.options?.columnConstraint === true) return false
  const column = table.columns.find((c) => c.name === pk.columns[0])
  return column?.type === 'integer'
}

function keepsRowid(from: Table, to: Table): boolean {
  return from.options.withoutRowid !== true && to.options.withoutRowid !== true && !hasRowidAlias(to)
}

/** A rowid spelling no column shadows. */
function rowidName(from: Table, to: Table): string | undefined {
  const taken = new Set([...from.columns, ...to.columns].map((c) => foldAscii(c.name)))
  return ['rowid', '_rowid_', 'oid'].find((n) => !taken.has(n))
}
