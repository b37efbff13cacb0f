import type { Capabilities } from './plan.js'
import type { Change, TableChange } from './changes.js'
import type { ForeignKey, Schema, SchemaObject, Table, View } from './model.js'
import { qualifiedName } from './model.js'

export interface OrderContext {
  readonly from: Schema
  readonly to: Schema
  readonly capabilities?: Capabilities
}

/**
 * Namespaces, types and other objects that tables may use: created before tables (namespaces
 * first: everything else lives in one), dropped after them (namespaces last).
 */
const TABLE_PREREQUISITES: readonly SchemaObject['kind'][] = ['schema', 'extension', 'enum', 'domain', 'sequence']

/**
 * Objects that run against tables and may read others (trigger and policy functions, scheduled
 * events): created last, dropped first.
 */
const onTable = (o: SchemaObject): boolean => o.kind === 'trigger' || o.kind === 'policy' || o.kind === 'event'

/**
 * Puts changes in an order every dialect can execute:
 * views, triggers, policies and events (which depend on tables) are dropped first and created last;
 * namespaces before everything else and types before the
 * tables that use them; referenced tables before the tables whose FKs point at them; FKs dropped
 * before the tables they point at. Where the dialect checks FK targets at creation time
 * (`forwardForeignKeys` false), FKs in a cycle are detached and added after all tables exist.
 */
export function orderChanges(changes: readonly Change[], context: OrderContext): Change[] {
  const forward = context.capabilities?.forwardForeignKeys ?? true
  const of = <K extends Change['kind']>(kind: K) => changes.filter((c): c is Change & { readonly kind: K } => c.kind === kind)
  const objectsOf = (kind: 'createObject' | 'dropObject', test: (o: SchemaObject) => boolean) =>
    of(kind).filter((c) => test(c.object))
  const alteredObjects = (test: (o: SchemaObject) => boolean) => of('alterObject').filter((c) => test(c.to))
  const isPrerequisite = (o: SchemaObject) => TABLE_PREREQUISITES.includes(o.kind)
  const isTableLike = (o: SchemaObject) => o.kind === 'other'

  const dropViews = sortViews(of('dropView').map((c) => c.view)).reverse().map((view): Change => ({ kind: 'dropView', view }))
  const createViews = sortViews(of('createView').map((c) => c.view)).map((view): Change => ({ kind: 'createView', view }))

  const earlyAlters: Change[] = []
  const alters: Change[] = []
  const lateAlters: Change[] = []
  const altered = new Set(of('alterTable').map((c) => qualifiedName(c.to)))
  for (const original of of('alterTable')) {
    // An FK added to a table it does not live in, when that table changes too, goes after every
    // table has changed: the column it references may only now get its key or type.
    const lateFks = forward
      ? []
      : original.changes.filter((c) => c.kind === 'addForeignKey' && refKey(original.to, c.foreignKey) !== qualifiedName(original.to) && altered.has(refKey(original.to, c.foreignKey)))
    let change = original
    if (lateFks.length > 0) {
      const rest = original.changes.filter((c) => !lateFks.includes(c))
      const middle: Table = { ...original.to, foreignKeys: original.to.foreignKeys.filter((fk) => !lateFks.some((c) => c.kind === 'addForeignKey' && c.foreignKey === fk)) }
      lateAlters.push({ kind: 'alterTable', from: middle, to: original.to, changes: lateFks })
      if (rest.length === 0) continue
      change = { kind: 'alterTable', from: original.from, to: middle, changes: rest }
    }
    const fkDrops = change.changes.filter((c) => c.kind === 'dropForeignKey')
    if (forward || fkDrops.length === 0 || fkDrops.length === change.changes.length) {
      ;(fkDrops.length === change.changes.length ? earlyAlters : alters).push(change)
      continue
    }
    // FKs go first so the tables they point at can be dropped or changed; the rest follows.
    const dropped = new Set(fkDrops)
    const middle: Table = { ...change.from, foreignKeys: change.from.foreignKeys.filter((fk) => !fkDrops.some((d) => d.kind === 'dropForeignKey' && d.foreignKey === fk)) }
    earlyAlters.push({ kind: 'alterTable', from: change.from, to: middle, changes: fkDrops })
    alters.push({ kind: 'alterTable', from: middle, to: change.to, changes: change.changes.filter((c) => !dropped.has(c)) })
  }

  // Columns whose type changes: a new table's FK onto one is added once the type has changed.
  const retyped = new Set(
    of('alterTable').flatMap((c) => c.changes.flatMap((t) => (t.kind === 'alterColumn' && t.aspects.includes('type') ? [`${qualifiedName(c.to)}\u0000${t.to.name}`] : []))),
  )
  const { creates, detached } = orderCreates(of('createTable').map((c) => c.table), forward, retyped)
  const { drops, detachedDrops } = orderDrops(of('dropTable').map((c) => c.table), forward)

  return [
    ...dropViews,
    ...objectsOf('dropObject', onTable),
    ...objectsOf('dropObject', (o) => o.kind === 'function'),
    ...detachedDrops,
    ...earlyAlters,
    ...objectsOf('createObject', isPrerequisite).sort(byPrerequisiteKind),
    ...alteredObjects(isPrerequisite),
    ...of('renameTable'),
    ...creates,
    ...objectsOf('createObject', isTableLike),
    ...alters,
    ...lateAlters,
    ...detached,
    ...objectsOf('dropObject', isTableLike),
    ...drops,
    ...objectsOf('dropObject', isPrerequisite).sort(byPrerequisiteKind).reverse(),
    ...objectsOf('createObject', (o) => o.kind === 'function'),
    ...alteredObjects((o) => o.kind === 'function' || isTableLike(o)),
    ...createViews,
    ...objectsOf('createObject', onTable),
    ...alteredObjects(onTable),
  ]
}

function byPrerequisiteKind(a: Change, b: Change): number {
  const rank = (c: Change) => (c.kind === 'createObject' || c.kind === 'dropObject' ? TABLE_PREREQUISITES.indexOf(c.object.kind) : 0)
  return rank(a) - rank(b)
}

function refKey(table: Table, fk: ForeignKey): string {
  return qualifiedName({ schema: fk.refSchema ?? table.schema, name: fk.refTable })
}

/** Referenced tables first. FKs that close a cycle are detached when the dialect needs it. */
function orderCreates(tables: readonly Table[], forward: boolean, retyped: ReadonlySet<string>): { creates: Change[]; detached: Change[] } {
  const byKey = new Map(tables.map((t) => [qualifiedName(t), t]))
  const { order, backEdges } = topoSort(tables.map(qualifiedName), (key) => {
    const table = byKey.get(key)!
    return table.foreignKeys.map((fk) => refKey(table, fk)).filter((ref) => ref !== key && byKey.has(ref))
  })
  const creates: Change[] = []
  const detached: Change[] = []
  for (const key of order) {
    const table = byKey.get(key)!
    const cyclic = forward
      ? []
      : table.foreignKeys.filter((fk) => backEdges.has(`${key}\u0000${refKey(table, fk)}`) || fk.refColumns.some((c) => retyped.has(`${refKey(table, fk)}\u0000${c}`)))
    if (cyclic.length === 0) {
      creates.push({ kind: 'createTable', table })
      continue
    }
    const bare: Table = { ...table, foreignKeys: table.foreignKeys.filter((fk) => !cyclic.includes(fk)) }
    creates.push({ kind: 'createTable', table: bare })
    const adds: TableChange[] = cyclic.map((foreignKey) => ({ kind: 'addForeignKey', foreignKey }))
    detached.push({ kind: 'alterTable', from: bare, to: table, changes: adds })
  }
  return { creates, detached }
}

/** Referencing tables first; FKs inside a cycle of dropped tables are dropped beforehand. */
function orderDrops(tables: readonly Table[], forward: boolean): { drops: Change[]; detachedDrops: Change[] } {
  const byKey = new Map(tables.map((t) => [qualifiedName(t), t]))
  const { order, backEdges } = topoSort(tables.map(qualifiedName), (key) => {
    const table = byKey.get(key)!
    return table.foreignKeys.map((fk) => refKey(table, fk)).filter((ref) => ref !== key && byKey.has(ref))
  })
  const detachedDrops: Change[] = []
  const drops: Change[] = []
  for (const key of [...order].reverse()) {
    const table = byKey.get(key)!
    const cyclic = forward ? [] : table.foreignKeys.filter((fk) => backEdges.has(`${key}\u0000${refKey(table, fk)}`))
    if (cyclic.length > 0) {
      const bare: Table = { ...table, foreignKeys: table.foreignKeys.filter((fk) => !cyclic.includes(fk)) }
      detachedDrops.push({ kind: 'alterTable', from: table, to: bare, changes: cyclic.map((foreignKey) => ({ kind: 'dropForeignKey', foreignKey })) })
      drops.push({ kind: 'dropTable', table: bare })
    } else drops.push({ kind: 'dropTable', table })
  }
  return { drops, detachedDrops }
}

/**
 * Depth-first topological order (dependencies first), stable with respect to the input order.
 * `backEdges` holds `from\0to` for each dependency that closes a cycle.
 */
export function topoSort(keys: readonly string[], deps: (key: string) => readonly string[]): { order: string[]; backEdges: Set<string> } {
  const order: string[] = []
  const backEdges = new Set<string>()
  const state = new Map<string, 'visiting' | 'done'>()
  const visit = (key: string): void => {
    state.set(key, 'visiting')
    for (const dep of deps(key)) {
      const s = state.get(dep)
      if (s === 'visiting') backEdges.add(`${key}\u0000${dep}`)
      else if (s === undefined) visit(dep)
    }
    state.set(key, 'done')
    order.push(key)
  }
  for (const key of keys) if (!state.has(key)) visit(key)
  return { order, backEdges }
}

/** Views that mention another view's name come after it. */
function sortViews(views: readonly View[]): View[] {
  const byKey = new Map(views.map((v) => [qualifiedName(v), v]))
  const { order } = topoSort([...byKey.keys()], (key) => {
    const view = byKey.get(key)!
    return views.filter((other) => other !== view && mentionsName(view.definition, other.name)).map(qualifiedName)
  })
  return order.map((key) => byKey.get(key)!)
}

/** Whether SQL text mentions `name` as a whole word (quoted or not); a conservative dependency test. */
export function mentionsName(sql: string, name: string): boolean {
  return new RegExp(`(^|[^\\w$])${escapeRegExp(name)}([^\\w$]|$)`, 'i').test(sql)
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
