import type { DialectName } from './dialects.js'

/** A value bound as a parameter when seeding: bigint for 64-bit integers, strings for decimals and timestamps. */
export type Value = string | number | bigint | null

/** A row of text values (NULL stays null), in the order the columns were asked for. */
export type TextRow = readonly (string | null)[]

/**
 * One scenario's database, reached through the engine's own driver (never through migrator), so
 * what a scenario seeds and checks does not depend on the code under test.
 */
export interface RawDb {
  readonly dialect: DialectName
  /** The URL migrator is given (config `url` and DATABASE_URL). */
  readonly url: string
  /** Runs the scenario's own SQL: one or more statements, each ending with `;`. */
  exec(sql: string): Promise<void>
  /** Inserts rows with bound values; a row may leave columns out, which then take their DEFAULT. */
  insert(table: string, rows: readonly Readonly<Record<string, Value>>[]): Promise<void>
  /** Every row of `table` ordered by its primary key `id`, each column as the engine's text of its value. */
  rows(table: string, columns: readonly string[]): Promise<readonly TextRow[]>
  /** Runs a query of the scenario's own and returns its rows as text. */
  select(sql: string): Promise<readonly TextRow[]>
  /** The columns of `table` in order; empty when the table does not exist. */
  columns(table: string): Promise<readonly string[]>
  /**
   * A full logical dump: every schema object, every row of every table (the history table
   * included), in a stable order. Equal dumps mean an unchanged database.
   */
  dump(): Promise<string>
  /** Closes the connection and drops the database. */
  dispose(): Promise<void>
}
