import type { Change } from './changes.js'

/** Why a statement deserves a reviewer's attention; written into the generated file header. */
export type Risk = 'data-loss' | 'rewrite' | 'long-lock' | 'irreversible'

/** One forward statement of a plan, paired with the statements that undo it (Atlas migrate.Change). */
export interface Statement {
  /** Exactly one SQL statement, without a trailing semicolon. */
  readonly sql: string
  /** Statements that restore the structure this one changed, in execution order. Empty when impossible. */
  readonly reverse: readonly string[]
  readonly source: Change
  readonly risks: readonly Risk[]
  /** One line for humans: `add column users.email`. */
  readonly comment: string
  /**
   * Queries that must return a truthy value before the migration runs, because this statement
   * would otherwise lose stored values silently (a narrowing that rounds, a conversion that
   * truncates): e.g. `SELECT count(*) = 0 FROM "t" WHERE length("c") > 3`. Written into the up
   * file as `-- migrator:check-before` lines, so the migration fails and rolls back instead.
   */
  readonly guards?: readonly string[]
  /**
   * The statement deletes rows of a table that stays (a dropped partition), on purpose: its file
   * says `-- migrator:allow-row-change`, so the no-rows-lost check does not undo it. Consent for
   * those rows is asked beforehand (Driver.rowLosses).
   */
  readonly deletesRows?: boolean
}

export interface Plan {
  readonly statements: readonly Statement[]
  /** False when some statement must run outside a transaction (then the file gets `no-transaction`). */
  readonly transactional: boolean
}

/** What the dialect can do; neutral code branches on these, never on the dialect name. */
export interface Capabilities {
  /** DDL can be rolled back (PostgreSQL, SQLite). False: the runner undoes statement by statement. */
  readonly transactionalDdl: boolean
  /** Namespaces (PostgreSQL schemas) are part of object names. */
  readonly schemas: boolean
  /** A FOREIGN KEY may name a table that does not exist yet (SQLite); no need to order or detach. */
  readonly forwardForeignKeys: boolean
  /** Index names are unique per schema (PostgreSQL, SQLite) rather than per table (MySQL). */
  readonly schemaScopedIndexNames: boolean
  /**
   * `lock()` keeps every other runner out for the whole run (PostgreSQL advisory lock, MySQL
   * GET_LOCK). False (SQLite) means runners only serialize per migration transaction, so each
   * migration re-reads its history row inside its transaction.
   */
  readonly exclusiveRunnerLock: boolean
  /**
   * How the server matches names that differ only in letter case, per kind of name. Absent: every
   * kind is 'sensitive'. The differ matches names through `nameKey`, so a case-only difference on
   * a case-insensitive server is never a drop + add.
   */
  readonly identifierCase?: IdentifierCase
  /**
   * The comparison form of a view or trigger definition: two texts the server reads as the same
   * definition map to the same key (SQLite: identifiers unquoted and ASCII-folded, whitespace and
   * comments gone, because RENAME rewrites the stored text of the views and triggers that mention
   * the renamed name). Absent: definitions compare exactly. Pure.
   */
  readonly definitionKey?: (definition: string) => string
  /**
   * A column cannot change type while a foreign key uses or references it (MySQL/MariaDB refuse
   * it): the differ drops such keys first and adds them again after every table has changed.
   */
  readonly foreignKeysPinColumnTypes?: boolean
}

/**
 * How one kind of name compares:
 * - 'sensitive': `Users` and `users` are two names (PostgreSQL; MySQL tables with
 *   lower_case_table_names=0).
 * - 'preserving': one name, stored as spelled (MySQL/MariaDB columns and indexes, MySQL tables
 *   with lower_case_table_names=2). A case-only difference is matched, and the differ renames
 *   it to the target's spelling (renameTable/renameColumn/renameIndex from one spelling to the
 *   other): nothing is dropped, and the live spelling ends as declared.
 * - 'folding': one name, stored folded by the server (MySQL tables with lower_case_table_names=1).
 *   A case-only difference is no change at all.
 */
export type NameCase = 'sensitive' | 'preserving' | 'folding'

export interface IdentifierCase {
  /** Tables, and views where they share the tables' namespace; also the table a trigger names. */
  readonly tables: NameCase
  readonly columns: NameCase
  /** Index and constraint names (primary key, unique, foreign key, check). */
  readonly indexes: NameCase
  /**
   * Which letters a case-insensitive name folds: absent, every letter (MySQL/MariaDB); 'ascii',
   * only A-Z (SQLite: `"É"` and `"é"` are two tables).
   */
  readonly folds?: 'ascii'
}

/** The kinds of name IdentifierCase rules. */
export type NameKind = 'tables' | 'columns' | 'indexes'

/** The key a name of one kind is matched by: itself where case matters, else case-folded. */
export function nameKey(name: string, cases: IdentifierCase | undefined, kind: NameKind): string {
  const nameCase = cases?.[kind]
  if (nameCase === undefined || nameCase === 'sensitive') return name
  return cases?.folds === 'ascii' ? foldAscii(name) : name.toLowerCase()
}

/** `name` with A-Z lower-cased and every other character as is: how SQLite compares identifiers. */
export function foldAscii(name: string): string {
  return name.replace(/[A-Z]+/g, (letters) => letters.toLowerCase())
}

/**
 * One way a change can lose stored values: the rows of `table` for which `where` holds would not
 * keep their value of `column` exactly (see Driver.valueLosses).
 */
export interface ValueLoss {
  /** The table as messages name it (`public.users`, `users`). */
  readonly table: string
  readonly column: string
  /** The table as SQL names it, quoted for the dialect (`"public"."users"`). */
  readonly from: string
  /** A boolean SQL expression over one row of `from`, true when its value would be lost. */
  readonly where: string
  /** Why, for messages: `longer than 3 characters`, `label 'archived' removed from enum status`. */
  readonly reason: string
}

/**
 * Rows a change deletes altogether while the table stays (a dropped partition): the rows `from`
 * reads (see Driver.rowLosses).
 */
export interface RowLoss {
  /** The table as messages name it. */
  readonly table: string
  /** SQL naming exactly those rows, usable after FROM: `\`t\` PARTITION (\`p0\`)`. */
  readonly from: string
  /** What deletes them, for messages: `drops partition p0`. */
  readonly reason: string
}

/** The guard a statement carries for one ValueLoss: true when no row would lose its value. */
export function guardOf(loss: ValueLoss): string {
  return `SELECT count(*) = 0 FROM ${loss.from} WHERE ${loss.where}`
}
