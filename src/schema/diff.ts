import { nameKey, type Capabilities, type IdentifierCase, type NameKind } from './plan.js'
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
  const names = new Names(options.capabilities?.identifierCase, options.capabilities?.definitionKey)
  const tableKey = (t: { readonly schema?: string; readonly name: string }): string => names.tableKey(t)
  const fromTables = new Map(from.tables.map((t) => [tableKey(t), t]))
  const matched = new Set<string>()
  /** old table key → new name, so FKs that follow a renamed table are not seen as changed. */
  const tableRenames = new Map<string, string>()

  for (const target of to.tables) {
    const key = tableKey(target)
    const renamedKey = target.renamedFrom === undefined ? undefined : tableKey({ schema: target.schema, name: target.renamedFrom })
    const current = fromTables.get(key)
    if (current !== undefined) {
      matched.add(key)
      if (names.respell('tables', current.name, target.name)) tableRenames.set(key, target.name)
    } else if (renamedKey !== undefined && fromTables.has(renamedKey) && !to.tables.some((t) => tableKey(t) === renamedKey)) {
      matched.add(renamedKey)
      tableRenames.set(renamedKey, target.name)
    }
  }

  const created: Table[] = []
  for (const target of to.tables) {
    const key = tableKey(target)
    const current = fromTables.get(key)
    const renamedKey = target.renamedFrom === undefined ? undefined : tableKey({ schema: target.schema, name: target.renamedFrom })
    const old = current ?? (renamedKey === undefined ? undefined : fromTables.get(renamedKey))
    if (old !== undefined && tableRenames.has(tableKey(old)) && (current === undefined || names.respell('tables', current.name, target.name))) {
      // A declared rename, or a case-only difference where the server keeps the spelling given.
      const renamed: Table = { ...old, name: target.name }
      changes.push({ kind: 'renameTable', from: old, to: renamed })
      pushAlter(changes, candidates, renamed, target, tableRenames, names)
      continue
    }
    if (current !== undefined) {
      pushAlter(changes, candidates, current, target, tableRenames, names)
      continue
    }
    created.push(target)
    changes.push({ kind: 'createTable', table: target })
  }

  const dropped = from.tables.filter((t) => !matched.has(tableKey(t)))
  for (const table of dropped) changes.push({ kind: 'dropTable', table })
  for (const table of dropped) {
    const twin = created.find((c) => c.schema === table.schema && sameColumns(c.columns, table.columns))
    if (twin !== undefined) candidates.push({ kind: 'table', table: table.name, from: table.name, to: twin.name })
  }

  if (options.capabilities?.foreignKeysPinColumnTypes === true) recreatePinningForeignKeys(from, to, changes, names)
  diffViews(from.views, to.views, changes, names)
  diffObjects(from.objects, to.objects, changes, names)
  return { changes: orderChanges(changes, { from, to, capabilities: options.capabilities }), renameCandidates: candidates }
}

function pushAlter(
  changes: Change[],
  candidates: RenameCandidate[],
  from: Table,
  to: Table,
  tableRenames: ReadonlyMap<string, string>,
  names: Names,
): void {
  const tableChanges = diffTable(from, to, candidates, tableRenames, names)
  if (tableChanges.length > 0) changes.push({ kind: 'alterTable', from, to, changes: tableChanges })
}

/** Changes inside one table, in a planner-friendly order: drops, then alters, then adds. */
export function diffTable(
  from: Table,
  to: Table,
  candidates: RenameCandidate[] = [],
  tableRenames: ReadonlyMap<string, string> = new Map(),
  names: Names = new Names(undefined),
): TableChange[] {
  const drops: TableChange[] = []
  const alters: TableChange[] = []
  const adds: TableChange[] = []
  const columnKey = (name: string): string => names.key('columns', name)

  const fromColumns = new Map(from.columns.map((c) => [columnKey(c.name), c]))
  const toNames = new Set(to.columns.map((c) => columnKey(c.name)))
  /** old column key → new name: keys, indexes and FKs that follow a renamed column are unchanged. */
  const columnRenames = new Map<string, string>()
  const matchedColumns = new Set<string>()
  for (const column of to.columns) {
    // A declared rename wins over a same-named column: `DROP COLUMN n; RENAME n__new TO n` (a
    // zero-downtime contract) keeps n__new's values under the old name, and the old n is dropped.
    const renamedKey = column.renamedFrom === undefined ? undefined : columnKey(column.renamedFrom)
    const current = fromColumns.get(columnKey(column.name))
    if (renamedKey !== undefined && fromColumns.has(renamedKey) && !toNames.has(renamedKey)) {
      matchedColumns.add(renamedKey)
      columnRenames.set(renamedKey, column.name)
    } else if (current !== undefined) {
      matchedColumns.add(columnKey(column.name))
      // A case-only difference where the server keeps the spelling given: rename, never drop + add.
      if (names.respell('columns', current.name, column.name)) columnRenames.set(columnKey(column.name), column.name)
    }
  }

  const addedColumns: Column[] = []
  for (const column of to.columns) {
    const oldKey = [...columnRenames].find(([, newName]) => newName === column.name)?.[0]
    const renamedFrom = oldKey === undefined ? undefined : fromColumns.get(oldKey)
    const current = renamedFrom === undefined ? fromColumns.get(columnKey(column.name)) : undefined
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
  const droppedColumns = from.columns.filter((c) => !matchedColumns.has(columnKey(c.name)))
  for (const column of droppedColumns) drops.push({ kind: 'dropColumn', column })
  for (const column of droppedColumns) {
    const twin = addedColumns.find((a) => a.type === column.type)
    if (twin !== undefined) candidates.push({ kind: 'column', table: to.name, from: column.name, to: twin.name })
  }

  const renameColumn = (name: string): string => columnRenames.get(columnKey(name)) ?? name
  const selfKey = names.tableKey(from)
  const renameTable = (fk: ForeignKey): ForeignKey => {
    const refKey = names.tableKey({ schema: fk.refSchema, name: fk.refTable })
    const renamedRef = tableRenames.get(refKey)
    const selfRef = refKey === selfKey
    return {
      ...fk,
      refTable: renamedRef ?? (selfRef ? to.name : fk.refTable),
      columns: fk.columns.map(renameColumn),
      refColumns: selfRef ? fk.refColumns.map(renameColumn) : fk.refColumns,
    }
  }
  // Both sides of a comparison with every name in its matching key.
  const columnsKey = (columns: readonly string[]): string[] => columns.map(columnKey)
  const constraintKey = <T extends { readonly name?: string }>(item: T): T =>
    item.name === undefined ? item : { ...item, name: names.key('indexes', item.name) }
  const respellConstraint = (a: string, b: string): boolean => names.respell('indexes', a, b)

  const fromPk = from.primaryKey === undefined ? undefined : { ...from.primaryKey, columns: from.primaryKey.columns.map(renameColumn) }
  const pkKey = (pk: PrimaryKey | undefined): PrimaryKey | undefined => (pk === undefined ? undefined : constraintKey({ ...pk, columns: columnsKey(pk.columns) }))
  if (!samePrimaryKey(pkKey(fromPk), pkKey(to.primaryKey))) {
    if (from.primaryKey !== undefined) drops.push({ kind: 'dropPrimaryKey', primaryKey: from.primaryKey })
    if (to.primaryKey !== undefined) adds.push({ kind: 'addPrimaryKey', primaryKey: to.primaryKey })
  }

  diffIndexes(from.indexes, to.indexes, renameColumn, drops, adds, alters, names)
  diffKeyed<Unique>(
    from.uniques, to.uniques, (u) => ({ ...u, columns: u.columns.map(renameColumn) }),
    (u) => constraintKey({ ...u, columns: columnsKey(u.columns) }), respellConstraint,
    (unique) => drops.push({ kind: 'dropUnique', unique }), (unique) => adds.push({ kind: 'addUnique', unique }),
  )
  diffKeyed<ForeignKey>(
    from.foreignKeys, to.foreignKeys, renameTable,
    (fk) => constraintKey({ ...fk, refTable: names.key('tables', fk.refTable), columns: columnsKey(fk.columns), refColumns: columnsKey(fk.refColumns) }),
    respellConstraint,
    (foreignKey) => drops.push({ kind: 'dropForeignKey', foreignKey }), (foreignKey) => adds.push({ kind: 'addForeignKey', foreignKey }),
  )
  diffKeyed<Check>(
    from.checks, to.checks, (c) => c, constraintKey, respellConstraint,
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

function diffIndexes(
  from: readonly Index[],
  to: readonly Index[],
  renameColumn: (name: string) => string,
  drops: TableChange[],
  adds: TableChange[],
  alters: TableChange[],
  names: Names,
): void {
  const follow = (index: Index): Index => ({
    ...index,
    parts: index.parts.map((p) => (p.column === undefined ? p : { ...p, column: renameColumn(p.column) })),
  })
  const indexKey = (name: string): string => names.key('indexes', name)
  const indexShape = (index: Index): string => {
    const { name: _name, ...shape } = index
    return canonical({ ...shape, parts: shape.parts.map((p) => (p.column === undefined ? p : { ...p, column: names.key('columns', p.column) })) })
  }
  const original = (index: Index): Index => from.find((i) => i.name === index.name)!
  const toByName = new Map(to.map((i) => [indexKey(i.name), i]))
  const fromByName = new Map(from.map((i) => [indexKey(i.name), follow(i)]))
  const removed: Index[] = []
  for (const [key, index] of fromByName) {
    const target = toByName.get(key)
    if (target !== undefined && indexShape(index) === indexShape(target)) {
      // Same index, spelled differently where the server keeps the spelling given.
      if (names.respell('indexes', index.name, target.name)) alters.push({ kind: 'renameIndex', from: original(index), to: target })
      continue
    }
    removed.push(index)
  }
  const addedIndexes = to.filter((i) => {
    const current = fromByName.get(indexKey(i.name))
    return current === undefined || indexShape(current) !== indexShape(i)
  })
  for (const index of removed) {
    const twin = addedIndexes.find((a) => !fromByName.has(indexKey(a.name)) && indexShape(a) === indexShape(index))
    if (twin !== undefined && !toByName.has(indexKey(index.name))) {
      alters.push({ kind: 'renameIndex', from: original(index), to: twin })
      addedIndexes.splice(addedIndexes.indexOf(twin), 1)
      continue
    }
    drops.push({ kind: 'dropIndex', index: original(index) })
  }
  for (const index of addedIndexes) adds.push({ kind: 'addIndex', index })
}

/**
 * Matches constraints by name where both sides name them, otherwise by shape; `follow` maps the
 * `from` side through renames before comparing, `key` puts both sides' names in their matching
 * keys (case-insensitive names lower-cased), `respell` says when two spellings of one name differ.
 */
function diffKeyed<T extends { readonly name?: string }>(
  from: readonly T[],
  to: readonly T[],
  follow: (item: T) => T,
  key: (item: T) => T,
  respell: (from: string, to: string) => boolean,
  drop: (item: T) => void,
  add: (item: T) => void,
): void {
  const shape = (item: T): string => {
    const { name: _name, ...rest } = item
    return canonical(rest)
  }
  const unmatchedTo = to.map((original) => ({ original, keyed: key(original) }))
  for (const original of from) {
    const item = key(follow(original))
    const byName = item.name === undefined ? -1 : unmatchedTo.findIndex((t) => t.keyed.name === item.name)
    const index = byName >= 0 ? byName : unmatchedTo.findIndex((t) => (t.keyed.name === undefined || item.name === undefined) && shape(t.keyed) === shape(item))
    const target = index >= 0 ? unmatchedTo[index] : undefined
    if (target !== undefined && shape(target.keyed) === shape(item)) {
      unmatchedTo.splice(index, 1)
      // Same constraint spelled differently where the server keeps the spelling: constraints
      // have no RENAME, so it is recreated under the target's name (it holds no data).
      if (original.name !== undefined && target.original.name !== undefined && respell(original.name, target.original.name)) {
        drop(original)
        add(target.original)
      }
      continue
    }
    drop(original)
  }
  for (const item of unmatchedTo) add(item.original)
}

function sameColumns(a: readonly Column[], b: readonly Column[]): boolean {
  return a.length === b.length && a.every((c, i) => c.name === b[i]?.name && c.type === b[i]?.type)
}

/**
 * Foreign keys that use or reference a column whose type changes, and that the diff keeps as they
 * are: each is dropped and added again (in its table's alterTable, made when the table had none),
 * so the server sees no key while the types change. orderChanges puts the drops first and, for a
 * key referencing another changed table, the add after every table has changed.
 */
function recreatePinningForeignKeys(from: Schema, to: Schema, changes: Change[], names: Names): void {
  const retyped = new Set<string>()
  const columnKey = (table: string, column: string): string => `${names.key('tables', table)}\u0000${names.key('columns', column)}`
  for (const change of changes) {
    if (change.kind !== 'alterTable') continue
    for (const c of change.changes) if (c.kind === 'alterColumn' && c.aspects.includes('type')) retyped.add(columnKey(change.to.name, c.to.name))
  }
  if (retyped.size === 0) return
  const fromTables = new Map(from.tables.map((t) => [names.tableKey(t), t]))
  for (const table of to.tables) {
    const current = fromTables.get(names.tableKey(table))
    if (current === undefined) continue
    const at = changes.findIndex((c) => c.kind === 'alterTable' && c.to === table)
    const alter = at < 0 ? undefined : (changes[at] as Extract<Change, { kind: 'alterTable' }>)
    const touched = new Set((alter?.changes ?? []).flatMap((c) => (c.kind === 'addForeignKey' || c.kind === 'dropForeignKey' ? [c.foreignKey.name ?? ''] : [])))
    const pinning = table.foreignKeys.filter(
      (fk) =>
        fk.name !== undefined &&
        !touched.has(fk.name) &&
        current.foreignKeys.some((old) => old.name !== undefined && names.key('indexes', old.name) === names.key('indexes', fk.name!)) &&
        (fk.columns.some((c) => retyped.has(columnKey(table.name, c))) || fk.refColumns.some((c) => retyped.has(columnKey(fk.refTable, c)))),
    )
    if (pinning.length === 0) continue
    const recreated: TableChange[] = [
      ...pinning.map((fk): TableChange => ({ kind: 'dropForeignKey', foreignKey: current.foreignKeys.find((old) => names.key('indexes', old.name ?? '') === names.key('indexes', fk.name!))! })),
      ...pinning.map((foreignKey): TableChange => ({ kind: 'addForeignKey', foreignKey })),
    ]
    if (alter === undefined) changes.push({ kind: 'alterTable', from: current, to: table, changes: recreated })
    else changes[at] = { ...alter, changes: [...recreated.filter((c) => c.kind === 'dropForeignKey'), ...alter.changes, ...recreated.filter((c) => c.kind === 'addForeignKey')] }
  }
}

function diffViews(from: readonly View[], to: readonly View[], changes: Change[], names: Names): void {
  const qualifiedName = (view: View): string => names.tableKey(view)
  const comparable = (view: View | undefined) => (view === undefined ? undefined : { ...view, definition: names.definition(view.definition) })
  const toByName = new Map(to.map((v) => [qualifiedName(v), v]))
  const recreated = new Set(from.filter((v) => !sameValue(comparable(v), comparable(toByName.get(qualifiedName(v))))).map(qualifiedName))
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

function diffObjects(from: readonly SchemaObject[], to: readonly SchemaObject[], changes: Change[], names: Names): void {
  // Namespaces (`schema` objects) are compared only when the target declares some: a schema module
  // written before they were modelled declares none, and must not read as "drop every schema".
  if (!to.some((o) => o.kind === 'schema')) from = from.filter((o) => o.kind !== 'schema')
  const objectKey = (object: SchemaObject): string =>
    canonical([object.kind, object.schema, object.table === undefined ? undefined : names.key('tables', object.table), object.name])
  // The table a trigger belongs to counts by its key only: SQLite stores it as the trigger text spells it.
  const comparable = (object: SchemaObject) => ({ ...object, table: undefined, definition: names.definition(object.definition) })
  const fromByKey = new Map(from.map((o) => [objectKey(o), o]))
  const toByKey = new Map(to.map((o) => [objectKey(o), o]))
  for (const object of from) if (!toByKey.has(objectKey(object))) changes.push({ kind: 'dropObject', object })
  for (const object of to) {
    const current = fromByKey.get(objectKey(object))
    if (current === undefined) changes.push({ kind: 'createObject', object })
    else if (!sameValue(comparable(current), comparable(object))) changes.push({ kind: 'alterObject', from: current, to: object })
  }
}

/** The keys names are matched by, per kind, from the dialect's `identifierCase`. */
class Names {
  constructor(
    private readonly cases: IdentifierCase | undefined,
    private readonly definitionKey?: (definition: string) => string,
  ) {}

  /** A view's or trigger's definition in the dialect's comparison form. */
  definition(text: string): string {
    return this.definitionKey === undefined ? text : this.definitionKey(text)
  }

  key(kind: NameKind, name: string): string {
    return nameKey(name, this.cases, kind)
  }

  /** A table's or view's key: its schema as is (schemas are case-sensitive), its name by `tables`. */
  tableKey(item: { readonly schema?: string; readonly name: string }): string {
    return qualifiedName({ schema: item.schema, name: this.key('tables', item.name) })
  }

  /** Whether two spellings of one name differ and the server keeps the spelling: a rename is due. */
  respell(kind: NameKind, from: string, to: string): boolean {
    return from !== to && this.cases?.[kind] === 'preserving'
  }
}
