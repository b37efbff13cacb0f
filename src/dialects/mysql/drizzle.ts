import type { DrizzleDialect } from '../../target/drizzle/dialect.js'
import { plainIndexPart, renderDrizzle, str, type BuilderCall, type DrizzleWriter } from '../../target/drizzle/render.js'
import { isLiteralDefault, stringLiterals } from '../../target/drizzle/sql-literal.js'

/** Types whose mysql-core builder takes only the column name. */
const PLAIN: Readonly<Record<string, string>> = {
  int: 'int',
  smallint: 'smallint',
  tinyint: 'tinyint',
  mediumint: 'mediumint',
  'tinyint(1)': 'boolean',
  text: 'text',
  tinytext: 'tinytext',
  mediumtext: 'mediumtext',
  longtext: 'longtext',
  json: 'json',
  date: 'date',
  double: 'double',
  float: 'float',
  year: 'year',
}

function builder(type: string, name: string, onUpdate: boolean): BuilderCall | undefined {
  const n = str(name)
  const unsigned = / unsigned$/.test(type)
  const base = type.replace(/ unsigned$/, '')
  const plain = PLAIN[base]
  if (plain !== undefined && (!unsigned || /int$/.test(plain))) return { call: `${plain}(${n}${unsigned ? ', { unsigned: true }' : ''})`, imports: [plain] }
  if (base === 'bigint') return { call: `bigint(${n}, { mode: 'number'${unsigned ? ', unsigned: true' : ''} })`, imports: ['bigint'] }
  if (unsigned) return undefined
  let m = /^(varchar|char|binary|varbinary)\((\d+)\)$/.exec(type)
  if (m !== null) return { call: `${m[1]}(${n}, { length: ${m[2]} })`, imports: [m[1]!] }
  m = /^decimal\((\d+),(\d+)\)$/.exec(type)
  if (m !== null) return { call: `decimal(${n}, { precision: ${m[1]}, scale: ${m[2]} })`, imports: ['decimal'] }
  m = /^(datetime|timestamp|time)(?:\((\d)\))?$/.exec(type)
  if (m !== null) {
    // Only mysql-core's timestamp() has .onUpdateNow().
    const update = onUpdate && m[1] === 'timestamp' ? '.onUpdateNow()' : ''
    const lost = onUpdate && update === '' ? { lost: 'ON UPDATE CURRENT_TIMESTAMP' } : {}
    return { call: `${m[1]}(${n}${m[2] === undefined ? '' : `, { fsp: ${m[2]} }`})${update}`, imports: [m[1]!], ...lost }
  }
  m = /^enum\((.*)\)$/s.exec(type)
  if (m !== null) return { call: `mysqlEnum(${n}, [${stringLiterals(m[1]!).map(str).join(', ')}])`, imports: ['mysqlEnum'] }
  return undefined
}

const writer: DrizzleWriter = {
  module: 'drizzle-orm/mysql-core',
  table: 'mysqlTable',
  view: 'mysqlView',
  column: (column, name) => builder(column.type, name, column.options?.onUpdate !== undefined),
  customType: (type) => type,
  identity: (column) => (column.identity === undefined ? '' : '.autoincrement()'),
  primaryKey: () => '.primaryKey()',
  inlinePrimaryKey: (table) => table.primaryKey!.columns.length === 1,
  indexPart: plainIndexPart,
  // mysql-core declares BTREE and HASH indexes; FULLTEXT and SPATIAL ones it cannot.
  indexKeys: (method, parts) => (method === undefined || method === 'btree' ? `.on(${parts.join(', ')})` : method === 'hash' ? `.on(${parts.join(', ')}).using('hash')` : undefined),
  // Engine, charset and collation are the scratch database's defaults unless declared otherwise, which drizzle cannot.
  lostOptions: () => [],
  generatedMode: (stored) => (stored ? ", { mode: 'stored' }" : ", { mode: 'virtual' }"),
  // drizzle-kit writes sql`…` after DEFAULT as it is; MySQL takes an expression only in parentheses.
  defaultSql: (expression) => (isLiteralDefault(expression) ? expression : `(${expression})`),
  viewQuery: (view) => view.definition,
  enums: () => [],
}

/** drizzle-orm's mysql-core schemas: drizzle-kit's MySQL snapshot, diffed from an empty one. */
export const mysqlDrizzle: DrizzleDialect = {
  tableKind: 'MySqlTable',
  tableFunction: 'mysqlTable (drizzle-orm/mysql-core)',
  async createStatements(kit, imports, casing) {
    return kit.generateMySQLMigration(await kit.generateMySQLDrizzleJson({}), await kit.generateMySQLDrizzleJson(imports, undefined, casing))
  },
  render: (schema) => renderDrizzle(schema, writer),
}
