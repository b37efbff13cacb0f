import type { Change } from '../../schema/changes.js'
import type { Check, Column, Index, Schema, SchemaObject, Table, View } from '../../schema/model.js'
import { qualifiedName } from '../../schema/model.js'
import { mentionsName } from '../../schema/order.js'
import { UnsupportedChangeError } from '../../errors.js'
import { castsTo, columnTypeOf, declaresType, labelsNamed, type EnumType } from './enum-type.js'
import { label } from './plan-context.js'
import { qualify } from './quote.js'

/**
 * What must be dropped before an enum's columns are converted to the rebuilt type and recreated
 * after, because PostgreSQL stores it with references to the old type (constants such as
 * `'a'::status` in a predicate) or refuses to convert a column it reads (views).
 */
export interface EnumDependents {
  /** Views to drop (in this order, dependents first) and recreate (in reverse order). */
  readonly views: readonly View[]
  readonly indexes: readonly { readonly table: Table; readonly index: Index }[]
  readonly checks: readonly { readonly table: Table; readonly check: Check }[]
  /** Defaults that name the type on columns of another type; re-set after the rebuild. */
  readonly defaults: readonly { readonly table: Table; readonly column: Column }[]
}

/**
 * The dependents of `type` in `schema` as the live database holds it when the rebuild runs, or an
 * UnsupportedChangeError naming the first dependent the rebuild cannot carry through: one that
 * names a label the rebuild removes (`removed`), or a kind of object it cannot drop and recreate.
 * Views, functions and triggers that `changes` drop have been dropped by then and do not count.
 */
export function enumDependents(schema: Schema | undefined, type: EnumType, changes: readonly Change[], removed: readonly string[]): EnumDependents {
  const enumName = label(type.object)
  // The enum's columns by table, partitions included (their own indexes and triggers read them too).
  const byTable = new Map<string, string[]>()
  for (const table of schema?.tables ?? []) {
    byTable.set(qualify(table), table.columns.filter((c) => columnTypeOf(type, c.type) !== undefined).map((c) => c.name))
  }
  const enumColumnsOf = (table: Table): readonly string[] => byTable.get(qualify(table)) ?? []
  // Does `text` on `table` read one of the table's enum columns, or name the type?
  const readsEnum = (table: Table, text: string): boolean => castsTo(type, text) || enumColumnsOf(table).some((c) => mentionsName(text, c))
  const refuseRemoved = (what: string, text: string, fix: string): void => {
    const named = labelsNamed(type, text).filter((l) => removed.includes(l))
    if (named.length === 0) return
    const labels = named.map((l) => `'${l}'`).join(', ')
    throw new UnsupportedChangeError(
      `${what} names ${named.length === 1 ? 'label' : 'labels'} ${labels}, which this change removes from enum ${enumName}; ${fix}`,
    )
  }
  const earlier = 'in an earlier migration, then remove the label'

  refuseObjects(schema, type, changes, (object) => byTable.get(qualify({ schema: object.schema, name: object.table ?? '' })) ?? [])

  const indexes: { table: Table; index: Index }[] = []
  const checks: { table: Table; check: Check }[] = []
  const defaults: { table: Table; column: Column }[] = []
  for (const table of schema?.tables ?? []) {
    const name = label(table)
    const mine = enumColumnsOf(table)
    for (const column of table.columns) {
      const isEnum = mine.includes(column.name)
      if (column.default !== undefined) refuseRemoved(`the default of column ${name}.${column.name}`, column.default, `change the default ${earlier}`)
      if (!isEnum && column.default !== undefined && castsTo(type, column.default)) defaults.push({ table, column })
      if (column.generated !== undefined && (isEnum || readsEnum(table, column.generated.expression))) {
        throw new UnsupportedChangeError(
          `generated column ${name}.${column.name} depends on enum ${enumName}, which this change rebuilds; PostgreSQL cannot convert it in place: ` +
            'drop the generated column in an earlier migration (or write this migration by hand)',
        )
      }
    }
    for (const index of table.indexes) {
      const text = [index.where ?? '', ...index.parts.map((p) => p.expression ?? '')].join('\n')
      if (!readsEnum(table, text)) continue
      refuseRemoved(`index ${index.name} on ${name}`, text, `drop or change the index ${earlier}`)
      indexes.push({ table, index })
    }
    for (const check of table.checks) {
      if (!castsTo(type, check.expression)) continue
      refuseRemoved(`check ${check.name ?? ''} on ${name}`, check.expression, `drop or change the check ${earlier}`)
      checks.push({ table, check })
    }
    refuseTableUses(table, type, mine, enumName)
  }
  return { views: dependentViews(schema, type, enumColumnsOf, changes, refuseRemoved), indexes, checks, defaults }
}

/** Foreign keys, partition keys and exclusion constraints over an enum column: no automatic rebuild. */
function refuseTableUses(table: Table, type: EnumType, mine: readonly string[], enumName: string): void {
  const name = label(table)
  const fk = table.foreignKeys.find((f) => f.columns.some((c) => mine.includes(c)))
  const refused = (what: string): never => {
    throw new UnsupportedChangeError(
      `${what} uses enum ${enumName}, which this change rebuilds; PostgreSQL cannot convert it in place: ` +
        'drop it in an earlier migration and recreate it afterwards (or write this migration by hand)',
    )
  }
  if (fk !== undefined) refused(`foreign key ${fk.name ?? ''} of ${name}`)
  const partitionBy = table.options.partitionBy
  if (typeof partitionBy === 'string' && (castsTo(type, partitionBy) || mine.some((c) => mentionsName(partitionBy, c)))) {
    refused(`the partition key of ${name}`)
  }
  for (const [key, value] of Object.entries(table.options)) {
    if (!key.startsWith('exclude:') || typeof value !== 'string') continue
    if (castsTo(type, value) || mine.some((c) => mentionsName(value, c))) refused(`exclusion constraint ${key.slice(8)} of ${name}`)
  }
}

/** Domains over (or checking against) the type, routines taking or returning it, triggers whose WHEN or column list reads it. */
function refuseObjects(
  schema: Schema | undefined,
  type: EnumType,
  changes: readonly Change[],
  enumColumnsOf: (trigger: SchemaObject) => readonly string[],
): void {
  const enumName = label(type.object)
  const dropped = (o: SchemaObject): boolean =>
    changes.some((c) => c.kind === 'dropObject' && c.object.kind === o.kind && c.object.name === o.name && c.object.schema === o.schema)
  for (const object of schema?.objects ?? []) {
    if (object === type.object || dropped(object)) continue
    if (object.kind === 'domain' && (declaresType(type, object.definition) || castsTo(type, object.definition))) {
      throw new UnsupportedChangeError(
        `domain ${label(object)} uses enum ${enumName}, which this change rebuilds; ` +
          'migrator does not rebuild domains: write this migration by hand (rebuild the domain and its columns too)',
      )
    }
    if (object.kind === 'function') {
      // A routine's signature and RETURNS clause depend on the type; so does a SQL-standard body
      // (BEGIN ATOMIC or RETURN), parsed at creation. A string body (AS $$…$$) is resolved when it runs.
      const at = object.definition.search(/\nAS /)
      const parsed = at < 0 ? object.definition : object.definition.slice(0, at)
      if (declaresType(type, object.name) || declaresType(type, parsed) || (at < 0 && castsTo(type, parsed))) {
        throw new UnsupportedChangeError(
          `${String(object.options?.type ?? 'function')} ${label(object)} takes, returns or embeds enum ${enumName}, which this change rebuilds; ` +
            'drop it in an earlier migration and recreate it afterwards (or write this migration by hand)',
        )
      }
    }
    if (object.kind === 'trigger') {
      // Only `UPDATE OF col, …` and `WHEN (…)` read columns; the function it executes is checked on its own.
      const head = object.definition.split(/\sEXECUTE\s/)[0] ?? ''
      const reads = [/\sOF\s(.*?)\sON\s/s.exec(head)?.[1] ?? '', /\sWHEN\s(.*)$/s.exec(head)?.[1] ?? ''].join('\n')
      if (castsTo(type, reads) || enumColumnsOf(object).some((c) => mentionsName(reads, c))) {
        throw new UnsupportedChangeError(
          `trigger ${object.name} on ${label({ schema: object.schema, name: object.table ?? '' })} reads a column of enum ${enumName} in its WHEN condition or column list, ` +
            'and PostgreSQL cannot convert such a column in place: drop the trigger in an earlier migration and recreate it afterwards (or write this migration by hand)',
        )
      }
    }
  }
}

/**
 * Views that read an enum column or name the type, plus the views built on them, that the live
 * database still has when the rebuild runs; dependents first.
 */
function dependentViews(
  schema: Schema | undefined,
  type: EnumType,
  enumColumnsOf: (table: Table) => readonly string[],
  changes: readonly Change[],
  refuseRemoved: (what: string, text: string, fix: string) => void,
): View[] {
  const droppedEarlier = new Set(changes.flatMap((c) => (c.kind === 'dropView' ? [qualifiedName(c.view)] : [])))
  const views = (schema?.views ?? []).filter((v) => !droppedEarlier.has(qualifiedName(v)))
  const tables = schema?.tables ?? []
  const reads = (v: View): boolean =>
    castsTo(type, v.definition) || tables.some((t) => mentionsName(v.definition, t.name) && enumColumnsOf(t).some((c) => mentionsName(v.definition, c)))
  const chosen = new Set(views.filter(reads))
  for (let grew = true; grew; ) {
    grew = false
    for (const v of views) {
      if (chosen.has(v) || ![...chosen].some((d) => mentionsName(v.definition, d.name))) continue
      chosen.add(v)
      grew = true
    }
  }
  // Creation order: a view after the chosen views it reads.
  const created: View[] = []
  const visit = (v: View, path: Set<View>): void => {
    if (created.includes(v) || path.has(v)) return
    path.add(v)
    for (const d of chosen) if (d !== v && mentionsName(v.definition, d.name)) visit(d, path)
    created.push(v)
  }
  for (const v of views) if (chosen.has(v)) visit(v, new Set())
  for (const v of created) {
    refuseRemoved(`view ${label(v)}`, v.definition, 'change the view in an earlier migration, then remove the label')
  }
  return created.reverse()
}
