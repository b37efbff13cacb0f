import type { DataLoss } from '../safety/consent.js'

/** How serious a lint finding is. `error` makes `lint` exit 2 and `up` refuse (unless --force). */
export type Severity = 'error' | 'warning' | 'info'

/** A severity, or `off` to silence a code (config `lint.rules`). */
export type RuleSetting = Severity | 'off'

/**
 * One finding of one analyzer. `code` is stable (documented in docs/lint.md); `message` is one
 * line saying what and where; `fix` says the safe alternative.
 */
export interface LintFinding {
  readonly code: string
  readonly severity: Severity
  readonly message: string
  readonly fix?: string
  /** The table (qualified name) the finding is about, when there is one. */
  readonly table?: string
  /** Rows that would make the migration fail or lose data, counted on the live database. */
  readonly rows?: number
  /** The stored values it would destroy there: `up`/`down` refuse it without consent. */
  readonly loss?: DataLoss
}

/** A finding placed in a migration file. */
export interface FileFinding extends LintFinding {
  readonly version: string
  /** The up file (or module) name. */
  readonly file: string
}

/** What a dialect's `lintChange` hook may look at besides the change itself. */
export interface LintHookContext {
  /** Row counts of existing tables on the live database (qualified name → rows); undefined when not connected. */
  readonly rows?: ReadonlyMap<string, number>
  /** The migration runs inside a transaction. */
  readonly transactional: boolean
  /** The migration's statements as written (empty for modules). */
  readonly statements: readonly string[]
  /** Tables with at least this many rows count as large (config `lint.largeTableRows`, default 100,000). */
  readonly largeTableRows: number
}

/** Formats a count for messages: 1204 → `1,204`. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US')
}
