import type { DrizzleDialect } from '../../target/drizzle/dialect.js'

/** drizzle-orm's mysql-core schemas: drizzle-kit's MySQL snapshot, diffed from an empty one. */
export const mysqlDrizzle: DrizzleDialect = {
  tableKind: 'MySqlTable',
  tableFunction: 'mysqlTable (drizzle-orm/mysql-core)',
  async createStatements(kit, imports, casing) {
    return kit.generateMySQLMigration(await kit.generateMySQLDrizzleJson({}), await kit.generateMySQLDrizzleJson(imports, undefined, casing))
  },
}
