import type { Column, ForeignKey, Index, Table } from '../schema/model.js'

/** One statement of a phase file with the statements that undo it (run newest first by the down file). */
export interface Step {
  /** One statement, without a trailing semicolon. */
  readonly sql: string
  /** Empty when there is nothing to undo (a VALIDATE) or nothing can be undone. */
  readonly reverse: readonly string[]
  /**
   * False when the statement must not share a transaction with its neighbours (PostgreSQL
   * CONCURRENTLY, or VALIDATE after NOT VALID, which would otherwise hold the strong lock the
   * split exists to avoid): the phase file then gets `-- migrator:no-transaction`.
   */
  readonly transactional: boolean
}

/**
 * The dialect SQL the expand/contract planner (src/zero-downtime/plan.ts) needs. Implemented per
 * dialect in src/dialects/<d>/zero-downtime.ts; a method returning undefined means "no safer form
 * here": the change stays in the ordinary migration.
 */
export interface ZeroDowntimeSql {
  quoteIdent(name: string): string
  /** `table` as written in statements (schema-qualified where the dialect has schemas). */
  qualify(table: Table): string
  /**
   * Adds `column` as NULLable (its default, if it has one, given to the existing rows and kept for
   * new ones), without a table rewrite where the server allows. The planner passes a column without
   * default when the existing rows must stay NULL for a backfill.
   */
  addNullableColumn(table: Table, column: Column): readonly Step[]
  /** Adds a NOT NULL column with its default in one step without rewrite or long lock; undefined when impossible. */
  addNotNullColumnInstantly(table: Table, column: Column): Step | undefined
  /** Makes `column` NOT NULL without a long exclusive lock. */
  setNotNull(table: Table, column: Column): readonly Step[]
  /** Makes a NOT NULL `column` NULLable without a table copy; the reverse restores NOT NULL. */
  dropNotNull(table: Table, column: Column): readonly Step[]
  /** Gives the existing `column` its `default` without touching rows (no step without one); the reverse removes it. */
  setDefault(table: Table, column: Column): readonly Step[]
  /** Drops `column`; the reverse re-adds it as NULLable (data is the planner's business). */
  dropColumn(table: Table, column: Column): Step
  /** Triggers keeping `a` and `b` equal (converted between their types) on every INSERT and UPDATE. */
  createSync(table: Table, a: Column, b: Column): readonly Step[]
  /** Drops what createSync created; the reverse recreates it. */
  dropSync(table: Table, a: Column, b: Column): readonly Step[]
  /** `expr` (a value of column `from`'s type) converted to the type of `to`, as an SQL expression. */
  convert(expr: string, from: Column, to: Column): string
  /** A predicate true when `a` and `b`, two values of `column`'s type, differ; NULL equals NULL. */
  isDistinct(a: string, b: string, column: Column): string
  /**
   * Replaces `old` by `replacement` (a column added by the expand phase, without default) under the
   * final name: drops the sync triggers and `old`, renames `replacement` to `final.name` and gives it
   * `final.default`, as atomically as the dialect allows. Reverses restore both columns (`old` with
   * its data and NOT NULL, `replacement` without default) and the triggers.
   */
  swapColumns(table: Table, old: Column, replacement: Column, final: Column): readonly Step[]
  /** Builds `index` on an existing table without blocking writes; undefined when impossible. */
  createIndex(table: Table, index: Index): readonly Step[] | undefined
  /** Adds `fk` without a long lock (PostgreSQL NOT VALID + VALIDATE); undefined when impossible. */
  addForeignKey(table: Table, fk: ForeignKey): readonly Step[] | undefined
  /** Identifier length limit, for generated names (`<column>__new`, trigger names). */
  readonly maxIdentifierLength: number
}
