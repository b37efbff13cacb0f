import type { Driver } from '../dialects/dialect.js'
import type { Check, Column, ForeignKey, Index, Schema, Table, Unique } from '../schema/model.js'
import { emptySchema, qualifiedName } from '../schema/model.js'
import type { CopyLoss } from './codes.js'
import type { NeutralType } from './types.js'

/** One copied column: its name and its type on each side. */
export interface CopyColumn {
  readonly name: string
  readonly source: NeutralType
  readonly target: NeutralType
}

/** One table to copy: where it is on each side and how its rows are read and written. */
export interface CopyTable {
  /** Qualified source name, as the report and the checkpoint name it. */
  readonly name: string
  readonly source: Table
  readonly target: Table
  readonly columns: readonly CopyColumn[]
  /** Primary-key columns, the keyset rows are read in; empty: offset pagination (docs/copy.md). */
  readonly key: readonly string[]
  readonly identity: readonly string[]
  readonly alwaysIdentity: boolean
}

/** Records one loss. */
type Lose = (code: CopyLoss['code'], where: string, message: string) => void

export interface MappedSchema {
  /** The target schema once the copy is done. */
  readonly full: Schema
  /** The target schema the rows are loaded into: tables and keys, without secondary indexes (and unique and foreign keys where they are added afterwards). */
  readonly load: Schema
  readonly tables: readonly CopyTable[]
  readonly losses: readonly CopyLoss[]
}

/**
 * Translates the inspected `source` schema (already limited to the copied tables) into `target`'s
 * dialect through both dialects' type mappings, collecting everything that does not translate.
 * Pure.
 */
export function mapSchema(source: Schema, from: Driver, to: Driver): MappedSchema {
  const losses: CopyLoss[] = []
  const lose: Lose = (code, where, message) => void losses.push({ code, where, message })
  const namespace = to.capabilities.schemas ? (to.scope?.[0] ?? 'public') : undefined
  const names = new UniqueNames(source.tables.map((t) => t.name))
  const tables: CopyTable[] = []

  for (const table of source.tables) {
    const tableName = qualifiedName(table)
    const keyed = keyedColumns(table, source)
    const columns: CopyColumn[] = []
    const targetColumns: Column[] = []
    const checks: Check[] = []
    const key = table.primaryKey?.columns ?? []
    for (const column of table.columns) {
      const where = `${tableName}.${column.name}`
      const neutral = from.copy.toNeutral(column, source)
      const mapped = to.copy.fromNeutral(neutral, { keyed: keyed.has(column.name) })
      if (mapped.loss !== undefined) lose(mapped.loss.code, where, mapped.loss.reason)
      if (mapped.checkLabels !== undefined) {
        const labels = mapped.checkLabels.map((label) => `'${label.replace(/'/g, "''")}'`).join(', ')
        checks.push({ expression: `${to.quoteIdent(column.name)} IN (${labels})` })
      }
      const targetColumn: Column = { name: column.name, type: mapped.type, nullable: column.nullable && !key.includes(column.name) }
      const targetType = to.copy.toNeutral(targetColumn, emptySchema)
      columns.push({ name: column.name, source: neutral, target: targetType })
      targetColumns.push({ ...targetColumn, ...defaultOf(column, neutral, targetType, from, to, where, lose), ...identityOf(column, table, targetType, from, where, lose) })
      if (column.generated !== undefined) lose('CP109', where, `generated as ${column.generated.expression}`)
    }
    for (const check of table.checks) lose('CP106', `${tableName}${check.name === undefined ? '' : ` ${check.name}`}`, check.expression)

    const indexes: Index[] = []
    for (const index of table.indexes) {
      const translatable = index.where === undefined && index.parts.every((p) => p.column !== undefined) && (index.method === undefined || index.method === 'btree')
      if (!translatable) {
        lose('CP105', `${tableName} ${index.name}`, index.where !== undefined ? 'partial index' : index.method !== undefined && index.method !== 'btree' ? `${index.method} index` : 'expression index')
        continue
      }
      indexes.push({ name: names.take(index.name, table.name), unique: index.unique, parts: index.parts.map((p) => ({ column: p.column!, ...(p.desc === true ? { desc: true } : {}) })) })
    }
    const uniques: Unique[] = table.uniques.map((u) => ({ name: names.take(u.name ?? `${table.name}_${u.columns.join('_')}_key`, table.name), columns: u.columns }))
    const copied = new Set(source.tables.map((t) => t.name))
    const foreignKeys: ForeignKey[] = table.foreignKeys.filter((fk) => {
      if (!copied.has(fk.refTable)) lose('CP112', `${tableName}${fk.name === undefined ? '' : ` ${fk.name}`}`, `references ${fk.refTable}, which is not copied`)
      return copied.has(fk.refTable)
    }).map((fk) => ({
      name: names.take(fk.name ?? `${table.name}_${fk.columns.join('_')}_fkey`, table.name),
      columns: fk.columns,
      ...(namespace === undefined ? {} : { refSchema: namespace }),
      refTable: fk.refTable,
      refColumns: fk.refColumns,
      onDelete: fk.onDelete,
      onUpdate: fk.onUpdate,
    }))
    const target: Table = {
      ...(namespace === undefined ? {} : { schema: namespace }),
      name: table.name,
      columns: targetColumns,
      ...(key.length === 0 ? {} : { primaryKey: { columns: key } }),
      indexes,
      uniques,
      foreignKeys,
      checks,
      options: to.copy.tableOptions,
    }
    const identity = targetColumns.filter((c) => c.identity !== undefined).map((c) => c.name)
    tables.push({ name: tableName, source: table, target, columns, key, identity, alwaysIdentity: targetColumns.some((c) => c.identity?.always === true) })
  }
  for (const view of source.views) lose('CP107', qualifiedName(view), 'view definitions are not translated between dialects; recreate it on the target')
  for (const object of source.objects) {
    if (object.kind === 'schema' || object.kind === 'enum') continue
    lose('CP108', `${object.kind} ${qualifiedName(object)}`, 'not copied; recreate it on the target')
  }

  const full: Schema = { tables: tables.map((t) => t.target), views: [], objects: [] }
  const load: Schema = {
    ...full,
    tables: full.tables.map((t) => (to.copy.constraintsAfterLoad ? { ...t, indexes: [], uniques: [], foreignKeys: [] } : { ...t, indexes: [] })),
  }
  return { full, load, tables, losses }
}

function defaultOf(
  column: Column,
  source: NeutralType,
  target: NeutralType,
  from: Driver,
  to: Driver,
  where: string,
  lose: Lose,
): Pick<Column, 'default'> {
  // A serial column's nextval() default is its identity, which is mapped on its own.
  if (column.default === undefined || column.options?.serial !== undefined || column.generated !== undefined) return {}
  const neutral = from.copy.parseDefault(column.default, source)
  if (neutral === undefined || (neutral.kind === 'now' && target.kind !== 'timestamp')) {
    lose('CP104', where, `default ${column.default}`)
    return {}
  }
  return { default: to.copy.renderDefault(neutral, target) }
}

function identityOf(
  column: Column,
  table: Table,
  target: NeutralType,
  from: Driver,
  where: string,
  lose: Lose,
): Pick<Column, 'identity'> {
  const generated = column.options?.serial !== undefined || from.copy.generatesKey(table, column)
  const identity = column.identity ?? (generated ? { always: false } : undefined)
  if (identity === undefined) return {}
  // Every target keeps a counter on a single-column integer primary key; elsewhere not all do.
  const soleKey = table.primaryKey?.columns.length === 1 && table.primaryKey.columns[0] === column.name
  if (!soleKey || target.kind !== 'integer') {
    lose('CP111', where, 'identity outside a single-column integer primary key')
    return {}
  }
  return { identity }
}

/** Columns used by a key, index or foreign key of `table`, or referenced by another table's foreign key. */
function keyedColumns(table: Table, schema: Schema): Set<string> {
  const keyed = new Set<string>([...(table.primaryKey?.columns ?? []), ...table.uniques.flatMap((u) => u.columns), ...table.foreignKeys.flatMap((f) => f.columns)])
  for (const index of table.indexes) for (const part of index.parts) if (part.column !== undefined) keyed.add(part.column)
  for (const other of schema.tables) for (const fk of other.foreignKeys) if (fk.refTable === table.name) fk.refColumns.forEach((c) => keyed.add(c))
  return keyed
}

/**
 * Constraint and index names unique across the target database (PostgreSQL index names and MySQL
 * foreign-key names are database-wide, where the source may have scoped them to a table).
 */
class UniqueNames {
  private readonly used: Set<string>

  constructor(tables: readonly string[]) {
    this.used = new Set(tables.map((t) => t.toLowerCase()))
  }

  take(name: string, table: string): string {
    let candidate = this.used.has(name.toLowerCase()) ? `${table}_${name}` : name
    for (let n = 2; this.used.has(candidate.toLowerCase()); n++) candidate = `${table}_${name}_${n}`
    this.used.add(candidate.toLowerCase())
    return candidate
  }
}
