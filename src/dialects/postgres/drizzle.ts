import type { DrizzleDialect } from '../../target/drizzle/dialect.js'

/** drizzle-orm's pg-core schemas: drizzle-kit's PostgreSQL snapshot, diffed from an empty one. */
export const postgresDrizzle: DrizzleDialect = {
  tableKind: 'PgTable',
  tableFunction: 'pgTable (drizzle-orm/pg-core)',
  async createStatements(kit, imports, casing) {
    return kit.generateMigration(kit.generateDrizzleJson({}), kit.generateDrizzleJson(imports, undefined, undefined, casing))
  },
}
