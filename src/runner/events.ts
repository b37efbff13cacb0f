import type { BackfillEvent } from '../backfill/events.js'
import type { SessionActivity } from '../dialects/dialect.js'
import type { MigratorError } from '../errors.js'

/** Which way a migration runs. */
export type Direction = 'up' | 'down'

/** Names one migration in every event. */
interface MigrationRef {
  readonly version: string
  readonly name: string
  readonly direction: Direction
}

/**
 * What the runner reports while it works; `src/cli/output.ts` renders these (spinner lines, verbose
 * SQL, JSON). The runner never prints: it calls `options.onEvent?.(event)`.
 */
export type RunEvent =
  /** A migration starts; `statements` is the number of SQL statements (1 for a module). */
  | (MigrationRef & { readonly kind: 'migration-start'; readonly file: string; readonly statements: number; readonly transactional: boolean })
  | (MigrationRef & { readonly kind: 'migration-applied'; readonly executionMs: number; readonly statements: number })
  | (MigrationRef & { readonly kind: 'migration-reverted'; readonly executionMs: number; readonly statements: number })
  /** The migration failed; `undone` tells whether the database is as before it. */
  | (MigrationRef & { readonly kind: 'migration-failed'; readonly error: MigratorError; readonly undone: boolean })
  /** Not run: a concurrent runner applied (or reverted) it first. */
  | (MigrationRef & { readonly kind: 'migration-skipped'; readonly reason: string })
  /** Reverted because a later migration of the same `--all-or-nothing` run failed. */
  | (MigrationRef & { readonly kind: 'migration-undone'; readonly reason: string })
  /** About to execute one statement of a migration (`index` 1-based, `line` in the file). */
  | (MigrationRef & { readonly kind: 'statement'; readonly index: number; readonly line: number; readonly sql: string })
  | (MigrationRef & { readonly kind: 'check-passed' | 'check-failed'; readonly phase: 'before' | 'after'; readonly sql: string })
  /** A compensating statement run after a failure, undoing up statement `index` (absent: whole down file). */
  | (MigrationRef & { readonly kind: 'undo-statement'; readonly index?: number; readonly sql: string })
  /** A message from a `.ts`/`.js` migration's `ctx.log`. */
  | (MigrationRef & { readonly kind: 'log'; readonly message: string })
  /** Progress of a `-- migrator:backfill` (rows done, rows/s, ETA). */
  | (MigrationRef & { readonly kind: 'backfill'; readonly event: BackfillEvent })
  /** A migration's transaction gave up on a lock; it rolled back and runs again after `delayMs`. */
  | (MigrationRef & { readonly kind: 'lock-retry'; readonly attempt: number; readonly attempts: number; readonly delayMs: number })
  /**
   * The lock pre-check before a migration found sessions holding or awaiting locks on its tables,
   * or long transactions; `blocked`: it refused to start the migration (a migration-failed follows).
   */
  | (MigrationRef & { readonly kind: 'pre-check'; readonly sessions: readonly SessionActivity[]; readonly blocked: boolean })
  /**
   * Something about one migration the user should know that does not change the run's outcome:
   * part of its lock pre-check skipped for a missing privilege, an interrupted run resumed.
   */
  | (MigrationRef & { readonly kind: 'warning'; readonly message: string })
  /** A dry run finished: the exact SQL that would run, with transaction boundaries. */
  | { readonly kind: 'dry-run-sql'; readonly sql: string }

export type RunEventKind = RunEvent['kind']
