import type { PlanOptions } from '../dialect.js'
import { guardOf, type Plan, type Risk } from '../../schema/plan.js'
import type { Change, TableChange } from '../../schema/changes.js'
import { assertNever } from '../../schema/changes.js'
import type { Check, Column, ForeignKey, Options, PrimaryKey, Schema, SchemaObject, Table, Unique, View } from '../../schema/model.js'
import { UnsupportedChangeError } from '../../errors.js'
import { alterEnum } from './enum-plan.js'
import { alterColumnLosses } from './lossy.js'
import { createIndex, createView, dropIndex, dropView, viewComment, viewExtras } from './ddl.js'
import { commentOnObject, createObject, dropObject, objectComment } from './object-ddl.js'
import { alterPolicy } from './policy.js'
import { recreateFunction, replaceable } from './function-plan.js'
import { identitySetClauses } from './identity.js'
import { commentIn, commentOnConstraint, commentOnIndex, commentOnlyViews, foldCommentChanges, rejoinForeignKeyComments } from './key-comments.js'
import { sameValue } from '../../schema/equal.js'
import { label, stmt, tokenIn, type Ctx } from './plan-context.js'
import { qualify, quoteIdent, quoteLiteral } from './quote.js'
import { needsUsing } from './type-family.js'

/**
 * Turns changes into PostgreSQL statements, each paired with the statements that undo it.
 * Pure: everything it needs is in the changes and the two whole schemas of `options`.
 *
 * Foreign keys of created tables are emitted after every other statement of the plan, so tables
 * may reference each other in any order (cycles included) without the caller detaching them.
 */
export function plan(changes: readonly Change[], options: PlanOptions = {}): Plan {
  const ordered = reorder(rejoinForeignKeyComments(changes), options.desired)
  const viewComments = commentOnlyViews(ordered)
  const ctx: Ctx = { changes: ordered.filter((c) => !viewComments.has(c)), options, out: [], deferred: [], transactional: true }
  for (const change of ordered) {
    const was = viewComments.get(change)
    if (was === undefined) planChange(ctx, change)
    else if (change.kind === 'createView') ctx.out.push(stmt(change, viewComment(change.view), [viewComment(was)], `comment on view ${label(change.view)}`))
  }
  return { statements: [...ctx.out, ...ctx.deferred], transactional: ctx.transactional }
}

/**
 * PostgreSQL-specific ordering on top of the neutral order:
 * - functions (and aggregates, operators) that mention no table or view of the desired schema are
 *   created before the first table (or the first domain that calls one), because generated
 *   columns, defaults, checks, expression indexes and domain constraints may call them;
 * - a partition is created after its parent and dropped before it.
 */
export function reorder(changes: readonly Change[], desired: Schema | undefined): Change[] {
  const names = [...(desired?.tables ?? []), ...(desired?.views ?? [])].map((t) => t.name)
  const created = changes.filter((c): c is Change & { kind: 'createObject' } => c.kind === 'createObject' && c.object.kind === 'function')
  const baseName = (o: SchemaObject): string => o.name.replace(/\(.*$/, '')
  const uses = (a: SchemaObject, b: SchemaObject): boolean => a !== b && tokenIn(a.definition, baseName(b))
  // Independent: mentions no table or view, and no function that is not independent itself.
  const independentSet = new Set(created.filter((c) => !names.some((n) => tokenIn(c.object.definition, n))))
  for (let changed = true; changed; ) {
    changed = false
    for (const c of independentSet) {
      if (created.some((o) => !independentSet.has(o) && uses(c.object, o.object))) {
        independentSet.delete(c)
        changed = true
      }
    }
  }
  const independent = (c: Change): boolean => independentSet.has(c as Change & { kind: 'createObject' })
  const isTable = (c: Change): boolean => c.kind === 'createTable' || c.kind === 'alterTable' || c.kind === 'renameTable'
  // A domain's CHECK or DEFAULT may call one too; domains are created before tables.
  const domainCalling = (c: Change): boolean => {
    const domain = c.kind === 'createObject' ? c.object : c.kind === 'alterObject' ? c.to : undefined
    return domain?.kind === 'domain' && [...independentSet].some((f) => tokenIn(domain.definition, baseName(f.object)))
  }
  const firstTable = changes.findIndex((c) => isTable(c) || domainCalling(c))
  // Only functions that come after the first table change move; earlier ones are already early enough.
  const hoisted = firstTable < 0 ? [] : changes.slice(firstTable).filter(independent)
  const rest = changes.filter((c) => !hoisted.includes(c))
  const out = firstTable < 0 ? [...changes] : [...rest.slice(0, firstTable), ...hoisted, ...rest.slice(firstTable)]

  // SQL-language bodies are checked at creation: a function comes after the functions it calls.
  const slots = out.map((c, i) => (created.includes(c as Change & { kind: 'createObject' }) ? i : -1)).filter((i) => i >= 0)
  const inSlots = slots.map((i) => out[i] as Change & { kind: 'createObject' })
  const sorted: (Change & { kind: 'createObject' })[] = []
  const visiting = new Set<Change>()
  const visit = (c: Change & { kind: 'createObject' }): void => {
    if (sorted.includes(c) || visiting.has(c)) return
    visiting.add(c)
    for (const d of inSlots) if (uses(c.object, d.object)) visit(d)
    sorted.push(c)
  }
  for (const c of inSlots) visit(c)
  slots.forEach((slot, k) => {
    out[slot] = sorted[k]!
  })

  const parentOf = (t: Table): string | undefined => (typeof t.options.partitionOf === 'string' ? t.options.partitionOf : undefined)
  // Move each partition's createTable right after its parent's, and each partition's dropTable before its parent's.
  for (let i = 0; i < out.length; i++) {
    const c = out[i]!
    if (c.kind !== 'createTable' && c.kind !== 'dropTable') continue
    const parent = parentOf(c.table)
    if (parent === undefined) continue
    const p = out.findIndex((o) => o.kind === c.kind && qualify(o.table) === parent)
    if (p < 0) continue
    if (c.kind === 'createTable' && p > i) {
      out.splice(i, 1)
      out.splice(p, 0, c)
      i--
    } else if (c.kind === 'dropTable' && p < i) {
      out.splice(i, 1)
      out.splice(p, 0, c)
    }
  }
  return out
}

function planChange(ctx: Ctx, change: Change): void {
  switch (change.kind) {
    case 'createTable': {
      const parts = createTableStatements(change.table)
      for (const s of parts.main) ctx.out.push(stmt(change, s.sql, s.reverse, s.comment))
      for (const s of parts.foreignKeys) ctx.deferred.push(stmt(change, s.sql, s.reverse, s.comment))
      return
    }
    case 'dropTable': {
      const parts = createTableStatements(change.table)
      const restore = [...parts.main, ...parts.foreignKeys].map((s) => s.sql)
      ctx.out.push(stmt(change, `DROP TABLE ${qualify(change.table)}`, restore, `drop table ${label(change.table)}`, ['data-loss']))
      return
    }
    case 'renameTable':
      return renameTable(ctx, change, change.from, change.to)
    case 'alterTable':
      return alterTable(ctx, change, change.from, change.to, change.changes)
    case 'createView':
      ctx.out.push(stmt(change, createView(change.view), [dropView(change.view)], `create view ${label(change.view)}`))
      for (const s of viewExtras(change.view)) ctx.out.push(stmt(change, s, [], `index or comment on view ${label(change.view)}`))
      return
    case 'dropView':
      ctx.out.push(
        stmt(change, dropView(change.view), [createView(change.view), ...viewExtras(change.view)], `drop view ${label(change.view)}`),
      )
      return
    case 'createObject': {
      const [create = '', ...comment] = createObject(change.object)
      ctx.out.push(stmt(change, create, [dropObject(change.object)], `create ${change.object.kind} ${label(change.object)}`))
      for (const sql of comment) ctx.out.push(stmt(change, sql, [], `comment on ${change.object.kind} ${label(change.object)}`))
      return
    }
    case 'dropObject':
      ctx.out.push(
        stmt(change, dropObject(change.object), createObject(change.object), `drop ${change.object.kind} ${label(change.object)}`, risksOfObjectDrop(change.object)),
      )
      return
    case 'alterObject':
      return alterObject(ctx, change, change.from, change.to)
    default:
      return assertNever(change)
  }
}

// ---------------------------------------------------------------- tables

interface Sql {
  readonly sql: string
  readonly reverse: readonly string[]
  readonly comment: string
}

function columnDefinition(column: Column): string {
  const serial = column.options?.serial
  let sql = `${quoteIdent(column.name)} ${typeof serial === 'string' ? serial : column.type}`
  if (column.collation !== undefined) sql += ` COLLATE ${column.collation}`
  if (column.generated !== undefined) sql += ` GENERATED ALWAYS AS (${column.generated.expression}) STORED`
  if (column.identity !== undefined) sql += ` ${identityClause(column)}`
  if (column.default !== undefined && column.generated === undefined) sql += ` DEFAULT ${column.default}`
  if (!column.nullable && column.identity === undefined && typeof serial !== 'string') sql += ' NOT NULL'
  return sql
}

/** `GENERATED BY DEFAULT AS IDENTITY (START WITH 100)`: with the sequence options that are not the defaults. */
function identityClause(column: Column): string {
  const options = stringOption(column.options?.identity)
  return `GENERATED ${column.identity?.always === true ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY${options === undefined ? '' : ` (${options})`}`
}

function stringOption(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined
}

function pkName(table: Table, pk: PrimaryKey): string {
  return pk.name ?? `${table.name}_pkey`.slice(0, 63)
}

function uniqueName(table: Table, unique: Unique): string {
  return unique.name ?? `${table.name}_${unique.columns.join('_')}_key`.slice(0, 63)
}

function checkName(table: Table, check: Check, i: number): string {
  return check.name ?? `${table.name}_check${i === 0 ? '' : i}`.slice(0, 63)
}

function fkName(table: Table, fk: ForeignKey): string {
  return fk.name ?? `${table.name}_${fk.columns.join('_')}_fkey`.slice(0, 63)
}

function columnList(columns: readonly string[]): string {
  return columns.map(quoteIdent).join(', ')
}

function uniqueClause(unique: Unique): string {
  const nulls = unique.options?.nullsNotDistinct === true ? ' NULLS NOT DISTINCT' : ''
  const deferrable = unique.options?.deferrable
  return `UNIQUE${nulls} (${columnList(unique.columns)})${typeof deferrable === 'string' ? ` DEFERRABLE INITIALLY ${deferrable}` : ''}`
}

function checkClause(check: Check): string {
  return `CHECK (${check.expression})${check.options?.noInherit === true ? ' NO INHERIT' : ''}`
}

function foreignKeyClause(fk: ForeignKey): string {
  let sql = `FOREIGN KEY (${columnList(fk.columns)}) REFERENCES ${qualify({ schema: fk.refSchema, name: fk.refTable })} (${columnList(fk.refColumns)})`
  if (fk.options?.match === 'FULL') sql += ' MATCH FULL'
  if (fk.onUpdate !== 'NO ACTION') sql += ` ON UPDATE ${fk.onUpdate}`
  if (fk.onDelete !== 'NO ACTION') sql += ` ON DELETE ${fk.onDelete}`
  if (fk.deferrable !== undefined) sql += ` DEFERRABLE INITIALLY ${fk.deferrable}`
  return sql
}

function exclusionConstraints(table: Table): [string, string][] {
  return Object.entries(table.options)
    .filter(([key, value]) => key.startsWith('exclude:') && typeof value === 'string')
    .map(([key, value]) => [key.slice('exclude:'.length), String(value)])
}

/** The statements that create `table` as inspected; foreign keys separately (they may point forward). */
function createTableStatements(table: Table): { main: Sql[]; foreignKeys: Sql[] } {
  const q = qualify(table)
  const items = table.columns.map(columnDefinition)
  if (table.primaryKey !== undefined) {
    items.push(`CONSTRAINT ${quoteIdent(pkName(table, table.primaryKey))} PRIMARY KEY (${columnList(table.primaryKey.columns)})`)
  }
  for (const u of table.uniques) items.push(`CONSTRAINT ${quoteIdent(uniqueName(table, u))} ${uniqueClause(u)}`)
  table.checks.forEach((c, i) => items.push(`CONSTRAINT ${quoteIdent(checkName(table, c, i))} ${checkClause(c)}`))
  for (const [name, def] of exclusionConstraints(table)) items.push(`CONSTRAINT ${quoteIdent(name)} ${def}`)
  let sql = `CREATE ${table.options.unlogged === true ? 'UNLOGGED ' : ''}TABLE ${q} (\n  ${items.join(',\n  ')}\n)`
  if (typeof table.options.partitionBy === 'string') sql += ` PARTITION BY ${table.options.partitionBy}`
  if (typeof table.options.with === 'string') sql += ` WITH (${table.options.with})`
  const main: Sql[] = [{ sql, reverse: [`DROP TABLE ${q}`], comment: `create table ${label(table)}` }]
  const parent = table.options.partitionOf
  if (typeof parent === 'string') {
    main.push({
      sql: `ALTER TABLE ${parent} ATTACH PARTITION ${q} ${String(table.options.partitionBound)}`,
      reverse: [`ALTER TABLE ${parent} DETACH PARTITION ${q}`],
      comment: `attach partition ${label(table)}`,
    })
  }
  for (const index of table.indexes) {
    main.push({ sql: createIndex(table, index, false), reverse: [dropIndex(table, index)], comment: `create index ${index.name}` })
    const indexComment = commentIn(index.options)
    if (indexComment !== undefined) main.push({ sql: commentOnIndex(table, index.name, indexComment), reverse: [], comment: `comment on index ${index.name}` })
  }
  const keyComments: [string, string | undefined][] = [
    ...(table.primaryKey === undefined ? [] : [[pkName(table, table.primaryKey), commentIn(table.primaryKey.options)] as [string, string | undefined]]),
    ...table.uniques.map((u): [string, string | undefined] => [uniqueName(table, u), commentIn(u.options)]),
    ...table.checks.map((c, i): [string, string | undefined] => [checkName(table, c, i), commentIn(c.options)]),
  ]
  for (const [name, comment] of keyComments) {
    if (comment !== undefined) main.push({ sql: commentOnConstraint(table, name, comment), reverse: [], comment: `comment on constraint ${table.name}.${name}` })
  }
  for (const [key, on] of ROW_SECURITY) {
    if (table.options[key] === true) main.push({ sql: `ALTER TABLE ${q} ${on}`, reverse: [], comment: `${on.toLowerCase()} on ${label(table)}` })
  }
  if (table.comment !== undefined) {
    main.push({ sql: `COMMENT ON TABLE ${q} IS ${quoteLiteral(table.comment)}`, reverse: [], comment: `comment on table ${label(table)}` })
  }
  for (const column of table.columns) {
    if (column.comment === undefined) continue
    main.push({ sql: columnComment(table, column.name, column.comment), reverse: [], comment: `comment on column ${table.name}.${column.name}` })
  }
  const foreignKeys = table.foreignKeys.flatMap((fk): Sql[] => {
    const name = fkName(table, fk)
    const add: Sql = {
      sql: `ALTER TABLE ${q} ADD CONSTRAINT ${quoteIdent(name)} ${foreignKeyClause(fk)}${fk.options?.notValid === true ? ' NOT VALID' : ''}`,
      reverse: [dropConstraint(table, name)],
      comment: `add foreign key ${table.name}.${name}`,
    }
    const comment = commentIn(fk.options)
    return comment === undefined ? [add] : [add, { sql: commentOnConstraint(table, name, comment), reverse: [], comment: `comment on constraint ${table.name}.${name}` }]
  })
  return { main, foreignKeys }
}

function columnComment(table: Table, column: string, comment: string | undefined): string {
  return `COMMENT ON COLUMN ${qualify(table)}.${quoteIdent(column)} IS ${comment === undefined ? 'NULL' : quoteLiteral(comment)}`
}

function dropConstraint(table: Table, name: string): string {
  return `ALTER TABLE ${qualify(table)} DROP CONSTRAINT ${quoteIdent(name)}`
}

function renameTable(ctx: Ctx, change: Change, from: Table, to: Table): void {
  const fromQ = qualify(from)
  if (from.name !== to.name) {
    ctx.out.push(
      stmt(
        change,
        `ALTER TABLE ${fromQ} RENAME TO ${quoteIdent(to.name)}`,
        [`ALTER TABLE ${qualify({ schema: from.schema, name: to.name })} RENAME TO ${quoteIdent(from.name)}`],
        `rename table ${label(from)} to ${to.name}`,
      ),
    )
  }
  if (from.schema !== to.schema && to.schema !== undefined) {
    const renamed = qualify({ schema: from.schema, name: to.name })
    ctx.out.push(
      stmt(
        change,
        `ALTER TABLE ${renamed} SET SCHEMA ${quoteIdent(to.schema)}`,
        [`ALTER TABLE ${qualify(to)} SET SCHEMA ${quoteIdent(from.schema ?? 'public')}`],
        `move table ${label(from)} to schema ${to.schema}`,
      ),
    )
  }
}

// Which type changes keep the stored bytes (no table rewrite): the binary-coercible widenings.
function typeChangeRewrites(from: string, to: string): boolean {
  if (from === to) return false
  const varchar = /^character varying(?:\((\d+)\))?$/
  const fv = varchar.exec(from)
  if (fv !== null) {
    if (to === 'text') return false
    const tv = varchar.exec(to)
    if (tv !== null) return tv[1] !== undefined && (fv[1] === undefined || Number(tv[1]) < Number(fv[1]))
  }
  if (from === 'text' && to === 'character varying') return false
  const numeric = /^numeric(?:\((\d+),(\d+)\))?$/
  const fn = numeric.exec(from)
  const tn = numeric.exec(to)
  if (fn !== null && tn !== null) {
    if (tn[1] === undefined) return false
    return fn[1] === undefined || fn[2] !== tn[2] || Number(tn[1]) < Number(fn[1])
  }
  return true
}

/** Volatile defaults and generated/identity values are computed per existing row: a rewrite. */
function addColumnRewrites(column: Column): boolean {
  if (column.generated !== undefined || column.identity !== undefined || column.options?.serial !== undefined) return true
  return column.default !== undefined && /\b(nextval|random|gen_random_uuid|uuid_generate_v[14]|clock_timestamp|timeofday)\s*\(/i.test(column.default)
}

/**
 * Views of `current` that read the columns an alterTable retypes or drops; PostgreSQL refuses while
 * they exist. Views of every schema count (a view in `reports` may read `public.t`): a view that
 * only mentions a same-named table elsewhere is re-created needlessly, never left in the way.
 */
function dependentViews(ctx: Ctx, from: Table, changes: readonly TableChange[]): View[] {
  const touched: string[] = []
  for (const c of changes) {
    if (c.kind === 'dropColumn') touched.push(c.column.name)
    if (c.kind === 'alterColumn' && (c.aspects.includes('type') || c.aspects.includes('collation') || c.aspects.includes('generated'))) {
      touched.push(c.from.name)
    }
  }
  if (touched.length === 0) return []
  const views = ctx.options.current?.views ?? []
  return views.filter(
    (v) =>
      tokenIn(v.definition, from.name) &&
      touched.some((col) => tokenIn(v.definition, col)) &&
      !ctx.changes.some((c) => c.kind === 'dropView' && sameItem(c.view, v)),
  )
}

function sameItem(a: { readonly schema?: string; readonly name: string }, b: { readonly schema?: string; readonly name: string }): boolean {
  return a.name === b.name && (a.schema ?? 'public') === (b.schema ?? 'public')
}

function findView(schema: Schema | undefined, view: View): View | undefined {
  return schema?.views.find((v) => sameItem(v, view))
}

const TABLE_CHANGE_ORDER: Readonly<Record<TableChange['kind'], number>> = {
  dropForeignKey: 0,
  dropCheck: 1,
  dropUnique: 2,
  dropIndex: 3,
  dropPrimaryKey: 4,
  renameColumn: 5,
  addColumn: 6,
  alterColumn: 7,
  dropColumn: 8,
  addPrimaryKey: 9,
  addUnique: 10,
  addCheck: 11,
  renameIndex: 12,
  addIndex: 13,
  addForeignKey: 14,
  alterComment: 15,
  alterOptions: 16,
}

function alterTable(ctx: Ctx, change: Change, from: Table, to: Table, changes: readonly TableChange[]): void {
  const views = dependentViews(ctx, from, changes)
  for (const v of views) {
    ctx.out.push(stmt(change, dropView(v), [createView(v), ...viewExtras(v)], `drop dependent view ${label(v)}`))
  }
  const folded = foldCommentChanges(changes)
  const ordered = [...folded.changes].sort((a, b) => TABLE_CHANGE_ORDER[a.kind] - TABLE_CHANGE_ORDER[b.kind])
  for (const c of ordered) tableChange(ctx, change, from, to, c)
  for (const k of folded.comments) {
    const on = (comment: string | undefined): string => (k.on === 'index' ? commentOnIndex(to, k.name, comment) : commentOnConstraint(to, k.name, comment))
    ctx.out.push(stmt(change, on(k.to), [on(k.from)], `comment on ${k.on} ${to.name}.${k.name}`))
  }
  for (const v of views) {
    const desired = findView(ctx.options.desired, v)
    if (desired === undefined || ctx.changes.some((c) => c.kind === 'createView' && sameItem(c.view, v))) continue
    ctx.out.push(stmt(change, createView(desired), [dropView(desired)], `recreate view ${label(desired)}`))
    for (const s of viewExtras(desired)) ctx.out.push(stmt(change, s, [], `index or comment on view ${label(desired)}`))
  }
}

function tableChange(ctx: Ctx, change: Change, from: Table, to: Table, c: TableChange): void {
  const q = qualify(to)
  const push = (sql: string, reverse: readonly string[], comment: string, risks: readonly Risk[] = []): void => {
    ctx.out.push(stmt(change, sql, reverse, comment, risks))
  }
  const t = to.name
  const keyComment = (name: string, options: Options | undefined): void => {
    const comment = commentIn(options)
    if (comment !== undefined) push(commentOnConstraint(to, name, comment), [], `comment on constraint ${t}.${name}`)
  }
  const restoreComment = (name: string, options: Options | undefined): string[] => {
    const comment = commentIn(options)
    return comment === undefined ? [] : [commentOnConstraint(from, name, comment)]
  }
  switch (c.kind) {
    case 'addColumn': {
      push(`ALTER TABLE ${q} ADD COLUMN ${columnDefinition(c.column)}`, [`ALTER TABLE ${q} DROP COLUMN ${quoteIdent(c.column.name)}`], `add column ${t}.${c.column.name}`, addColumnRewrites(c.column) ? ['rewrite'] : [])
      if (c.column.comment !== undefined) push(columnComment(to, c.column.name, c.column.comment), [], `comment on column ${t}.${c.column.name}`)
      return
    }
    case 'dropColumn': {
      const restore = [`ALTER TABLE ${q} ADD COLUMN ${columnDefinition(c.column)}`]
      if (c.column.comment !== undefined) restore.push(columnComment(to, c.column.name, c.column.comment))
      push(`ALTER TABLE ${q} DROP COLUMN ${quoteIdent(c.column.name)}`, restore, `drop column ${t}.${c.column.name}`, ['data-loss'])
      return
    }
    case 'renameColumn':
      push(
        `ALTER TABLE ${q} RENAME COLUMN ${quoteIdent(c.from.name)} TO ${quoteIdent(c.to.name)}`,
        [`ALTER TABLE ${q} RENAME COLUMN ${quoteIdent(c.to.name)} TO ${quoteIdent(c.from.name)}`],
        `rename column ${t}.${c.from.name} to ${c.to.name}`,
      )
      return
    case 'alterColumn': {
      const guards = change.kind === 'alterTable' ? alterColumnLosses(change, c, ctx.options).map(guardOf) : []
      return alterColumn(ctx, change, to, c.from, c.to, c.aspects, guards)
    }
    case 'addIndex': {
      // Only a new index on an existing, non-partitioned table is worth building concurrently.
      const concurrently = ctx.options.concurrentIndexes === true && typeof to.options.partitionBy !== 'string'
      if (concurrently) ctx.transactional = false
      push(createIndex(to, c.index, concurrently), [dropIndex(to, c.index, concurrently)], `create index ${c.index.name} on ${t}`, concurrently ? [] : ['long-lock'])
      const comment = commentIn(c.index.options)
      if (comment !== undefined) push(commentOnIndex(to, c.index.name, comment), [], `comment on index ${c.index.name}`)
      return
    }
    case 'dropIndex': {
      const comment = commentIn(c.index.options)
      push(dropIndex(from, c.index), [createIndex(from, c.index, false), ...(comment === undefined ? [] : [commentOnIndex(from, c.index.name, comment)])], `drop index ${c.index.name}`)
      return
    }
    case 'renameIndex':
      push(
        `ALTER INDEX ${qualify({ schema: to.schema, name: c.from.name })} RENAME TO ${quoteIdent(c.to.name)}`,
        [`ALTER INDEX ${qualify({ schema: to.schema, name: c.to.name })} RENAME TO ${quoteIdent(c.from.name)}`],
        `rename index ${c.from.name} to ${c.to.name}`,
      )
      return
    case 'addUnique': {
      const name = uniqueName(to, c.unique)
      push(`ALTER TABLE ${q} ADD CONSTRAINT ${quoteIdent(name)} ${uniqueClause(c.unique)}`, [dropConstraint(to, name)], `add unique ${t}.${name}`, ['long-lock'])
      keyComment(name, c.unique.options)
      return
    }
    case 'dropUnique': {
      const name = uniqueName(from, c.unique)
      push(dropConstraint(to, name), [`ALTER TABLE ${q} ADD CONSTRAINT ${quoteIdent(name)} ${uniqueClause(c.unique)}`, ...restoreComment(name, c.unique.options)], `drop unique ${t}.${name}`)
      return
    }
    case 'addPrimaryKey': {
      const name = pkName(to, c.primaryKey)
      push(`ALTER TABLE ${q} ADD CONSTRAINT ${quoteIdent(name)} PRIMARY KEY (${columnList(c.primaryKey.columns)})`, [dropConstraint(to, name)], `add primary key ${t}.${name}`, ['long-lock'])
      keyComment(name, c.primaryKey.options)
      return
    }
    case 'dropPrimaryKey': {
      const name = pkName(from, c.primaryKey)
      push(dropConstraint(to, name), [`ALTER TABLE ${q} ADD CONSTRAINT ${quoteIdent(name)} PRIMARY KEY (${columnList(c.primaryKey.columns)})`, ...restoreComment(name, c.primaryKey.options)], `drop primary key ${t}.${name}`)
      return
    }
    case 'addForeignKey': {
      // NOT VALID takes a brief lock; VALIDATE then scans without blocking writes.
      const name = fkName(to, c.foreignKey)
      // A table created by this plan is empty: NOT VALID + VALIDATE would buy nothing.
      const fresh = ctx.changes.some((o) => o.kind === 'createTable' && sameItem(o.table, to))
      const notValid = fresh ? c.foreignKey.options?.notValid === true : true
      push(`ALTER TABLE ${q} ADD CONSTRAINT ${quoteIdent(name)} ${foreignKeyClause(c.foreignKey)}${notValid ? ' NOT VALID' : ''}`, [dropConstraint(to, name)], `add foreign key ${t}.${name}`)
      if (!fresh && c.foreignKey.options?.notValid !== true) push(`ALTER TABLE ${q} VALIDATE CONSTRAINT ${quoteIdent(name)}`, [], `validate foreign key ${t}.${name}`)
      keyComment(name, c.foreignKey.options)
      return
    }
    case 'dropForeignKey': {
      const name = fkName(from, c.foreignKey)
      const notValid = c.foreignKey.options?.notValid === true ? ' NOT VALID' : ''
      push(dropConstraint(to, name), [`ALTER TABLE ${q} ADD CONSTRAINT ${quoteIdent(name)} ${foreignKeyClause(c.foreignKey)}${notValid}`, ...restoreComment(name, c.foreignKey.options)], `drop foreign key ${t}.${name}`)
      return
    }
    case 'addCheck': {
      const name = checkName(to, c.check, to.checks.indexOf(c.check))
      const noInherit = c.check.options?.noInherit === true
      // NO INHERIT checks cannot be added NOT VALID on partitioned tables; plain add for those.
      push(`ALTER TABLE ${q} ADD CONSTRAINT ${quoteIdent(name)} ${checkClause(c.check)}${noInherit ? '' : ' NOT VALID'}`, [dropConstraint(to, name)], `add check ${t}.${name}`)
      if (!noInherit) push(`ALTER TABLE ${q} VALIDATE CONSTRAINT ${quoteIdent(name)}`, [], `validate check ${t}.${name}`)
      keyComment(name, c.check.options)
      return
    }
    case 'dropCheck': {
      const name = checkName(from, c.check, from.checks.indexOf(c.check))
      push(dropConstraint(to, name), [`ALTER TABLE ${q} ADD CONSTRAINT ${quoteIdent(name)} ${checkClause(c.check)}`, ...restoreComment(name, c.check.options)], `drop check ${t}.${name}`)
      return
    }
    case 'alterComment':
      push(
        `COMMENT ON TABLE ${q} IS ${c.to === undefined ? 'NULL' : quoteLiteral(c.to)}`,
        [`COMMENT ON TABLE ${q} IS ${c.from === undefined ? 'NULL' : quoteLiteral(c.from)}`],
        `comment on table ${t}`,
      )
      return
    case 'alterOptions':
      return alterOptions(ctx, change, to, c.from, c.to)
    default:
      return assertNever(c)
  }
}

/** `guards`: the check-before queries of the type change (see alterColumnLosses). */
function alterColumn(ctx: Ctx, change: Change, table: Table, from: Column, to: Column, aspects: readonly string[], guards: readonly string[]): void {
  const q = qualify(table)
  const col = `ALTER TABLE ${q} ALTER COLUMN ${quoteIdent(to.name)}`
  const push = (sql: string, reverse: readonly string[], risks: readonly Risk[] = [], what = 'alter column'): void => {
    ctx.out.push(stmt(change, sql, reverse, `${what} ${table.name}.${to.name}`, risks))
  }
  const has = (a: string): boolean => aspects.includes(a)
  const serialChanged = from.options?.serial !== to.options?.serial
  if (has('options') && serialChanged && (from.options?.serial === undefined || to.options?.serial === undefined)) {
    throw new UnsupportedChangeError(
      `column ${table.name}.${to.name}: switching between serial and a plain column is not planned automatically; ` +
        'write the sequence and default change by hand (or use an identity column)',
    )
  }
  if (has('generated')) {
    // Before PostgreSQL 17 a generation expression cannot be changed in place: drop and re-add the column
    // (its values are computed, so no data is lost).
    if (from.generated !== undefined && to.generated === undefined) {
      push(`${col} DROP EXPRESSION`, [`ALTER TABLE ${q} DROP COLUMN ${quoteIdent(to.name)}`, `ALTER TABLE ${q} ADD COLUMN ${columnDefinition(from)}`], ['rewrite'], 'drop generation expression of')
    } else {
      push(`ALTER TABLE ${q} DROP COLUMN ${quoteIdent(from.name)}`, [`ALTER TABLE ${q} ADD COLUMN ${columnDefinition(from)}`], [from.generated === undefined ? 'data-loss' : 'rewrite'], 'drop generated column')
      push(`ALTER TABLE ${q} ADD COLUMN ${columnDefinition(to)}`, [`ALTER TABLE ${q} DROP COLUMN ${quoteIdent(to.name)}`], ['rewrite'], 'add generated column')
      return
    }
  }
  const typeChanged = has('type') || has('collation')
  const defaultBlocksType = typeChanged && from.default !== undefined
  if (defaultBlocksType) push(`${col} DROP DEFAULT`, [`${col} SET DEFAULT ${from.default}`], [], 'drop default of')
  if (typeChanged) {
    const collate = (c: Column): string => (c.collation === undefined ? '' : ` COLLATE ${c.collation}`)
    const using = (source: Column, target: Column): string => (needsUsing(source.type, target.type) ? ` USING ${quoteIdent(to.name)}::${target.type}` : '')
    const risks: Risk[] = typeChangeRewrites(from.type, to.type) || has('collation') ? ['rewrite'] : []
    const sql = `${col} TYPE ${to.type}${collate(to)}${using(from, to)}`
    const reverse = [`${col} TYPE ${from.type}${collate(from)}${using(to, from)}`]
    ctx.out.push({ ...stmt(change, sql, reverse, `change type of ${table.name}.${to.name}`, risks), ...(guards.length > 0 ? { guards } : {}) })
    // serial ↔ bigserial ↔ smallserial: the owned sequence's type follows the column's, so its
    // range does too (its MINVALUE/MAXVALUE change with it while they are the type's defaults).
    if (serialChanged) push(serialSequenceType(table, to), [serialSequenceType(table, from)], [], 'change sequence type of')
  }
  if (defaultBlocksType && to.default !== undefined) push(`${col} SET DEFAULT ${to.default}`, [`${col} DROP DEFAULT`], [], 'set default of')
  else if (has('default') && !defaultBlocksType) {
    const set = (d: string | undefined): string => (d === undefined ? `${col} DROP DEFAULT` : `${col} SET DEFAULT ${d}`)
    push(set(to.default), [set(from.default)], [], 'set default of')
  }
  // ADD GENERATED … AS IDENTITY needs the column NOT NULL first; DROP NOT NULL must follow DROP IDENTITY.
  if (has('nullable') && !to.nullable) push(`${col} SET NOT NULL`, [`${col} DROP NOT NULL`], ['long-lock'], 'set not null of')
  if (has('identity')) {
    const add = (c: Column): string => `${col} ADD ${identityClause(c)}`
    if (from.identity === undefined && to.identity !== undefined) {
      push(add(to), [`${col} DROP IDENTITY`], [], 'add identity to')
      // The new sequence starts at its START value: move it past the values the column already holds.
      const next = `pg_catalog.pg_get_serial_sequence(${quoteLiteral(qualify(table))}, ${quoteLiteral(to.name)})`
      if (!String(to.options?.identity ?? '').includes('INCREMENT BY -')) {
        push(`SELECT pg_catalog.setval(${next}, max(${quoteIdent(to.name)})) FROM ${q} HAVING max(${quoteIdent(to.name)}) IS NOT NULL`, [], [], 'continue the identity sequence of')
      }
    } else if (from.identity !== undefined && to.identity === undefined) push(`${col} DROP IDENTITY`, [add(from)], [], 'drop identity of')
    else if (from.identity !== undefined && to.identity !== undefined) {
      const set = (c: Column): string => `${col} SET GENERATED ${c.identity?.always === true ? 'ALWAYS' : 'BY DEFAULT'}`
      push(set(to), [set(from)])
    }
  }
  if (from.identity !== undefined && to.identity !== undefined && from.options?.identity !== to.options?.identity) {
    push(`${col} ${identitySetClauses(to.type, stringOption(to.options?.identity))}`, [`${col} ${identitySetClauses(from.type, stringOption(from.options?.identity))}`], [], 'set identity options of')
  }
  if (has('nullable') && to.nullable) push(`${col} DROP NOT NULL`, [`${col} SET NOT NULL`], [], 'drop not null of')
  if (has('comment')) {
    push(columnComment(table, to.name, to.comment), [columnComment(table, to.name, from.comment)], [], 'comment on column')
  }
}

/** Table options that switch row-level security: the option, the statement that sets it, the one that clears it. */
const ROW_SECURITY: readonly (readonly [string, string, string])[] = [
  ['rowSecurity', 'ENABLE ROW LEVEL SECURITY', 'DISABLE ROW LEVEL SECURITY'],
  ['forceRowSecurity', 'FORCE ROW LEVEL SECURITY', 'NO FORCE ROW LEVEL SECURITY'],
]

/**
 * `ALTER SEQUENCE … AS <type>` for the sequence a serial column owns. Its name is not part of the
 * model (a renamed table keeps `old_id_seq`), so the statement looks it up when it runs.
 */
function serialSequenceType(table: Table, column: Column): string {
  const lookup = `pg_catalog.pg_get_serial_sequence(${quoteLiteral(qualify(table))}, ${quoteLiteral(column.name)})`
  return `DO $$BEGIN EXECUTE format('ALTER SEQUENCE %s AS ${column.type}', ${lookup}); END$$`
}

function alterOptions(ctx: Ctx, change: Change, table: Table, from: Table['options'], to: Table['options']): void {
  const q = qualify(table)
  const push = (sql: string, reverse: readonly string[], comment: string, risks: readonly Risk[] = []): void => {
    ctx.out.push(stmt(change, sql, reverse, comment, risks))
  }
  for (const key of ['partitionBy', 'partitionOf', 'partitionBound']) {
    if (from[key] !== to[key]) {
      throw new UnsupportedChangeError(
        `table ${label(table)}: changing partitioning (${key}) needs a new table and a data copy; write this migration by hand`,
      )
    }
  }
  if ((from.unlogged === true) !== (to.unlogged === true)) {
    const set = (unlogged: boolean): string => `ALTER TABLE ${q} SET ${unlogged ? 'UNLOGGED' : 'LOGGED'}`
    push(set(to.unlogged === true), [set(from.unlogged === true)], `set ${to.unlogged === true ? 'unlogged' : 'logged'} ${table.name}`, ['rewrite'])
  }
  for (const [key, on, off] of ROW_SECURITY) {
    if ((from[key] === true) === (to[key] === true)) continue
    const set = (enabled: boolean): string => `ALTER TABLE ${q} ${enabled ? on : off}`
    push(set(to[key] === true), [set(from[key] === true)], `${(to[key] === true ? on : off).toLowerCase()} on ${table.name}`)
  }
  if (from.with !== to.with) {
    const keys = (w: unknown): string[] => (typeof w === 'string' ? w.split(', ').map((kv) => kv.split('=')[0]!) : [])
    const apply = (target: unknown, previous: unknown): string => {
      if (typeof target === 'string') return `ALTER TABLE ${q} SET (${target})`
      return `ALTER TABLE ${q} RESET (${keys(previous).join(', ')})`
    }
    const removed = keys(from.with).filter((k) => !keys(to.with).includes(k))
    const forward = typeof to.with === 'string' && removed.length > 0 ? [`ALTER TABLE ${q} RESET (${removed.join(', ')})`, apply(to.with, from.with)] : [apply(to.with, from.with)]
    const added = keys(to.with).filter((k) => !keys(from.with).includes(k))
    const back = typeof from.with === 'string' ? [...(added.length > 0 ? [`ALTER TABLE ${q} RESET (${added.join(', ')})`] : []), apply(from.with, to.with)] : [apply(undefined, to.with)]
    forward.forEach((sql, i) => push(sql, i === forward.length - 1 ? back : [], `set storage options of ${table.name}`))
  }
  const excl = (o: Table['options']): Map<string, string> =>
    new Map(Object.entries(o).filter(([k, v]) => k.startsWith('exclude:') && typeof v === 'string').map(([k, v]) => [k.slice(8), String(v)]))
  const fx = excl(from)
  const tx = excl(to)
  for (const [name, def] of fx) {
    if (tx.get(name) === def) continue
    push(dropConstraint(table, name), [`ALTER TABLE ${q} ADD CONSTRAINT ${quoteIdent(name)} ${def}`], `drop exclusion constraint ${table.name}.${name}`)
  }
  for (const [name, def] of tx) {
    if (fx.get(name) === def) continue
    push(`ALTER TABLE ${q} ADD CONSTRAINT ${quoteIdent(name)} ${def}`, [dropConstraint(table, name)], `add exclusion constraint ${table.name}.${name}`, ['long-lock'])
  }
}

// ---------------------------------------------------------------- views and objects

function risksOfObjectDrop(object: SchemaObject): Risk[] {
  return object.kind === 'sequence' ? ['data-loss'] : []
}

function alterObject(ctx: Ctx, change: Change, from: SchemaObject, to: SchemaObject): void {
  const push = (sql: string, reverse: readonly string[], comment: string, risks: readonly Risk[] = []): void => {
    ctx.out.push(stmt(change, sql, reverse, comment, risks))
  }
  const recreate = (): void => {
    push(dropObject(from), createObject(from), `drop ${from.kind} ${label(from)}`)
    const [create = '', ...comment] = createObject(to)
    push(create, [dropObject(to)], `create ${to.kind} ${label(to)}`)
    for (const sql of comment) push(sql, [], `comment on ${to.kind} ${label(to)}`)
  }
  const commentChanged = objectComment(from) !== objectComment(to)
  const setComment = (): void => {
    if (commentChanged) push(commentOnObject(to, objectComment(to)), [commentOnObject(from, objectComment(from))], `comment on ${to.kind} ${label(to)}`)
  }
  if (from.definition === to.definition && sameValue({ ...from.options, comment: undefined }, { ...to.options, comment: undefined })) return setComment()
  if (from.kind === 'enum' && to.kind === 'enum') {
    const start = ctx.out.length
    alterEnum(ctx, change, from, to)
    // A rebuilt enum (labels removed or reordered) is a new type: its comment goes with the old one.
    const rebuilt = ctx.out.slice(start).some((s) => /^DROP TYPE /.test(s.sql))
    if (rebuilt && !commentChanged && objectComment(to) !== undefined) push(commentOnObject(to, objectComment(to)), [], `comment on ${to.kind} ${label(to)}`)
    return setComment()
  }
  if (from.kind === 'sequence' && to.kind === 'sequence') {
    const alter = (o: SchemaObject): string => o.definition.replace(/^CREATE SEQUENCE/, 'ALTER SEQUENCE')
    push(alter(to), [alter(from)], `alter sequence ${label(to)}`)
    return setComment()
  }
  if (from.kind === 'function' && to.kind === 'function' && /^CREATE OR REPLACE/.test(to.definition)) {
    if (!replaceable(from, to)) return recreateFunction(ctx, change, from, to)
    push(to.definition, [from.definition], `replace function ${label(to)}`)
    return setComment()
  }
  if (from.kind === 'policy' && to.kind === 'policy') {
    const forward = alterPolicy(from, to)
    const back = alterPolicy(to, from)
    if (forward !== undefined && back !== undefined) {
      push(forward, [back], `alter policy ${label(to)} on ${to.table ?? ''}`)
      return setComment()
    }
  }
  recreate()
}
