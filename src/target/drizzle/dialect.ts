import type { Schema } from '../../schema/model.js'

/**
 * drizzle-kit's own history table, in a database drizzle-kit migrated: bookkeeping like migrator's
 * history table, not part of the schema, so never inspected (a diff would drop it).
 */
export const DRIZZLE_KIT_HISTORY = '__drizzle_migrations'

/** drizzle's `casing` option: how column keys without an explicit name become column names. */
export type DrizzleCasing = 'snake_case' | 'camelCase'

/**
 * The part of `drizzle-kit/api` migrator calls: each dialect's snapshot of a schema module's
 * exports, and the SQL that leads from one snapshot to another. Typed here rather than imported,
 * since drizzle-kit is the user's (optional) package.
 */
export interface DrizzleKitApi {
  generateDrizzleJson(imports: Record<string, unknown>, prevId?: string, schemaFilters?: string[], casing?: DrizzleCasing): unknown
  generateMigration(prev: unknown, cur: unknown): Promise<string[]>
  generateMySQLDrizzleJson(imports: Record<string, unknown>, prevId?: string, casing?: DrizzleCasing): Promise<unknown>
  generateMySQLMigration(prev: unknown, cur: unknown): Promise<string[]>
  generateSQLiteDrizzleJson(imports: Record<string, unknown>, prevId?: string, casing?: DrizzleCasing): Promise<unknown>
  generateSQLiteMigration(prev: unknown, cur: unknown): Promise<string[]>
}

/** drizzle-orm's entity kind of each dialect's tables. */
export type DrizzleTableKind = 'PgTable' | 'MySqlTable' | 'SQLiteTable'

/** A dialect's side of drizzle-orm schemas (`Driver.drizzle`): reading them as targets, writing them. */
export interface DrizzleDialect {
  /** drizzle-orm's entity kind of this dialect's tables (`PgTable`), to tell a schema's dialect. */
  readonly tableKind: DrizzleTableKind
  /** What a user calls this dialect's tables in drizzle (`pgTable`), for messages. */
  readonly tableFunction: string
  /** The statements drizzle-kit generates to create `imports` (a schema's exports) on an empty database. */
  createStatements(kit: DrizzleKitApi, imports: Record<string, unknown>, casing: DrizzleCasing | undefined): Promise<readonly string[]>
  /** A drizzle schema file declaring `schema` (`inspect --format drizzle`), and what it cannot declare. */
  render(schema: Schema): DrizzleFile
}

export interface DrizzleFile {
  readonly text: string
  /** What drizzle-orm cannot declare, left out of the file (`function public.f()`). */
  readonly unexpressed: readonly string[]
}
