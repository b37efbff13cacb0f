import type { PlanOptions } from '../dialect.js'
import { guardOf, type Plan, type Risk } from '../../schema/plan.js'
import type { Change, TableChange } from '../../schema/changes.js'
import { assertNever } from '../../schema/changes.js'
import type { Check, ForeignKey, Options, PrimaryKey, Schema, SchemaObject, Table, Unique, View } from '../../schema/model.js'
import { UnsupportedChangeError } from '../../errors.js'
import { addColumnRewrites, alterColumn, columnComment, columnDefinition } from './column-plan.js'
import { alterColumnLosses } from './lossy.js'
import { createIndex, createView, dropIndex, dropView, viewComment, viewExtras } from './ddl.js'
import { createObject, dropObject } from './object-ddl.js'
import { alterObject, risksOfObjectDrop } from './object-plan.js'
import { commentIn, commentOnConstraint, commentOnIndex, commentOnlyViews, foldCommentChanges, rejoinForeignKeyComments } from './key-comments.js'
import { label, stmt, tokenIn, type Ctx } from './plan-context.js'
import { qualify, quoteIdent, quoteLiteral } from './quote.js'

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
  detachReferencingKeys(ctx, change, from, ordered)
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

/**
 * A foreign key depends on the primary key or unique constraint it references: PostgreSQL refuses
 * to drop that key while the foreign key exists. Foreign keys of other tables (or this one) that
 * reference a key this change drops, and that the plan keeps, are dropped first and added again
 * at the end of the plan, once the new key exists.
 */
function detachReferencingKeys(ctx: Ctx, change: Change, table: Table, changes: readonly TableChange[]): void {
  const dropped = changes.flatMap((c) => (c.kind === 'dropPrimaryKey' ? [c.primaryKey.columns] : c.kind === 'dropUnique' ? [c.unique.columns] : []))
  if (dropped.length === 0) return
  const plannedDrop = (owner: Table, fk: ForeignKey): boolean =>
    ctx.changes.some(
      (c) =>
        (c.kind === 'dropTable' && sameItem(c.table, owner)) ||
        (c.kind === 'alterTable' && sameItem(c.from, owner) && c.changes.some((t) => t.kind === 'dropForeignKey' && fkName(owner, t.foreignKey) === fkName(owner, fk))),
    )
  for (const owner of ctx.options.current?.tables ?? []) {
    for (const fk of owner.foreignKeys) {
      const references = sameItem({ schema: fk.refSchema ?? owner.schema, name: fk.refTable }, table)
      if (!references || !dropped.some((cols) => cols.join('\u0000') === fk.refColumns.join('\u0000')) || plannedDrop(owner, fk)) continue
      const name = fkName(owner, fk)
      const add = (t: Table, k: ForeignKey): string => `ALTER TABLE ${qualify(t)} ADD CONSTRAINT ${quoteIdent(name)} ${foreignKeyClause(k)}`
      ctx.out.push(stmt(change, dropConstraint(owner, name), [add(owner, fk)], `drop foreign key ${owner.name}.${name} (references a key of ${table.name} that changes)`))
      const desiredOwner = ctx.options.desired?.tables.find((t) => sameItem(t, owner))
      const desiredFk = desiredOwner?.foreignKeys.find((k) => fkName(desiredOwner, k) === name)
      if (desiredOwner === undefined || desiredFk === undefined) continue
      ctx.deferred.push(stmt(change, add(desiredOwner, desiredFk), [dropConstraint(desiredOwner, name)], `add foreign key ${owner.name}.${name} again`))
    }
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

/** Table options that switch row-level security: the option, the statement that sets it, the one that clears it. */
const ROW_SECURITY: readonly (readonly [string, string, string])[] = [
  ['rowSecurity', 'ENABLE ROW LEVEL SECURITY', 'DISABLE ROW LEVEL SECURITY'],
  ['forceRowSecurity', 'FORCE ROW LEVEL SECURITY', 'NO FORCE ROW LEVEL SECURITY'],
]

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

