import type { Severity } from './finding.js'

/** A documented analyzer code: its default severity and a one-line title (docs/lint.md has examples). */
export interface CodeInfo {
  readonly severity: Severity
  readonly title: string
}

/**
 * Every stable code. Prefixes: DS destructive, MF might fail on existing data, BC backward
 * incompatible, LK locking/rewrites (dialect hooks: LK1xx PostgreSQL, LK2xx MySQL, LK3xx SQLite),
 * TX transaction misuse, IR irreversible. Codes are never renumbered; retired codes stay reserved.
 */
export const CODES = {
  DS101: { severity: 'warning', title: 'table dropped (the message counts the rows lost)' },
  DS102: { severity: 'warning', title: 'column dropped (the message counts the rows whose value is lost)' },
  DS103: { severity: 'warning', title: 'view dropped' },
  DS104: { severity: 'warning', title: 'schema object dropped (enum, sequence, function, trigger, …)' },
  DS105: { severity: 'warning', title: 'enum label removed (error when rows still hold it)' },
  DS106: { severity: 'warning', title: 'partition dropped (the message counts the rows lost)' },
  MF100: { severity: 'error', title: 'the migration fails when replayed on a scratch database' },
  MF101: { severity: 'warning', title: 'unique constraint or index added to an existing table (error when duplicates exist)' },
  MF102: { severity: 'warning', title: 'NOT NULL column without default added to an existing table (error when it holds rows)' },
  MF103: { severity: 'warning', title: 'existing column made NOT NULL (error when NULLs exist)' },
  MF104: { severity: 'warning', title: 'column type changed or narrowed (error when stored values do not fit)' },
  MF105: { severity: 'warning', title: 'foreign key or check added to an existing table (error when rows violate it)' },
  BC101: { severity: 'warning', title: 'column renamed: running application code breaks' },
  BC102: { severity: 'warning', title: 'table renamed: running application code breaks' },
  LK101: { severity: 'warning', title: 'PostgreSQL: index created or dropped without CONCURRENTLY on an existing table' },
  LK102: { severity: 'warning', title: 'PostgreSQL: foreign key added without NOT VALID' },
  LK103: { severity: 'warning', title: 'PostgreSQL: column type change rewrites the table' },
  LK104: { severity: 'warning', title: 'PostgreSQL: SET NOT NULL scans the table under an exclusive lock' },
  LK201: { severity: 'warning', title: 'MySQL: ALTER that cannot run INSTANT or INPLACE (table copy)' },
  LK301: { severity: 'warning', title: 'SQLite: table rebuild of a large table' },
  TX101: { severity: 'error', title: 'CONCURRENTLY inside a transaction' },
  TX102: { severity: 'warning', title: 'no-transaction file with several statements' },
  TX103: { severity: 'warning', title: 'DML mixed with DDL in one transaction' },
  IR101: { severity: 'warning', title: 'down file missing or empty: the migration cannot be reverted' },
  IR102: { severity: 'info', title: 'down cannot restore the data the up drops' },
} as const satisfies Record<string, CodeInfo>

export type Code = keyof typeof CODES

export function isCode(value: string): value is Code {
  return Object.hasOwn(CODES, value)
}
