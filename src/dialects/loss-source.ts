import type { Change, TableChange } from '../schema/changes.js'
import type { Schema } from '../schema/model.js'

type AlterTable = Extract<Change, { kind: 'alterTable' }>
type AlterColumn = Extract<TableChange, { kind: 'alterColumn' }>

/**
 * The name the table of `change` has BEFORE the migration runs. Value-loss predicates are
 * evaluated then (check-before guards run ahead of the first statement, lint counts on the live
 * database), but an alterTable names the table as the target does. A declared rename
 * (`renamedFrom`) is resolved against `current`: it applies only when `current` has the old name
 * and not the new one. Without `current` the target name is used.
 */
export function tableNameBefore(change: AlterTable, current: Schema | undefined, same: (a: string, b: string) => boolean): string {
  const { to } = change
  if (to.renamedFrom === undefined || current === undefined) return to.name
  const exists = (name: string): boolean =>
    current.tables.some((t) => (t.schema ?? '') === (to.schema ?? '') && same(t.name, name))
  return !exists(to.name) && exists(to.renamedFrom) ? to.renamedFrom : to.name
}

/** The name the column of `c` has BEFORE the migration: an alterColumn names it as the target does. */
export function columnNameBefore(change: AlterTable, c: AlterColumn): string {
  const rename = change.changes.find((r) => r.kind === 'renameColumn' && r.to.name === c.to.name)
  return rename?.kind === 'renameColumn' ? rename.from.name : c.from.name
}

/** `10^exponent` as an exact decimal literal (no float notation: MySQL reads `1e5` as a DOUBLE). */
export function powerOfTen(exponent: number): string {
  return exponent >= 0 ? `1${'0'.repeat(exponent)}` : `0.${'0'.repeat(-exponent - 1)}1`
}
