import type { Change, TableChange } from '../../schema/changes.js'
import { assertNever } from '../../schema/changes.js'
import type { Column, ForeignKey, Schema, SchemaObject, Table } from '../../schema/model.js'
import { UnsupportedChangeError } from '../../errors.js'
import type { PlanOptions } from '../dialect.js'
import { foldAscii, guardOf, type Plan, type Risk, type Statement } from '../../schema/plan.js'
import { definitionKey } from './definition-key.js'
import { columnValueLosses } from './lossy.js'
import { isConstantLiteral } from './normalize.js'
import { quoteIdent } from './quote.js'
import { rebuildSteps } from './rebuild.js'
import { columnSql, createIndexSql, createTableSql, dropIndexSql } from './render.js'
import { identValue, tokenize } from './tokenize.js'

interface Context {
  readonly current?: Schema
  readonly desired?: Schema
  /** Tables renamed earlier in the same plan: old name (lower case) → new name. */
  readonly renamedTables: Map<string, string>
}

/** A statement before its reverse is attached. */
interface Step {
  readonly sql: string
  readonly comment: string
  readonly risks: readonly Risk[]
}

/**
 * Forward SQL for each change, in the given order, each statement paired with the statements that
 * restore the structure. Pure: no queries. Table changes use ALTER TABLE where SQLite can express
 * them and the 12-step rebuild (rebuild.ts) otherwise. A group of statements that implements one
 * table change carries the whole group's reverse on its last statement.
 */
export function planChanges(changes: readonly Change[], options: PlanOptions = {}): Plan {
  const ctx: Context = { current: options.current, desired: options.desired, renamedTables: new Map() }
  return { statements: changes.flatMap((change) => planChange(change, ctx)), transactional: true }
}

function planChange(change: Change, ctx: Context): Statement[] {
  const s = (sql: string, reverse: readonly string[], comment: string, risks: readonly Risk[] = []): Statement => ({
    sql,
    reverse,
    source: change,
    risks,
    comment,
  })
  switch (change.kind) {
    case 'createTable': {
      const t = change.table
      return [
        s(createTableSql(t), [`DROP TABLE ${quoteIdent(t.name)}`], `create table ${quoteIdent(t.name)}`),
        ...t.indexes.map((i) => s(createIndexSql(t.name, i), [dropIndexSql(i)], `create index ${quoteIdent(i.name)} on ${quoteIdent(t.name)}`)),
      ]
    }
    case 'dropTable': {
      const t = change.table
      return [
        s(`DROP TABLE ${quoteIdent(t.name)}`, [createTableSql(t), ...t.indexes.map((i) => createIndexSql(t.name, i))], `drop table ${quoteIdent(t.name)}`, ['data-loss']),
      ]
    }
    case 'renameTable': {
      const { from, to } = change
      ctx.renamedTables.set(foldAscii(from.name), to.name)
      const comment = `rename table ${quoteIdent(from.name)} to ${quoteIdent(to.name)}`
      if (foldAscii(from.name) !== foldAscii(to.name)) {
        return [s(renameTableSql(from.name, to.name), [renameTableSql(to.name, from.name)], comment)]
      }
      // SQLite refuses a rename onto the same name in other letter case ("there is already another
      // table … with this name"): go through a temporary name.
      const temp = `_migrator_rename_${to.name}`
      return [
        s(renameTableSql(from.name, temp), [], `${comment}: to a temporary name`),
        s(renameTableSql(temp, to.name), [renameTableSql(to.name, temp), renameTableSql(temp, from.name)], comment),
      ]
    }
    case 'alterTable': {
      const steps = alterSteps(change, ctx)
      const reverse = alterSteps(invert(change), { current: ctx.desired, desired: ctx.current, renamedTables: new Map() })
      // A rebuild converts every copied value to its new column's affinity; the copy carries the
      // check-before guards against the values it would not keep.
      const guards = columnValueLosses(change, { current: ctx.current }).map(guardOf)
      const copy = steps.findIndex((step) => step.sql.startsWith('INSERT INTO '))
      return steps.map((step, i) => {
        const statement = s(step.sql, i === steps.length - 1 ? reverse.map((r) => r.sql) : [], step.comment, step.risks)
        return guards.length > 0 && i === Math.max(copy, 0) ? { ...statement, guards } : statement
      })
    }
    case 'createView':
      return [s(change.view.definition, [`DROP VIEW ${quoteIdent(change.view.name)}`], `create view ${quoteIdent(change.view.name)}`)]
    case 'dropView':
      return [s(`DROP VIEW ${quoteIdent(change.view.name)}`, [change.view.definition], `drop view ${quoteIdent(change.view.name)}`)]
    case 'createObject':
      return [s(change.object.definition, [dropObjectSql(change.object)], `create ${describeObject(change.object)}`)]
    case 'dropObject':
      return [s(dropObjectSql(change.object), [change.object.definition], `drop ${describeObject(change.object)}`, dropRisks(change.object))]
    case 'alterObject':
      return [
        s(dropObjectSql(change.from), [change.from.definition], `replace ${describeObject(change.from)}: drop`, dropRisks(change.from)),
        s(change.to.definition, [dropObjectSql(change.to)], `replace ${describeObject(change.to)}: create`),
      ]
    default:
      return assertNever(change)
  }
}

function renameTableSql(from: string, to: string): string {
  return `ALTER TABLE ${quoteIdent(from)} RENAME TO ${quoteIdent(to)}`
}

function dropObjectSql(object: SchemaObject): string {
  switch (object.kind) {
    // IF EXISTS: a trigger dies with its table, so a rebuild or drop may have removed it already.
    case 'trigger':
      return `DROP TRIGGER IF EXISTS ${quoteIdent(object.name)}`
    case 'other':
      return `DROP TABLE ${quoteIdent(object.name)}`
    default:
      throw new UnsupportedChangeError(
        `SQLite has no ${object.kind} objects (${object.name}); remove it from the target schema`,
      )
  }
}

function describeObject(object: SchemaObject): string {
  return `${object.kind === 'other' ? 'virtual table' : object.kind} ${quoteIdent(object.name)}`
}

function dropRisks(object: SchemaObject): Risk[] {
  return object.kind === 'other' ? ['data-loss'] : []
}

/** The change that undoes `change`. */
function invert(change: Change & { kind: 'alterTable' }): Change & { kind: 'alterTable' } {
  const changes = [...change.changes].reverse().map((c): TableChange => {
    switch (c.kind) {
      case 'addColumn':
        return { kind: 'dropColumn', column: c.column }
      case 'dropColumn':
        return { kind: 'addColumn', column: c.column }
      case 'alterColumn':
        return { kind: 'alterColumn', from: c.to, to: c.from, aspects: c.aspects }
      case 'renameColumn':
        return { kind: 'renameColumn', from: c.to, to: c.from }
      case 'addIndex':
        return { kind: 'dropIndex', index: c.index }
      case 'dropIndex':
        return { kind: 'addIndex', index: c.index }
      case 'renameIndex':
        return { kind: 'renameIndex', from: c.to, to: c.from }
      case 'addUnique':
        return { kind: 'dropUnique', unique: c.unique }
      case 'dropUnique':
        return { kind: 'addUnique', unique: c.unique }
      case 'addForeignKey':
        return { kind: 'dropForeignKey', foreignKey: c.foreignKey }
      case 'dropForeignKey':
        return { kind: 'addForeignKey', foreignKey: c.foreignKey }
      case 'addCheck':
        return { kind: 'dropCheck', check: c.check }
      case 'dropCheck':
        return { kind: 'addCheck', check: c.check }
      case 'addPrimaryKey':
        return { kind: 'dropPrimaryKey', primaryKey: c.primaryKey }
      case 'dropPrimaryKey':
        return { kind: 'addPrimaryKey', primaryKey: c.primaryKey }
      case 'alterComment':
        return { kind: 'alterComment', from: c.to, to: c.from }
      case 'alterOptions':
        return { kind: 'alterOptions', from: c.to, to: c.from }
      default:
        return assertNever(c)
    }
  })
  return { kind: 'alterTable', from: change.to, to: change.from, changes }
}

/** Column aspects SQLite does not store; changing them needs no statement (`options` hold NOT NULL ON CONFLICT). */
const UNSTORED_ASPECTS = new Set(['comment'])

function alterSteps(change: Change & { kind: 'alterTable' }, ctx: Context): Step[] {
  const source = ctx.renamedTables.get(foldAscii(change.from.name)) ?? change.from.name
  return simpleSteps(change, source, ctx) ?? rebuild(change, source, ctx)
}

/** ALTER TABLE / CREATE INDEX / DROP INDEX statements, or undefined when a rebuild is needed. */
function simpleSteps(change: Change & { kind: 'alterTable' }, source: string, ctx: Context): Step[] | undefined {
  const { from, to } = change
  if (source !== to.name) return undefined
  const table = quoteIdent(to.name)
  const addedColumns = new Set(change.changes.flatMap((c) => (c.kind === 'addColumn' ? [c.column.name] : [])))
  // An FK on one new nullable column without a default can ride on ADD COLUMN … REFERENCES.
  const inlineFks = new Map<string, ForeignKey>()
  for (const c of change.changes) {
    if (c.kind !== 'addForeignKey') continue
    const column = c.foreignKey.columns.length === 1 ? c.foreignKey.columns[0]! : undefined
    const added = to.columns.find((col) => col.name === column)
    if (column === undefined || !addedColumns.has(column) || added?.default !== undefined || inlineFks.has(column)) return undefined
    inlineFks.set(column, c.foreignKey)
  }
  const droppedIndexes = new Set(
    change.changes.flatMap((c) => (c.kind === 'dropIndex' ? [c.index.name] : c.kind === 'renameIndex' ? [c.from.name] : [])),
  )

  const drops: Step[] = []
  const renames: Step[] = []
  const columnDrops: Step[] = []
  const adds: Step[] = []
  const creates: Step[] = []
  for (const c of change.changes) {
    switch (c.kind) {
      case 'addColumn':
        if (!canAddColumn(to, c.column)) return undefined
        adds.push({
          sql: `ALTER TABLE ${table} ADD COLUMN ${columnSql(to, c.column, inlineFks.get(c.column.name))}`,
          comment: `add column ${quoteIdent(c.column.name)} to ${table}`,
          risks: [],
        })
        break
      case 'dropColumn':
        if (!canDropColumn(from, c.column, droppedIndexes, ctx)) return undefined
        columnDrops.push({
          sql: `ALTER TABLE ${table} DROP COLUMN ${quoteIdent(c.column.name)}`,
          comment: `drop column ${quoteIdent(c.column.name)} from ${table}`,
          risks: ['data-loss'],
        })
        break
      case 'renameColumn':
        renames.push({
          sql: `ALTER TABLE ${table} RENAME COLUMN ${quoteIdent(c.from.name)} TO ${quoteIdent(c.to.name)}`,
          comment: `rename column ${quoteIdent(c.from.name)} of ${table} to ${quoteIdent(c.to.name)}`,
          risks: [],
        })
        break
      case 'alterColumn':
        if (!c.aspects.every((a) => UNSTORED_ASPECTS.has(a))) return undefined
        break
      case 'addIndex':
        creates.push({ sql: createIndexSql(to.name, c.index), comment: `create index ${quoteIdent(c.index.name)} on ${table}`, risks: [] })
        break
      case 'dropIndex':
        drops.push({ sql: dropIndexSql(c.index), comment: `drop index ${quoteIdent(c.index.name)}`, risks: [] })
        break
      case 'renameIndex':
        // SQLite has no ALTER INDEX … RENAME.
        drops.push({ sql: dropIndexSql(c.from), comment: `rename index ${quoteIdent(c.from.name)}: drop`, risks: [] })
        creates.push({ sql: createIndexSql(to.name, c.to), comment: `rename index ${quoteIdent(c.from.name)}: create ${quoteIdent(c.to.name)}`, risks: [] })
        break
      case 'addForeignKey':
      case 'alterComment':
        break
      case 'dropForeignKey':
      case 'addUnique':
      case 'dropUnique':
      case 'addCheck':
      case 'dropCheck':
      case 'addPrimaryKey':
      case 'dropPrimaryKey':
      case 'alterOptions':
        return undefined
      default:
        return assertNever(c)
    }
  }
  return [...drops, ...renames, ...columnDrops, ...adds, ...creates]
}

/** ALTER TABLE ADD COLUMN restrictions: https://www.sqlite.org/lang_altertable.html#altertabaddcol */
function canAddColumn(table: Table, column: Column): boolean {
  if (table.primaryKey?.columns.includes(column.name) === true || column.identity !== undefined) return false
  if (table.uniques.some((u) => u.columns.includes(column.name))) return false
  if (column.generated !== undefined) return !column.generated.stored && column.nullable
  if (column.default !== undefined && !isConstantLiteral(column.default)) return false
  if (!column.nullable) return column.default !== undefined && !/^null$/i.test(column.default)
  return true
}

/**
 * ALTER TABLE DROP COLUMN restrictions: https://www.sqlite.org/lang_altertable.html#altertabdropcol.
 * Views and triggers are checked in both schemas, conservatively: a false "used" only costs a rebuild.
 */
function canDropColumn(table: Table, column: Column, droppedIndexes: ReadonlySet<string>, ctx: Context): boolean {
  const name = column.name
  const used = (text: string | undefined) => text !== undefined && mentions(text, name)
  const same = (n: string) => foldAscii(n) === foldAscii(name)
  if (table.primaryKey?.columns.some(same) === true) return false
  if (table.uniques.some((u) => u.columns.some(same))) return false
  if (table.foreignKeys.some((fk) => fk.columns.some(same))) return false
  if (table.checks.some((c) => used(c.expression))) return false
  if (table.columns.some((c) => c.name !== name && used(c.generated?.expression))) return false
  const indexes = table.indexes.filter((i) => !droppedIndexes.has(i.name))
  if (indexes.some((i) => used(i.where) || i.parts.some((p) => (p.column !== undefined && same(p.column)) || used(p.expression)))) {
    return false
  }
  const definitions = [ctx.current, ctx.desired].flatMap((schema) => [
    ...(schema?.views ?? []).map((v) => v.definition),
    ...(schema?.objects ?? []).filter((o) => o.kind === 'trigger').map((o) => o.definition),
  ])
  return !definitions.some(used)
}

/** True when `sql` names the identifier `name` (any quoting, case-insensitive). */
function mentions(sql: string, name: string): boolean {
  const wanted = foldAscii(name)
  return tokenize(sql).some((t) => (t.kind === 'word' || t.kind === 'ident') && foldAscii(identValue(t)) === wanted)
}

function rebuild(change: Change & { kind: 'alterTable' }, source: string, ctx: Context): Step[] {
  const { from, to } = change
  const renames = new Map(change.changes.flatMap((c) => (c.kind === 'renameColumn' ? [[c.to.name, c.from.name] as const] : [])))
  const reasons = change.changes.map(describe).filter((r) => r !== '')
  const base = `rebuild table ${quoteIdent(to.name)} (${reasons.join(', ')})`
  const losesData = change.changes.some((c) => c.kind === 'dropColumn')
  return rebuildSteps({ from, source, to, renames, triggers: triggersToRecreate(from, source, ctx) }).map((step) => ({
    sql: step.sql,
    comment: `${base}: ${step.step}`,
    risks: losesData && step.sql.startsWith('DROP TABLE') ? ['rewrite', 'data-loss'] : ['rewrite'],
  }))
}

/** The table's triggers that exist unchanged in both schemas; changed ones are the differ's business. */
function triggersToRecreate(table: Table, source: string, ctx: Context): SchemaObject[] {
  const names = new Set([foldAscii(table.name), foldAscii(source)])
  const onTable = (ctx.current?.objects ?? []).filter((o) => o.kind === 'trigger' && names.has(foldAscii(o.table ?? '')))
  if (ctx.desired === undefined) return onTable
  return onTable.filter((t) =>
    ctx.desired!.objects.some((d) => d.kind === 'trigger' && foldAscii(d.name) === foldAscii(t.name) && definitionKey(d.definition) === definitionKey(t.definition)),
  )
}

function describe(c: TableChange): string {
  switch (c.kind) {
    case 'addColumn':
      return `add column ${quoteIdent(c.column.name)}`
    case 'dropColumn':
      return `drop column ${quoteIdent(c.column.name)}`
    case 'alterColumn':
      return `change ${c.aspects.join('/')} of column ${quoteIdent(c.to.name)}`
    case 'renameColumn':
      return `rename column ${quoteIdent(c.from.name)} to ${quoteIdent(c.to.name)}`
    case 'addIndex':
      return `add index ${quoteIdent(c.index.name)}`
    case 'dropIndex':
      return `drop index ${quoteIdent(c.index.name)}`
    case 'renameIndex':
      return `rename index ${quoteIdent(c.from.name)} to ${quoteIdent(c.to.name)}`
    case 'addUnique':
    case 'dropUnique':
      return `${c.kind === 'addUnique' ? 'add' : 'drop'} unique (${c.unique.columns.map(quoteIdent).join(', ')})`
    case 'addForeignKey':
    case 'dropForeignKey':
      return `${c.kind === 'addForeignKey' ? 'add' : 'drop'} foreign key (${c.foreignKey.columns.map(quoteIdent).join(', ')}) → ${quoteIdent(c.foreignKey.refTable)}`
    case 'addCheck':
    case 'dropCheck':
      return `${c.kind === 'addCheck' ? 'add' : 'drop'} check ${c.check.name === undefined ? `(${c.check.expression})` : quoteIdent(c.check.name)}`
    case 'addPrimaryKey':
    case 'dropPrimaryKey':
      return `${c.kind === 'addPrimaryKey' ? 'add' : 'drop'} primary key (${c.primaryKey.columns.map(quoteIdent).join(', ')})`
    case 'alterComment':
      return ''
    case 'alterOptions':
      return 'change table options'
    default:
      return assertNever(c)
  }
}
