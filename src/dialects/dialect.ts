import type { Db } from '../db.js'
import type { DatabaseUrl } from '../config/url.js'
import type { Change } from '../schema/changes.js'
import type { Schema, Table } from '../schema/model.js'
import type { TableChecksum } from '../safety/untouched.js'
import type { ZeroDowntimeSql } from '../zero-downtime/dialect-sql.js'
import type { CopySupport } from '../copy/types.js'
import type { LintHookContext, LintFinding } from '../lint/finding.js'
import type { Capabilities, Plan, RowLoss, ValueLoss } from '../schema/plan.js'
import type { SoundnessFinding } from '../safety/soundness.js'
import type { DrizzleDialect } from '../target/drizzle/dialect.js'

export type DialectName = 'postgres' | 'mysql' | 'sqlite'

export interface InspectOptions {
  /**
   * Namespaces (PostgreSQL schemas) to inspect; absent: every user namespace of the database.
   * Ignored where `capabilities.schemas` is false.
   */
  readonly schemas?: readonly string[]
  /**
   * The `schemas` are the ones the connection is bound to (`Driver.scope`): what they hold is
   * reported, not the namespaces themselves, which the connection takes as given (PostgreSQL
   * creates a missing one with the history table).
   */
  readonly bound?: boolean
  /** Tables never reported (the history table). */
  readonly exclude?: readonly string[]
  /**
   * Inspect through this connection instead of `driver.db`: the runner's post-checks pass the
   * migration's own transaction so its uncommitted DDL is seen (and a single pooled connection
   * busy with that transaction is not waited for). Single-connection drivers (SQLite) may ignore it.
   */
  readonly db?: Db
}

export interface PlanOptions {
  /** The whole schemas the changes lead from and to: SQLite needs them to recreate triggers and
   * views around a table rebuild, PostgreSQL to find views that depend on an altered column. */
  readonly current?: Schema
  readonly desired?: Schema
  /** PostgreSQL: build new indexes on existing tables with CONCURRENTLY (non-transactional plan). */
  readonly concurrentIndexes?: boolean
}

/** A scratch database of the same dialect, for normalizing targets and replaying directories. */
export interface ScratchDriver extends Driver {
  /** Drops a temporary scratch database, or empties a devUrl database back to how it was found; safe to call twice. */
  drop(): Promise<void>
}

/** A dialect bound to one open database. */
export interface Driver {
  readonly dialect: DialectName
  readonly url: DatabaseUrl
  readonly db: Db
  readonly capabilities: Capabilities
  /** Server facts for messages and the history row: `SQLite 3.45.1`, `PostgreSQL 15.4`, `MariaDB 10.11.6`. */
  readonly serverVersion: string
  /**
   * Where `capabilities.schemas`: the namespaces the connection's URL binds it to (PostgreSQL: the
   * `search_path` it sets), which commands manage when the config names no `schemas`. Absent: the
   * whole database.
   */
  readonly scope?: readonly string[]
  inspect(options?: InspectOptions): Promise<Schema>
  /** Pure: no queries. Statements in execution order, each with its reverse. */
  plan(changes: readonly Change[], options?: PlanOptions): Plan
  /** Splits a script into statements; `line` is the 1-based line where each starts. */
  splitStatements(sql: string): readonly { readonly sql: string; readonly line: number }[]
  quoteIdent(name: string): string
  /**
   * Takes the migration lock named `name` (the history table: runners sharing one serialize,
   * projects with their own history table in one database do not), waiting up to `timeoutMs`;
   * throws LockTimeoutError. Returns the release function.
   */
  lock(name: string, timeoutMs: number): Promise<() => Promise<void>>
  /**
   * Bounds how long each statement of the current transaction waits for a table lock
   * (PostgreSQL `SET LOCAL lock_timeout`, MySQL `lock_wait_timeout`); a no-op where meaningless.
   */
  applyLockTimeout(tx: Db, timeoutMs: number): Promise<void>
  /**
   * The same bound for the whole session (`timeoutMs`), or back to the server's default
   * (undefined): the runner sets it once for a series of migrations instead of once in each. Runs
   * outside any transaction, so a rollback does not undo it; a no-op where meaningless.
   */
  sessionLockTimeout(db: Db, timeoutMs: number | undefined): Promise<void>
  /**
   * Optional: whether a statement waits for other transactions by design (PostgreSQL's
   * `CONCURRENTLY` forms wait for every older transaction to end), so that a lock timeout would
   * only fail it part-way (leaving an INVALID index). A statement-by-statement migration holding
   * one runs without the lock bound, as such statements do not block other sessions while waiting.
   */
  waitsForOtherTransactions?(sql: string): boolean
  /**
   * Optional, for dialects without transactional DDL: whether one statement can run inside a
   * transaction without an implicit commit (plain DML). The runner then applies consecutive such
   * statements, and migrations made only of them, in one transaction.
   */
  isTransactional?(sql: string): boolean
  /**
   * Optional, for dialects without transactional DDL: the schema objects one statement creates,
   * changes, drops or writes rows of, as keys that compare equal exactly when they name the same
   * object (`table \`t\``, `column \`t\`.\`c\``, `index \`t\`.\`i\``); undefined when the dialect
   * cannot tell. Pure. The statement-by-statement runner undoes a partly applied migration with a
   * hand-written down file only when, for n statements each, down statement n-i+1 touches exactly
   * the objects up statement i touches; without this method it never pairs them.
   */
  objectsOf?(sql: string): readonly string[] | undefined
  /**
   * Optional, for dialects without transactional DDL: whether one statement that may or may not
   * have run (a run was killed while it ran) took effect, judged from `schema`, the live schema
   * inspected afterwards: true when everything it creates is there and everything it drops is
   * gone, false when none of that happened, undefined when its effect cannot be told from the
   * schema (a changed column type, table options, data). Pure. The runner resumes an interrupted
   * migration after that statement, or at it, and asks a human only when this says undefined.
   */
  statementTookEffect?(sql: string, schema: Schema): boolean | undefined
  /**
   * Optional: what loading a target does with a statement that is a session command rather than
   * schema (MySQL `USE db`), given the database the target describes: 'skip' it, or a message
   * saying why the target is wrong; undefined for any other statement (it runs).
   */
  targetSessionCommand?(sql: string, database: string | undefined): 'skip' | string | undefined
  /** Optional: whether `error` means a statement gave up waiting for a lock (looks through `cause`). */
  isLockTimeout?(error: unknown): boolean
  /**
   * Optional: the ways `change` can lose stored values (a narrowing that truncates or rounds, a
   * conversion that fails, an enum label that disappears), each as a row predicate. Pure. Lint
   * counts the rows each one matches on the live database; the planner turns each into a guard
   * (`Statement.guards`), so the migration fails instead of losing them.
   */
  valueLosses?(change: Change, options?: PlanOptions): readonly ValueLoss[]
  /**
   * Optional: the rows `change` deletes while their table stays (a dropped partition). Pure. Lint
   * counts them on the live database (DS106), and `up`/`down` refuse them without consent.
   */
  rowLosses?(change: Change, options?: PlanOptions): readonly RowLoss[]
  /** Optional: drizzle-orm schemas of this dialect, read as targets and written by `inspect --format drizzle`. */
  readonly drizzle?: DrizzleDialect
  /** `migrator copy`: the type mapping, value reading and writing, and session setup (src/copy). */
  readonly copy: CopySupport
  /** Optional: the SQL building blocks of expand/contract phases (`diff --zero-downtime`). */
  readonly zeroDowntimeSql?: ZeroDowntimeSql
  /**
   * Optional, where `capabilities.schemas`: the database's own schemas (not the server's catalogs),
   * sorted, platform-managed ones included: what a target may reach beyond the default scope, and
   * where fleets look for tenant schemas.
   */
  listSchemas?(): Promise<readonly string[]>
  /**
   * Optional, where `capabilities.schemas`: the URL of this database with connections bound to
   * `schema` alone (PostgreSQL: its `search_path`), so the objects, history table and migration
   * lock of a run opened with it all live in that schema (a fleet's tenant schemas).
   */
  scopedUrl?(schema: string): string
  /**
   * Optional, where `capabilities.schemas`: the statement that creates schema `name` when it is
   * missing, and the one that drops it (empty). A baseline creates the schemas its tables live in;
   * a target given as data (a schema module) names its schemas without creating them.
   */
  schemaStatements?(name: string): { readonly create: string; readonly drop: string }
  /**
   * Opens an empty scratch database (devUrl when given, else a temporary one on the same server)
   * whose session resolves unqualified names the way this one does (PostgreSQL: the same
   * `search_path`), so a target or migration written for this database loads there alike.
   */
  openScratch(devUrl?: DatabaseUrl): Promise<ScratchDriver>
  /** SQL for the history table, created with `IF NOT EXISTS`. */
  historyTableDdl(table: string): string
  /** SQL for the history's companion snapshot table (src/runner/snapshots.ts), created with `IF NOT EXISTS`. */
  snapshotTableDdl(table: string): string
  /** The transaction boundary texts a dry run prints. */
  readonly transactionSyntax: { readonly begin: string; readonly commit: string }
  close(): Promise<void>
  /**
   * Optional dialect-specific lint analyzers (src/lint): findings for one change of a migration
   * (PostgreSQL index without CONCURRENTLY, MySQL non-INSTANT ALTER, SQLite rebuild of a large
   * table). Pure: row estimates come in `context`.
   */
  lintChange?(change: Change, context: LintHookContext): readonly LintFinding[]
  /**
   * Optional: estimated row counts of `tables` (qualified names) from statistics; the lint risk
   * report falls back to `SELECT count(*)` when absent.
   */
  estimateRows?(tables: readonly string[]): Promise<ReadonlyMap<string, number>>
  /**
   * Optional: snapshot the whole database to the file `dest` (SQLite online backup API,
   * `pg_dump -Fc`, `mysqldump`). Throws a MigratorError when the tool is missing.
   */
  backup?(dest: string): Promise<void>
  /** Optional: replace the database's contents with the snapshot `file` written by `backup`. */
  restore?(file: string): Promise<void>
  /**
   * Optional, for the lock pre-check before each migration: other sessions that hold or wait for
   * locks on `tables` (unqualified names the migration mentions), or whose transaction has been
   * open for at least `options.longTransactionMs`. Reads only.
   */
  blockingActivity?(tables: readonly string[], options: ActivityOptions): Promise<readonly SessionActivity[]>
  /**
   * Optional, for `migrator verify`: what is unsound in the database (corruption, invalid indexes,
   * unvalidated constraints, foreign-key orphans) in the inspected schemas, `options.exclude` left out. Reads only.
   */
  verify?(options: InspectOptions): Promise<readonly SoundnessFinding[]>
  /**
   * For `up --verify`, on `db` (a migration's transaction, or the connection): the exact row count
   * of `table` and an order-independent checksum of its rows' values, computed by the server where
   * it can hash. A table of more than `sampleRows` rows is checksummed over its first `sampleRows`
   * rows in primary-key order (a fixed order of its own without a key), and says so. Reads only.
   */
  tableChecksum(db: Db, table: Table, sampleRows: number): Promise<TableChecksum>
}

export interface ActivityOptions {
  /** Also report sessions whose transaction is at least this old, whatever they lock. */
  readonly longTransactionMs: number
  /**
   * Told when part of the check cannot run here and is skipped (a missing privilege): what is
   * not checked, why, and how to fix it or turn the check off.
   */
  readonly warn?: (message: string) => void
}

/** Another session found by `Driver.blockingActivity`. */
export interface SessionActivity {
  /** Server process or connection id (PostgreSQL pid, MySQL processlist id). */
  readonly pid: number
  /** Its current (or last) statement, whitespace collapsed, shortened. */
  readonly query: string
  /** `active`, `idle in transaction`, MySQL's command, … */
  readonly state?: string
  /** How long its transaction has been open; absent when it has none. */
  readonly transactionAgeMs?: number
  /**
   * The asked-about tables it holds or waits for locks on (empty: none). Undefined when the
   * server cannot tell (MariaDB without the METADATA_LOCK_INFO plugin): treat as possibly any.
   */
  readonly tables?: readonly string[]
  /** It waits for one of those locks rather than holding it. */
  readonly waiting?: boolean
}

/** How a command opens its database. */
export interface OpenOptions {
  /**
   * Opening must not create the database: the command only reads (status, inspect, lint, dry runs)
   * or has nothing to do on a database that does not exist (`down`); a database that exists opens
   * as usual, writable.
   * Where opening could create it (a SQLite file), a database that does not exist is a
   * ConnectionError saying so. Servers never create a database on connect, so they ignore this.
   */
  readonly readOnly?: boolean
  /**
   * With `readOnly`: a database that does not exist opens as an empty one, still without creating
   * it (a dry run shows everything that would run on it).
   */
  readonly missingAsEmpty?: boolean
  /**
   * Only migrator's own SQL runs on the connection, never a `.ts` migration (whose `ctx.knex`
   * needs a query builder): a dialect may then open it without knex (`Db.knex` absent), which
   * starts faster. Scratch databases it opens are unaffected.
   */
  readonly queriesOnly?: boolean
}

export interface Dialect {
  readonly name: DialectName
  open(url: DatabaseUrl, options?: OpenOptions): Promise<Driver>
}
