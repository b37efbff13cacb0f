import type { Driver } from '../dialects/dialect.js'
import { MigratorError } from '../errors.js'
import { diffSchemas } from '../schema/diff.js'
import type { Schema, Table } from '../schema/model.js'
import type { MappedSchema } from './map-schema.js'

const key = (name: string) => name.toLowerCase()
const sameColumns = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((c, i) => key(c) === key(b[i]!))

/**
 * The statements that bring `current` (the target as inspected, or as planned so far) up to
 * `want`: tables that are missing, and the indexes, unique keys and foreign keys missing from
 * tables that exist. Nothing is ever dropped or altered; so a resumed copy continues where a killed
 * one stopped, whichever statement it was killed in.
 */
export function catchUpStatements(target: Driver, current: Schema, want: Schema): string[] {
  const live = new Map(current.tables.map((t) => [key(t.name), t]))
  const from: Schema = {
    tables: want.tables.flatMap((table) => {
      const existing = live.get(key(table.name))
      return existing === undefined ? [] : [presentParts(table, existing)]
    }),
    views: [],
    objects: [],
  }
  const desired: Schema = { ...want, objects: [] }
  const { changes } = diffSchemas(from, desired, { capabilities: target.capabilities })
  return target.plan(changes, { current: from, desired }).statements.map((s) => s.sql)
}

/** `table` as planned, keeping only the secondary parts `existing` already has. */
function presentParts(table: Table, existing: Table): Table {
  const indexNames = new Set(existing.indexes.map((i) => key(i.name)))
  const uniqueColumns = [...existing.uniques.map((u) => u.columns), ...existing.indexes.filter((i) => i.unique).map((i) => i.parts.map((p) => p.column ?? ''))]
  return {
    ...table,
    indexes: table.indexes.filter((i) => indexNames.has(key(i.name))),
    uniques: table.uniques.filter((u) => uniqueColumns.some((columns) => sameColumns(columns, u.columns))),
    foreignKeys: table.foreignKeys.filter((fk) => existing.foreignKeys.some((e) => key(e.refTable) === key(fk.refTable) && sameColumns(e.columns, fk.columns))),
  }
}

/** A fresh copy needs an empty target: nothing is overwritten or mixed with existing rows. */
export function assertEmpty(current: Schema, target: Driver): void {
  const names = [...current.tables, ...current.views].map((t) => t.name)
  if (names.length === 0) return
  throw new MigratorError(
    'copy-target-not-empty',
    `target ${target.url.redacted} is not empty (${names.length} tables or views: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}); copy into an empty database, or pass --data-only to fill an existing schema with the same tables`,
  )
}

/**
 * `--data-only` and `--verify-only`: every copied table exists on the target with the same columns,
 * of the same kind of type, as the mapping would have created. Throws naming the first mismatch.
 */
export function assertMatches(current: Schema, mapped: MappedSchema, target: Driver, mode: string): MappedSchema {
  const live = new Map(current.tables.map((t) => [key(t.name), t]))
  const tables = mapped.tables.map((table) => {
    const existing = live.get(key(table.name.split('.').pop()!))
    const fix = `the target must have the tables a copy creates (run migrator copy --schema-only first, or copy without ${mode})`
    if (existing === undefined) throw new MigratorError('copy-schema-mismatch', `table ${table.target.name} does not exist on target ${target.url.redacted}; ${fix}`)
    const columns = table.columns.map((column) => {
      const other = existing.columns.find((c) => key(c.name) === key(column.name))
      if (other === undefined) throw new MigratorError('copy-schema-mismatch', `column ${table.target.name}.${column.name} does not exist on target ${target.url.redacted}; ${fix}`)
      const type = target.copy.toNeutral(other, current)
      if (type.kind !== column.target.kind) {
        throw new MigratorError('copy-schema-mismatch', `column ${table.target.name}.${column.name} is ${other.type} on target ${target.url.redacted}, where the copy maps the source to ${column.target.kind}; ${fix}`)
      }
      return { ...column, target: type }
    })
    return { ...table, columns, target: { ...table.target, schema: existing.schema, name: existing.name } }
  })
  return { ...mapped, tables }
}
