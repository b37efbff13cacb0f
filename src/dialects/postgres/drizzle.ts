import type { Column } from '../../schema/model.js'
import type { DrizzleDialect } from '../../target/drizzle/dialect.js'
import { renderDrizzle, sqlTemplate, str, type BuilderCall, type DrizzleWriter, type EnumNames } from '../../target/drizzle/render.js'
import { stringLiterals } from '../../target/drizzle/sql-literal.js'

/** Types whose pg-core builder takes only the column name. */
const PLAIN: Readonly<Record<string, string>> = {
  integer: 'integer',
  smallint: 'smallint',
  text: 'text',
  boolean: 'boolean',
  jsonb: 'jsonb',
  json: 'json',
  uuid: 'uuid',
  date: 'date',
  real: 'real',
  'double precision': 'doublePrecision',
  inet: 'inet',
  cidr: 'cidr',
  macaddr: 'macaddr',
  interval: 'interval',
}

const SERIALS: Readonly<Record<string, string>> = { serial: 'serial', bigserial: 'bigserial', smallserial: 'smallserial' }

function builder(type: string, name: string, enums: EnumNames): BuilderCall | undefined {
  const n = str(name)
  if (type.endsWith('[]')) {
    const element = builder(type.slice(0, -2), name, enums)
    return element === undefined ? undefined : { call: `${element.call}.array()`, imports: element.imports }
  }
  const enumVar = enums.get(type.replace(/"/g, ''))
  if (enumVar !== undefined) return { call: `${enumVar}(${n})`, imports: [] }
  const plain = PLAIN[type]
  if (plain !== undefined) return { call: `${plain}(${n})`, imports: [plain] }
  if (type === 'bigint') return { call: `bigint(${n}, { mode: 'number' })`, imports: ['bigint'] }
  let m = /^(character varying|character)(?:\((\d+)\))?$/.exec(type)
  if (m !== null) {
    const fn = m[1] === 'character' ? 'char' : 'varchar'
    return { call: `${fn}(${n}${m[2] === undefined ? '' : `, { length: ${m[2]} }`})`, imports: [fn] }
  }
  m = /^numeric(?:\((\d+),(\d+)\))?$/.exec(type)
  if (m !== null) return { call: `numeric(${n}${m[1] === undefined ? '' : `, { precision: ${m[1]}, scale: ${m[2]} }`})`, imports: ['numeric'] }
  m = /^(timestamp|time)(?:\((\d+)\))? (with|without) time zone$/.exec(type)
  if (m !== null) {
    const options = [...(m[3] === 'with' ? ['withTimezone: true'] : []), ...(m[2] === undefined ? [] : [`precision: ${m[2]}`])]
    return { call: `${m[1]}(${n}${options.length === 0 ? '' : `, { ${options.join(', ')} }`})`, imports: [m[1]!] }
  }
  return undefined
}

const writer: DrizzleWriter = {
  module: 'drizzle-orm/pg-core',
  table: 'pgTable',
  view: 'pgView',
  materializedView: 'pgMaterializedView',
  schemaFunction: 'pgSchema',
  enumFunction: 'pgEnum',
  column(column: Column, name, enums) {
    const serial = column.options?.serial
    if (typeof serial === 'string' && SERIALS[serial] !== undefined) {
      return { call: `${serial}(${str(name)}${serial === 'bigserial' ? ", { mode: 'number' }" : ''})`, imports: [serial] }
    }
    return builder(column.type, name, enums)
  },
  // drizzle-kit quotes a type it does not know as a user type: one-word built-in names still resolve.
  customType: (type) => type,
  identity: (column) => (column.identity === undefined ? '' : column.identity.always ? '.generatedAlwaysAsIdentity()' : '.generatedByDefaultAsIdentity()'),
  primaryKey: () => '.primaryKey()',
  // A key on one column under PostgreSQL's own name for it is what `.primaryKey()` creates.
  inlinePrimaryKey: (table) => table.primaryKey!.columns.length === 1 && (table.primaryKey!.name ?? `${table.name}_pkey`) === `${table.name}_pkey`,
  indexPart(part, column) {
    const opclass = typeof part.options?.opclass === 'string' ? `.op(${str(part.options.opclass)})` : ''
    const nulls = part.options?.nulls === 'first' ? '.nullsFirst()' : part.options?.nulls === 'last' ? '.nullsLast()' : ''
    return `${column ?? sqlTemplate(part.expression ?? '')}${part.desc === true ? '.desc()' : ''}${nulls}${opclass}`
  },
  indexKeys: (method, parts) => (method === undefined || method === 'btree' ? `.on(${parts.join(', ')})` : `.using(${str(method)}, ${parts.join(', ')})`),
  // UNLOGGED, partitioning, storage parameters, row-level security.
  lostOptions: (table) => Object.keys(table.options),
  generatedMode: () => '',
  defaultSql: (expression) => expression,
  viewQuery: (view) => view.definition,
  enums: (objects) =>
    objects.flatMap((o) => {
      const labels = o.kind === 'enum' ? /AS ENUM \((.*)\)\s*$/s.exec(o.definition) : null
      return labels === null ? [] : [{ ...(o.schema === undefined ? {} : { schema: o.schema }), name: o.name, labels: stringLiterals(labels[1]!) }]
    }),
}

/** drizzle-orm's pg-core schemas: drizzle-kit's PostgreSQL snapshot, diffed from an empty one. */
export const postgresDrizzle: DrizzleDialect = {
  tableKind: 'PgTable',
  tableFunction: 'pgTable (drizzle-orm/pg-core)',
  async createStatements(kit, imports, casing) {
    return kit.generateMigration(kit.generateDrizzleJson({}), kit.generateDrizzleJson(imports, undefined, undefined, casing))
  },
  render: (schema) => renderDrizzle(schema, writer),
}
