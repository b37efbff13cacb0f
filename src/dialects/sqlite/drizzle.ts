import type { DrizzleDialect } from '../../target/drizzle/dialect.js'
import { plainIndexPart, renderDrizzle, str, type DrizzleWriter } from '../../target/drizzle/render.js'
import { isLiteralDefault } from '../../target/drizzle/sql-literal.js'

/** SQLite types with a sqlite-core builder of their own (others are written as declared, by a customType). */
const BUILDERS = new Set(['integer', 'text', 'real', 'blob', 'numeric'])

/** `CREATE VIEW name AS ` (SQLite stores a view as the statement that created it). */
const CREATE_VIEW = /^\s*CREATE\s+(?:TEMP\s+|TEMPORARY\s+)?VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\]|[^\s(]+)\s+AS\s+/i

const writer: DrizzleWriter = {
  module: 'drizzle-orm/sqlite-core',
  table: 'sqliteTable',
  view: 'sqliteView',
  column: (column, name) => (BUILDERS.has(column.type) ? { call: `${column.type}(${str(name)})`, imports: [column.type] } : undefined),
  customType: (type) => type,
  // AUTOINCREMENT is part of the column's PRIMARY KEY clause.
  identity: () => '',
  primaryKey: (column) => (column.identity === undefined ? '.primaryKey()' : '.primaryKey({ autoIncrement: true })'),
  inlinePrimaryKey: (table) => table.primaryKey!.columns.length === 1 && table.primaryKey!.name === undefined,
  indexPart: plainIndexPart,
  indexKeys: (method, parts) => (method === undefined ? `.on(${parts.join(', ')})` : undefined),
  // WITHOUT ROWID, STRICT.
  lostOptions: (table) => Object.keys(table.options),
  generatedMode: (stored) => (stored ? ", { mode: 'stored' }" : ", { mode: 'virtual' }"),
  // drizzle-kit writes sql`…` after DEFAULT as it is; SQLite takes an expression only in parentheses.
  defaultSql: (expression) => (isLiteralDefault(expression) ? expression : `(${expression})`),
  viewQuery: (view) => view.definition.replace(CREATE_VIEW, ''),
  enums: () => [],
}

/** drizzle-orm's sqlite-core schemas: drizzle-kit's SQLite snapshot, diffed from an empty one. */
export const sqliteDrizzle: DrizzleDialect = {
  tableKind: 'SQLiteTable',
  tableFunction: 'sqliteTable (drizzle-orm/sqlite-core)',
  async createStatements(kit, imports, casing) {
    return kit.generateSQLiteMigration(await kit.generateSQLiteDrizzleJson({}), await kit.generateSQLiteDrizzleJson(imports, undefined, casing))
  },
  render: (schema) => renderDrizzle(schema, writer),
}
