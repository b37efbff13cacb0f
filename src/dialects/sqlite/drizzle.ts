import type { DrizzleDialect } from '../../target/drizzle/dialect.js'

/** drizzle-orm's sqlite-core schemas: drizzle-kit's SQLite snapshot, diffed from an empty one. */
export const sqliteDrizzle: DrizzleDialect = {
  tableKind: 'SQLiteTable',
  tableFunction: 'sqliteTable (drizzle-orm/sqlite-core)',
  async createStatements(kit, imports, casing) {
    return kit.generateSQLiteMigration(await kit.generateSQLiteDrizzleJson({}), await kit.generateSQLiteDrizzleJson(imports, undefined, casing))
  },
}
