import type { Capabilities } from './plan.js'
import type { Change, ColumnAspect, RenameCandidate, TableChange } from './changes.js'
import { canonical, sameValue } from './equal.js'
import type { Check, Column, ForeignKey, Index, PrimaryKey, Schema, SchemaObject, Table, Unique, View } from './model.js'
import { qualifiedName } from './model.js'
import { mentionsName, orderChanges } from './order.js'

export interface DiffOptions {
  /** Orders changes for the dialect (e.g. FKs detached from table creation where needed). */
  readonly capabilities?: Capabilities
}

export interface DiffResult {
  /** Ordered: apply in this order. */
  readonly changes: readonly Change[]
  /** Drop + add pairs that look like renames; the target can declare `renamedFrom` to get a RENAME. */
  readonly renameCandidates: readonly RenameCandidate[]
}

/**
 * Compares two schemas inspected by the same dialect (so both are in its normal form).
 * Pure: no I/O, deterministic. Renames happen only where the target declares `renamedFrom`;
 * a drop + add that merely looks like one is reported in `renameCandidates`.
 */
export function diffSchemas(from: Schema, to: Schema, options: DiffOptions = {}): DiffResult {
  const changes: Change[] = []
  const candidates: RenameCandidate[] = []
  const fromTables = new Map(from.tables.map((t) => [qualifiedName(t), t]))
  const matched = new Set<string>()
  /** old qualified name → new name, so FKs that follow a renamed table are not seen as changed. */
  const tableRenames = new Map<string, string>()

  for (const target of to.tables) {
    const key = qualifiedName(target)
    const renamedKey = target.renamedFrom === undefined ? undefined : qualifiedName({ schema: target.schema, name: target.renamedFrom })
    if (fromTables.has(key)) matched.add(key)
    else if (renamedKey !== undefined && fromTables.has(renamedKey) && !to.tables.some((t) => qualifiedName(t) === renamedKey)) {
      matched.add(renamedKey)
      tableRenames.set(renamedKey, target.name)
    }
  }

  const created: Table[] = []
  for (const target of to.tables) {
    const key = qualifiedName(target)
    const current = fromTables.get(key)
    if (current !== undefined) {
      pushAlter(changes, candidates, current, target, tableRenames)
      continue
    }
    const renamedKey = target.renamedFrom === undefined ? undefined : qualifiedName({ schema: target.schema, name: target.renamedFrom })
    const old = renamedKey === undefined ? undefined : fromTables.get(renamedKey)
    if (old !== undefined && tableRenames.has(qualifiedName(old))) {
      const renamed: Table = { ...old, name: target.name }
      changes.push({ kind: 'renameTable', from: old, to: renamed })
      pushAlter(changes, candidates, renamed, target, tableRenames)
      continue
    }
    created.push(target)
    changes.push({ kind: 'createTable', table: target })
  }

  const dropped = from.tables.filter((t) => !matched.has(qualifiedName(t)))
  for (const table of dropped) changes.push({ kind: 'dropTable', table })
  for (const table of dropped) {
    const twin = created.find((c) => c.schema === table.schema && sameColumns(c.columns, table.columns))
    if (twin !== undefined) candidates.push({ kind: 'table', table: table.name, from: table.name, to: twin.name })
  }

  diffViews(from.views, to.views, changes)
  diffObjects(from.objects, to.objects, changes)
  return { changes: orderChanges(changes, { from, to, capabilities: options.capabilities }), renameCandidates: candidates }
}

function pushAlter(
  changes: Change[],
  candidates: RenameCandidate[],
  from: Table,
  to: Table,
  tableRenames: ReadonlyMap<string, string>,
): void {
  const tableChanges = diffTable(from, to, candidates, tableRenames)
  if (tableChanges.length > 0) changes.push({ kind: 'alterTable', from, to, changes: tableChanges })
}

/** Changes inside one table, in a planner-friendly order: drops, then alters, then adds. */
export function diffTable(
  from: Table,
  to: Table,
  candidates: RenameCandidate[] = [],
  tableRenames: ReadonlyMap<string, string> = new Map(),
): TableChange[] {
  const drops: TableChange[] = []
  const alters: TableChange[] = []
  const adds: TableChange[] = []

  const fromColumns = new Map(from.columns.map((c) => [c.name, c]))
  const toNames = new Set(to.columns.map((c) => c.name))
  /** old column name → new name: keys, indexes and FKs that follow a renamed column are unchanged. */
  const columnRenames = new Map<string, string>()
  const matchedColumns = new Set<string>()
  for (const column of to.columns) {
    // A declared rename wins over a same-named column: `DROP COLUMN n; RENAME n__new TO n` (a
    // zero-downtime contract) keeps n__new's values under the old name, and the old n is dropped.
    if (column.renamedFrom !== undefined && fromColumns.has(column.renamedFrom) && !toNames.has(column.renamedFrom)) {
      matchedColumns.add(column.renamedFrom)
      columnRenames.set(column.renamedFrom, column.name)
    } else if (fromColumns.has(column.name)) matchedColumns.add(column.name)
  }

  const addedColumns: Column[] = []
  for (const column of to.columns) {
    const oldName = [...columnRenames].find(([, newName]) => newName === column.name)?.[0]
    const renamedFrom = oldName === undefined ? undefined : fromColumns.get(oldName)
    const current = renamedFrom === undefined ? fromColumns.get(column.name) : undefined
    if (current === undefined && renamedFrom === undefined) {
      addedColumns.push(column)
      adds.push({ kind: 'addColumn', column })
      continue
    }
    const base = current ?? renamedFrom!
    if (renamedFrom !== undefined) alters.push({ kind: 'renameColumn', from: renamedFrom, to: { ...renamedFrom, name: column.name } })
    const aspects = columnAspects({ ...base, name: column.name }, column)
    if (aspects.length > 0) alters.push({ kind: 'alterColumn', from: { ...base, name: column.name }, to: column, aspects })
  }
  const droppedColumns = from.columns.filter((c) => !matchedColumns.has(c.name))
  for (const column of droppedColumns) drops.push({ kind: 'dropColumn', column })
  for (const column of droppedColumns) {
    const twin = addedColumns.find((a) => a.type === column.type)
    if (twin !== undefined) candidates.push({ kind: 'column', table: to.name, from: column.name, to: twin.name })
  }

  const renameColumn = (name: string): string => columnRenames.get(name) ?? name
  const renameTable = (fk: ForeignKey): ForeignKey => {
    const refKey = qualifiedName({ schema: fk.refSchema, name: fk.refTable })
    const renamedRef = tableRenames.get(refKey)
    const selfRef = fk.refTable === from.name && fk.refSchema === from.schema
    return {
      ...fk,
      refTable: renamedRef ?? (selfRef ? to.name : fk.refTable),
      columns: fk.columns.map(renameColumn),
      refColumns: selfRef ? fk.refColumns.map(renameColumn) : fk.refColumns,
    }
  }

  const fromPk = from.primaryKey === undefined ? undefined : { ...from.primaryKey, columns: from.primaryKey.columns.map(renameColumn) }
  if (!samePrimaryKey(fromPk, to.primaryKey)) {
    if (from.primaryKey !== undefined) drops.push({ kind: 'dropPrimaryKey', primaryKey: from.primaryKey })
    if (to.primaryKey !== undefined) adds.push({ kind: 'addPrimaryKey', primaryKey: to.primaryKey })
  }

  diffIndexes(from.indexes, to.indexes, renameColumn, drops, adds, alters)
  diffKeyed<Unique>(
    from.uniques, to.uniques, (u) => ({ ...u, columns: u.columns.map(renameColumn) }),
    (unique) => drops.push({ kind: 'dropUnique', unique }), (unique) => adds.push({ kind: 'addUnique', unique }),
  )
  diffKeyed<ForeignKey>(
    from.foreignKeys, to.foreignKeys, renameTable,
    (foreignKey) => drops.push({ kind: 'dropForeignKey', foreignKey }), (foreignKey) => adds.push({ kind: 'addForeignKey', foreignKey }),
  )
  diffKeyed<Check>(
    from.checks, to.checks, (c) => c,
    (check) => drops.push({ kind: 'dropCheck', check }), (check) => adds.push({ kind: 'addCheck', check }),
  )

  if ((from.comment ?? undefined) !== (to.comment ?? undefined)) alters.push({ kind: 'alterComment', from: from.comment, to: to.comment })
  if (!sameValue(from.options, to.options)) alters.push({ kind: 'alterOptions', from: from.options, to: to.options })
  return [...drops, ...alters, ...adds]
}

function columnAspects(from: Column, to: Column): ColumnAspect[] {
  const aspects: ColumnAspect[] = []
  if (from.type !== to.type) aspects.push('type')
  if (from.nullable !== to.nullable) aspects.push('nullable')
  if (from.default !== to.default) aspects.push('default')
  if (!sameValue(from.generated, to.generated)) aspects.push('generated')
  if (!sameValue(from.identity, to.identity)) aspects.push('identity')
  if (from.collation !== to.collation) aspects.push('collation')
  if (from.comment !== to.comment) aspects.push('comment')
  if (!sameValue(from.options ?? {}, to.options ?? {})) aspects.push('options')
  return aspects
}

function samePrimaryKey(a: PrimaryKey | undefined, b: PrimaryKey | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  if (!sameValue(a.columns, b.columns) || !sameValue(a.options ?? {}, b.options ?? {})) return false
  return a.name === undefined || b.name === undefined || a.name === b.name
}

function indexShape(index: Index): string {
  const { name: _name, ...shape } = index
  return canonical(shape)
}

function diffIndexes(
  from: readonly Index[],
  to: readonly Index[],
  renameColumn: (name: string) => string,
  drops: TableChange[],
  adds: TableChange[],
  alters: TableChange[],
): void {
  const follow = (index: Index): Index => ({
    ...index,
    parts: index.parts.map((p) => (p.column === undefined ? p : { ...p, column: renameColumn(p.column) })),
  })
  const toByName = new Map(to.map((i) => [i.name, i]))
  const fromByName = new Map(from.map((i) => [i.name, follow(i)]))
  const removed: Index[] = []
  for (const [name, index] of fromByName) {
    const target = toByName.get(name)
    if (target !== undefined && indexShape(index) === indexShape(target)) continue
    removed.push(index)
  }
  const addedIndexes = to.filter((i) => {
    const current = fromByName.get(i.name)
    return current === undefined || indexShape(current) !== indexShape(i)
  })
  for (const index of removed) {
    const twin = addedIndexes.find((a) => !fromByName.has(a.name) && indexShape(a) === indexShape(index))
    if (twin !== undefined && !toByName.has(index.name)) {
      alters.push({ kind: 'renameIndex', from: from.find((i) => i.name === index.name)!, to: twin })
      addedIndexes.splice(addedIndexes.indexOf(twin), 1)
      continue
    }
    drops.push({ kind: 'dropIndex', index: from.find((i) => i.name === index.name)! })
  }
  for (const index of addedIndexes) adds.push({ kind: 'addIndex', index })
}

/**
 * Matches constraints by name where both sides name them, otherwise by shape; `follow` maps the
 * `from` side through renames before comparing.
 */
function diffKeyed<T extends { readonly name?: string }>(
  from: readonly T[],
  to: readonly T[],
  follow: (item: T) => T,
  drop: (item: T) => void,
  add: (item: T) => void,
): void {
  const shape = (item: T): string => {
    const { name: _name, ...rest } = item
    return canonical(rest)
  }
  const unmatchedTo = [...to]
  for (const original of from) {
    const item = follow(original)
    const byName = item.name === undefined ? -1 : unmatchedTo.findIndex((t) => t.name === item.name)
    const index = byName >= 0 ? byName : unmatchedTo.findIndex((t) => (t.name === undefined || item.name === undefined) && shape(t) === shape(item))
    const target = index >= 0 ? unmatchedTo[index] : undefined
    if (target !== undefined && shape(target) === shape(item)) {
      unmatchedTo.splice(index, 1)
      continue
    }
    drop(original)
  }
  for (const item of unmatchedTo) add(item)
}

function sameColumns(a: readonly Column[], b: readonly Column[]): boolean {
  return a.length === b.length && a.every((c, i) => c.name === b[i]?.name && c.type === b[i]?.type)
}

function diffViews(from: readonly View[], to: readonly View[], changes: Change[]): void {
  const toByName = new Map(to.map((v) => [qualifiedName(v), v]))
  const recreated = new Set(from.filter((v) => !sameValue(v, toByName.get(qualifiedName(v)))).map(qualifiedName))
  // A view built on a dropped or redefined view must be dropped and recreated with it.
  for (let grew = true; grew; ) {
    grew = false
    for (const view of from) {
      const key = qualifiedName(view)
      if (recreated.has(key)) continue
      if (from.some((other) => recreated.has(qualifiedName(other)) && mentionsName(view.definition, other.name))) {
        recreated.add(key)
        grew = true
      }
    }
  }
  for (const view of from) if (recreated.has(qualifiedName(view))) changes.push({ kind: 'dropView', view })
  const fromNames = new Set(from.map(qualifiedName))
  for (const view of to) {
    const key = qualifiedName(view)
    if (!fromNames.has(key) || recreated.has(key)) changes.push({ kind: 'createView', view })
  }
}

function objectKey(object: SchemaObject): string {
  return canonical([object.kind, object.schema, object.table, object.name])
}

/**
 * Namespaces (`schema` objects) are compared only when the target declares some: a schema module
 * written before they were modelled declares none, and must not read as "drop every schema".
 */
function diffObjects(from: readonly SchemaObject[], to: readonly SchemaObject[], changes: Change[]): void {
  if (!to.some((o) => o.kind === 'schema')) from = from.filter((o) => o.kind !== 'schema')
  const fromByKey = new Map(from.map((o) => [objectKey(o), o]))
  const toByKey = new Map(to.map((o) => [objectKey(o), o]))
  for (const object of from) if (!toByKey.has(objectKey(object))) changes.push({ kind: 'dropObject', object })
  for (const object of to) {
    const current = fromByKey.get(objectKey(object))
    if (current === undefined) changes.push({ kind: 'createObject', object })
    else if (!sameValue(current, object)) changes.push({ kind: 'alterObject', from: current, to: object })
  }
}
