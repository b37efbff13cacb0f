import type { PlanOptions } from '../dialect.js'
import type { Change } from '../../schema/changes.js'
import { guardOf, type Statement, type ValueLoss } from '../../schema/plan.js'
import type { Schema, SchemaObject } from '../../schema/model.js'
import { UnsupportedChangeError } from '../../errors.js'
import { addCheck, createIndex, createView, dropCheck, dropIndex, dropView, viewExtras } from './ddl.js'
import { enumDependents } from './enum-dependents.js'
import { columnTypeOf, enumColumns, enumType, requalify, type EnumType } from './enum-type.js'
import { enumLabels } from './normalize.js'
import { label, stmt, type Ctx } from './plan-context.js'
import { qualify, quoteIdent, quoteLiteral } from './quote.js'

/**
 * Plans an enum change. Labels only added (each in its old order) become `ADD VALUE`; anything
 * else rebuilds the type (see rebuildEnum), guarded so that a migration meeting rows that hold a
 * removed label fails before its first statement. Either way the reverse rebuilds the type back.
 * Throws UnsupportedChangeError when a rebuild cannot carry a dependent object through.
 */
export function alterEnum(ctx: Ctx, change: Change, from: SchemaObject, to: SchemaObject): void {
  const q = qualify(to)
  const before = enumLabels(from.definition)
  const after = enumLabels(to.definition)
  const kept = after.filter((l) => before.includes(l))
  const appendOnly = before.every((l) => after.includes(l)) && kept.every((l, i) => l === before[i])
  const current = ctx.options.current
  if (appendOnly) {
    // ADD VALUE cannot be undone in place; the reverse rebuilds the type with the old labels, or
    // there is no reverse when something depends on the type that a rebuild cannot carry.
    // Note: on PostgreSQL 12+ ADD VALUE runs inside a transaction, but the new label cannot be used
    // until that transaction commits.
    let back: string[] = []
    let why = ''
    try {
      back = rebuildBack(current, ctx.changes, from, to)
    } catch (error) {
      if (!(error instanceof UnsupportedChangeError)) throw error
      why = ` (the down cannot remove it: ${error.message})`
    }
    const added = after.filter((l) => !before.includes(l))
    added.forEach((value, i) => {
      const next = after.slice(after.indexOf(value) + 1).find((l) => before.includes(l))
      const position = next === undefined ? '' : ` BEFORE ${quoteLiteral(next)}`
      const last = i === added.length - 1
      const comment = `add value ${value} to enum ${label(to)}${last ? why : ''}`
      ctx.out.push(stmt(change, `ALTER TYPE ${q} ADD VALUE ${quoteLiteral(value)}${position}`, last ? back : [], comment, last && why !== '' ? ['irreversible'] : []))
    })
    return
  }
  const forward = rebuildEnum(current, ctx.changes, from, to)
  const back = rebuildBack(current, ctx.changes, from, to)
  const guards = enumValueLosses(change, ctx.options).map(guardOf)
  forward.forEach((sql, i) => {
    // The whole reverse sits on the last statement, as for every multi-statement change.
    const statement: Statement = stmt(change, sql, i === forward.length - 1 ? back : [], `rebuild enum ${label(to)}`, ['rewrite'])
    ctx.out.push(guards.length === 0 ? statement : { ...statement, guards })
  })
}

/**
 * Rebuilds enum `from` as `to` on the database `schema` describes: renames the old type away,
 * creates the new one, converts every column of it (arrays too) through text, drops the old type.
 * What PostgreSQL stores with references to the old type is dropped first and recreated after:
 * views reading its columns, indexes and checks naming it, defaults.
 */
function rebuildEnum(schema: Schema | undefined, changes: readonly Change[], from: SchemaObject, to: SchemaObject): string[] {
  const type = enumType(schema, from)
  refuseAmbiguous(schema, type)
  const after = enumLabels(to.definition)
  const removed = enumLabels(from.definition).filter((l) => !after.includes(l))
  const columns = enumColumns(schema, type)
  const deps = enumDependents(schema, type, changes, removed)
  const q = qualify(to)
  const oldName = `${to.name}__old`.slice(0, 63)
  const sql = [`ALTER TYPE ${q} RENAME TO ${quoteIdent(oldName)}`, to.definition]
  for (const view of deps.views) sql.push(dropView(view))
  for (const { table, index } of deps.indexes) sql.push(dropIndex(table, index))
  for (const { table, check } of deps.checks) sql.push(dropCheck(table, check))
  for (const { table, column, array } of columns) {
    const col = `ALTER TABLE ${qualify(table)} ALTER COLUMN ${quoteIdent(column.name)}`
    const target = array ? `${q}[]` : q
    // The old default cannot be cast to the new type automatically; it is set again, naming the new type.
    if (column.default !== undefined) sql.push(`${col} DROP DEFAULT`)
    sql.push(`${col} TYPE ${target} USING ${quoteIdent(column.name)}::${array ? 'text[]' : 'text'}::${target}`)
    if (column.default !== undefined) sql.push(`${col} SET DEFAULT ${requalify(type, column.default)}`)
  }
  for (const { table, column } of deps.defaults) {
    sql.push(`ALTER TABLE ${qualify(table)} ALTER COLUMN ${quoteIdent(column.name)} SET DEFAULT ${requalify(type, column.default ?? '')}`)
  }
  for (const { table, check } of deps.checks) sql.push(addCheck(table, { ...check, expression: requalify(type, check.expression) }))
  for (const { table, index } of deps.indexes) {
    const parts = index.parts.map((p) => (p.expression === undefined ? p : { ...p, expression: requalify(type, p.expression) }))
    sql.push(createIndex(table, { ...index, parts, ...(index.where === undefined ? {} : { where: requalify(type, index.where) }) }))
  }
  for (const view of [...deps.views].reverse()) {
    const recreated = { ...view, definition: requalify(type, view.definition) }
    sql.push(createView(recreated), ...viewExtras(recreated))
  }
  sql.push(`DROP TYPE ${qualify({ schema: to.schema, name: oldName })}`)
  return sql
}

/**
 * The reverse of changing `from` into `to`: the rebuild back, which first fails, naming the column,
 * when a row holds a label it removes (a down file has no check-before lines; the up carries the
 * same checks as guards).
 */
function rebuildBack(schema: Schema | undefined, changes: readonly Change[], from: SchemaObject, to: SchemaObject): string[] {
  return [...losses(schema, to, from).map(failIfAny), ...rebuildEnum(schema, changes, to, from)]
}

/**
 * Two enums (or an enum and a domain) share the name in different schemas and a column names it
 * without a schema: which of them it uses depends on a search_path the plan does not know.
 */
function refuseAmbiguous(schema: Schema | undefined, type: EnumType): void {
  if (!type.ambiguous) return
  const bare = enumType(undefined, type.object)
  const column = (schema?.tables ?? [])
    .flatMap((t) => t.columns.map((c) => ({ t, c })))
    .find(({ c }) => columnTypeOf(bare, c.type) !== undefined && columnTypeOf(type, c.type) === undefined)
  if (column === undefined) return
  throw new UnsupportedChangeError(
    `enum ${label(type.object)} shares its name with a type in another schema, and column ${label(column.t)}.${column.c.name} names its type ` +
      `without a schema (${column.c.type}), so migrator cannot tell which columns the rebuild must convert; rename one of the types or write this migration by hand`,
  )
}

/** A statement that raises, naming the column, when some row would lose its value. */
function failIfAny(loss: ValueLoss): string {
  const message = `${loss.table}.${loss.column} ${loss.reason}: change those rows first`
  return `DO $migrator$BEGIN IF EXISTS (SELECT FROM ${loss.from} WHERE ${loss.where}) THEN RAISE EXCEPTION USING MESSAGE = ${quoteLiteral(message)}; END IF; END$migrator$`
}

/** The rows of the columns of `from` (on the database `schema` describes) holding a label `to` lacks. */
function losses(schema: Schema | undefined, from: SchemaObject, to: SchemaObject): ValueLoss[] {
  const after = enumLabels(to.definition)
  const removed = enumLabels(from.definition).filter((l) => !after.includes(l))
  if (removed.length === 0) return []
  const list = removed.map(quoteLiteral).join(', ')
  const reason = `holds label ${removed.map((l) => `'${l}'`).join(' or ')}, removed from enum ${label(to)}`
  return enumColumns(schema, enumType(schema, from)).map(({ table, column, array }) => ({
    table: label(table),
    column: column.name,
    from: qualify(table),
    where: array ? `${quoteIdent(column.name)}::text[] && ARRAY[${list}]::text[]` : `${quoteIdent(column.name)}::text IN (${list})`,
    reason,
  }))
}

/**
 * For an enum change that removes labels: one ValueLoss per column of the enum (or an array of it)
 * in `options.current`, true for the rows that hold a removed label (see Driver.valueLosses).
 */
export function enumValueLosses(change: Change, options: PlanOptions): ValueLoss[] {
  if (change.kind !== 'alterObject' || change.from.kind !== 'enum' || change.to.kind !== 'enum') return []
  return losses(options.current, change.from, change.to)
}
