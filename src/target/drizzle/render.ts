import type { DrizzleFile } from './dialect.js'
import { qualifiedName, type Column, type ForeignKey, type IndexPart, type Schema, type SchemaObject, type Table, type View } from '../../schema/model.js'

/**
 * What a dialect says when a schema is written as a drizzle-orm file (`inspect --format drizzle`).
 * Everything is written with explicit database names and every default as sql`…` in the
 * database's own normal form, so drizzle-kit regenerates exactly what was inspected.
 */
export interface DrizzleWriter {
  /** `drizzle-orm/pg-core`. */
  readonly module: string
  readonly table: string
  readonly view: string
  readonly materializedView?: string
  /** Namespaces and enum types (pg-core's `pgSchema`, `pgEnum`), where the dialect has them. */
  readonly schemaFunction?: string
  readonly enumFunction?: string
  /**
   * The builder call of a column without modifiers (`varchar('email', { length: 255 })`) and the
   * builders it uses; undefined when no builder writes the type (then a customType does).
   */
  column(column: Column, name: string, enums: EnumNames): BuilderCall | undefined
  /** The type text a customType gives drizzle-kit for `type`. */
  customType(type: string): string
  /** The modifier that makes `column` an identity / auto-increment column (empty when it is not). */
  identity(column: Column): string
  /** The modifier that makes `column` the primary key on its own (`.primaryKey()`). */
  primaryKey(column: Column): string
  /** Whether `table`'s primary key is written on its column (`.primaryKey()`) rather than as a table constraint. */
  inlinePrimaryKey(table: Table): boolean
  /** An index key part, given the column's reference (`t.email`) when it is one: `t.price.desc()`, sql`lower(email)`. */
  indexPart(part: IndexPart, column: string | undefined): string
  /** The index's keys (`.on(…)`, `.using('gin', …)`); undefined when drizzle cannot declare `method`. */
  indexKeys(method: string | undefined, parts: readonly string[]): string | undefined
  /** The table options (`Table.options`) drizzle cannot declare, by name. */
  lostOptions(table: Table): readonly string[]
  /** What follows the expression in `.generatedAlwaysAs(sql`…`…)` (`, { mode: 'stored' }`). */
  generatedMode(stored: boolean): string
  /** A default as the SQL inside sql`…`. */
  defaultSql(expression: string): string
  /** The query of a view, as drizzle-kit puts it after `AS`. */
  viewQuery(view: View): string
  /** The enum types of the schema (PostgreSQL `CREATE TYPE … AS ENUM`), with their labels. */
  enums(objects: readonly SchemaObject[]): readonly EnumType[]
}

export interface BuilderCall {
  readonly call: string
  readonly imports: readonly string[]
  /** What of the column the call does not declare (`ON UPDATE CURRENT_TIMESTAMP`). */
  readonly lost?: string
}

export interface EnumType {
  readonly schema?: string
  readonly name: string
  readonly labels: readonly string[]
}

/** Variable name of each enum type, by `schema.name` and by `name`. */
export type EnumNames = ReadonlyMap<string, string>

/** JavaScript's reserved words and the names the file imports (drizzle's builders), which variables must not take. */
const RESERVED = new Set(
  'integer smallint bigint serial bigserial smallserial text varchar char boolean jsonb json uuid date real doublePrecision inet cidr macaddr interval numeric timestamp time int tinyint mediumint tinytext mediumtext longtext double float year decimal datetime binary varbinary mysqlEnum blob index uniqueIndex unique primaryKey foreignKey check pgEnum pgSchema pgTable pgView pgMaterializedView mysqlTable mysqlView sqliteTable sqliteView break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await sql customType'.split(' '),
)

/** Hands out unique JavaScript identifiers derived from database names. */
class Identifiers {
  private readonly taken = new Set(RESERVED)
  constructor(reserved: Iterable<string>) {
    for (const name of reserved) this.taken.add(name)
  }
  take(name: string, suffix = ''): string {
    const words = name.split(/[^A-Za-z0-9]+/).filter((w) => w !== '')
    let base = words.map((w, i) => (i === 0 ? w.charAt(0).toLowerCase() + w.slice(1) : w.charAt(0).toUpperCase() + w.slice(1))).join('') || 'item'
    if (/^[0-9]/.test(base)) base = `_${base}`
    let candidate = base
    if (this.taken.has(candidate)) candidate = `${base}${suffix}`
    for (let n = 2; this.taken.has(candidate); n += 1) candidate = `${base}${suffix}${n}`
    this.taken.add(candidate)
    return candidate
  }
}

/** A JavaScript string literal. */
export const str = (text: string): string => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`
/** An sql`…` template holding `text` verbatim. */
export const sqlTemplate = (text: string): string => `sql\`${text.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${')}\``

const ACTIONS: Readonly<Record<ForeignKey['onDelete'], string>> = {
  'NO ACTION': 'no action',
  RESTRICT: 'restrict',
  CASCADE: 'cascade',
  'SET NULL': 'set null',
  'SET DEFAULT': 'set default',
}

/**
 * A drizzle-orm schema file declaring `schema`. What drizzle cannot declare (triggers, functions,
 * policies, …; deferrable foreign keys) is listed in a comment at the top, so it is not lost
 * unnoticed: such a file used as the target would drop it.
 */
export function renderDrizzle(schema: Schema, writer: DrizzleWriter): DrizzleFile {
  const imports = new Set<string>([writer.table])
  const custom = new Map<string, string>()
  const names = new Identifiers([writer.table, writer.view, ...(writer.materializedView === undefined ? [] : [writer.materializedView])])
  const enumTypes = writer.enums(schema.objects)
  const namespaces = [...new Set([...schema.tables, ...schema.views, ...enumTypes].flatMap((item) => (item.schema === undefined || item.schema === 'public' ? [] : [item.schema])))].sort()
  const namespaceVar = new Map(namespaces.map((ns) => [ns, names.take(ns, 'Schema')]))
  const enumVar = new Map<string, string>()
  for (const type of enumTypes) {
    const variable = names.take(type.name, 'Enum')
    enumVar.set(type.name, variable)
    if (type.schema !== undefined) enumVar.set(`${type.schema}.${type.name}`, variable)
  }
  const tableVar = new Map(schema.tables.map((table) => [key(table), names.take(table.name, 'Table')]))
  const columnKeys = new Map(schema.tables.map((table) => [key(table), keysOf(table)]))
  const unexpressed: string[] = schema.objects.filter((o) => o.kind !== 'schema' && o.kind !== 'enum').map((o) => `${o.kind} ${qualifiedName(o)}`)

  const body: string[] = []
  for (const [ns, variable] of namespaceVar) {
    imports.add(writer.schemaFunction!)
    body.push(`export const ${variable} = ${writer.schemaFunction}(${str(ns)})`)
  }
  for (const type of enumTypes) {
    const owner = type.schema === undefined || type.schema === 'public' ? undefined : namespaceVar.get(type.schema)
    if (owner === undefined) imports.add(writer.enumFunction!)
    body.push(`export const ${enumVar.get(type.name)} = ${owner === undefined ? writer.enumFunction : `${owner}.enum`}(${str(type.name)}, [${type.labels.map(str).join(', ')}])`)
  }
  if (body.length > 0) body.push('')

  for (const table of schema.tables) {
    const keyOf = columnKeys.get(key(table))!
    const ref = (column: string): string => `t.${keyOf.get(column) ?? column}`
    const inlinePk = table.primaryKey !== undefined && writer.inlinePrimaryKey(table)
    if (table.comment !== undefined) unexpressed.push(`comment on table ${qualifiedName(table)}`)
    for (const option of writer.lostOptions(table)) unexpressed.push(`${option} of table ${qualifiedName(table)}`)
    const columns = table.columns.map((column) => {
      if (column.comment !== undefined) unexpressed.push(`comment on column ${qualifiedName(table)}.${column.name}`)
      if (column.collation !== undefined) unexpressed.push(`collation ${column.collation} of column ${qualifiedName(table)}.${column.name}`)
      // drizzle-kit declares a primary key column NOT NULL, which SQLite does not require.
      if (inlinePk && table.primaryKey!.columns[0] === column.name && column.nullable) unexpressed.push(`NULL allowed in primary key column ${qualifiedName(table)}.${column.name}`)
      const builder = writer.column(column, column.name, enumVar) ?? customColumn(column)
      builder.imports.forEach((i) => imports.add(i))
      if (builder.lost !== undefined) unexpressed.push(`${builder.lost} of column ${qualifiedName(table)}.${column.name}`)
      const modifiers = [
        inlinePk && table.primaryKey!.columns[0] === column.name ? writer.primaryKey(column) : '',
        writer.identity(column),
        column.nullable || (inlinePk && table.primaryKey!.columns[0] === column.name) ? '' : '.notNull()',
        column.default === undefined ? '' : `.default(${sqlTemplate(writer.defaultSql(column.default))})`,
        column.generated === undefined ? '' : `.generatedAlwaysAs(${sqlTemplate(column.generated.expression)}${writer.generatedMode(column.generated.stored)})`,
      ].join('')
      return `  ${keyOf.get(column.name)}: ${builder.call}${modifiers},`
    })
    const extras: string[] = []
    if (table.primaryKey !== undefined && !inlinePk) {
      imports.add('primaryKey')
      const name = table.primaryKey.name === undefined ? '' : `name: ${str(table.primaryKey.name)}, `
      extras.push(`primaryKey({ ${name}columns: [${table.primaryKey.columns.map(ref).join(', ')}] })`)
    }
    for (const unique of table.uniques) {
      imports.add('unique')
      const nullsNotDistinct = unique.options?.nullsNotDistinct === true ? '.nullsNotDistinct()' : ''
      extras.push(`unique(${unique.name === undefined ? '' : str(unique.name)}).on(${unique.columns.map(ref).join(', ')})${nullsNotDistinct}`)
    }
    for (const index of table.indexes) {
      const keys = writer.indexKeys(index.method, index.parts.map((part) => writer.indexPart(part, part.column === undefined ? undefined : ref(part.column))))
      if (keys === undefined) {
        unexpressed.push(`${index.method} index ${index.name} on ${qualifiedName(table)}`)
        continue
      }
      const fn = index.unique ? 'uniqueIndex' : 'index'
      imports.add(fn)
      extras.push(`${fn}(${str(index.name)})${keys}${index.where === undefined ? '' : `.where(${sqlTemplate(index.where)})`}`)
    }
    for (const fk of table.foreignKeys) {
      const target = schema.tables.find((t) => t.name === fk.refTable && (fk.refSchema === undefined || (t.schema ?? 'public') === fk.refSchema))
      if (target === undefined) {
        unexpressed.push(`foreign key ${fk.name ?? fk.columns.join(', ')} of ${qualifiedName(table)} (its table ${fk.refTable} is not in this schema)`)
        continue
      }
      if (fk.deferrable !== undefined) unexpressed.push(`DEFERRABLE of foreign key ${fk.name ?? fk.columns.join(', ')} on ${qualifiedName(table)}`)
      imports.add('foreignKey')
      const targetRef = (column: string): string => (target === table ? ref(column) : `${tableVar.get(key(target))}.${columnKeys.get(key(target))!.get(column) ?? column}`)
      const name = fk.name === undefined ? '' : `name: ${str(fk.name)}, `
      const actions = `${fk.onDelete === 'NO ACTION' ? '' : `.onDelete(${str(ACTIONS[fk.onDelete])})`}${fk.onUpdate === 'NO ACTION' ? '' : `.onUpdate(${str(ACTIONS[fk.onUpdate])})`}`
      extras.push(`foreignKey({ ${name}columns: [${fk.columns.map(ref).join(', ')}], foreignColumns: [${fk.refColumns.map(targetRef).join(', ')}] })${actions}`)
    }
    for (const check of table.checks) {
      imports.add('check')
      extras.push(`check(${str(check.name ?? `${table.name}_check`)}, ${sqlTemplate(check.expression)})`)
    }
    const owner = table.schema === undefined || table.schema === 'public' ? undefined : namespaceVar.get(table.schema)
    const open = `export const ${tableVar.get(key(table))} = ${owner === undefined ? writer.table : `${owner}.table`}(${str(table.name)}, {`
    const close = extras.length === 0 ? '})' : `}, (t) => [\n${extras.map((e) => `  ${e},`).join('\n')}\n])`
    body.push(open, ...columns, close, '')
  }

  for (const view of schema.views) {
    const owner = view.schema === undefined || view.schema === 'public' ? undefined : namespaceVar.get(view.schema)
    const fn = view.materialized === true ? writer.materializedView : writer.view
    if (fn === undefined) {
      unexpressed.push(`materialized view ${qualifiedName(view)}`)
      continue
    }
    if (owner === undefined) imports.add(fn)
    const call = owner === undefined ? fn : `${owner}.${view.materialized === true ? 'materializedView' : 'view'}`
    body.push(`export const ${names.take(view.name, 'View')} = ${call}(${str(view.name)}, {}).as(${sqlTemplate(writer.viewQuery(view))})`, '')
  }

  const customs = [...custom].map(([type, variable]) => `const ${variable} = customType<{ data: unknown }>({ dataType: () => ${str(writer.customType(type))} })`)
  const header = [
    '// Written by `migrator inspect --format drizzle`: the live schema as drizzle-orm declarations.',
    '// Names are the database\'s; defaults, CHECKs, index predicates and views are SQL in its normal form.',
    ...(unexpressed.length === 0
      ? []
      : ['// Not expressible in drizzle-orm, so not declared here (a target made of this file would drop them):', ...unexpressed.map((u) => `//   ${u}`)]),
    "import { sql } from 'drizzle-orm'",
    `import { ${[...imports, ...(custom.size > 0 ? ['customType'] : [])].sort().join(', ')} } from ${str(writer.module)}`,
    '',
    ...(customs.length === 0 ? [] : [...customs, '']),
  ]
  return { text: `${[...header, ...body].join('\n').trimEnd()}\n`, unexpressed }

  function customColumn(column: Column): BuilderCall {
    let variable = custom.get(column.type)
    if (variable === undefined) {
      variable = names.take(`${column.type.replace(/\(.*$/, '')} type`)
      custom.set(column.type, variable)
    }
    return { call: `${variable}(${str(column.name)})`, imports: [] }
  }
}

/** The key of each column in the table's drizzle object (`created_at` → `createdAt`). */
function keysOf(table: Table): ReadonlyMap<string, string> {
  const keys = new Identifiers([])
  return new Map(table.columns.map((c) => [c.name, keys.take(c.name)]))
}

/**
 * An index key part where drizzle's columns have no `.desc()` (mysql-core, sqlite-core): the column,
 * or SQL naming it (sql`${t.price} desc`), or the expression.
 */
export function plainIndexPart(part: IndexPart, column: string | undefined): string {
  if (column === undefined) return sqlTemplate(part.expression ?? '')
  return part.desc === true ? `sql\`\${${column}} desc\`` : column
}

const key = (table: Table): string => `${table.schema ?? ''}.${table.name}`
