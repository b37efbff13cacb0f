import { CODES } from '../../lint/codes.js'
import type { LintFinding, LintHookContext } from '../../lint/finding.js'
import { formatCount } from '../../lint/finding.js'
import type { Change, TableChange } from '../../schema/changes.js'
import type { Check, Index, Table } from '../../schema/model.js'
import { qualifiedName } from '../../schema/model.js'
import { plan } from './plan.js'

/**
 * PostgreSQL's lint hook: locking and rewrites on existing tables that hold rows (an empty table
 * is locked for an instant, whatever the statement). Pure: row counts come in `context.rows`,
 * tables it does not list (not connected, or created by an earlier pending migration) are skipped.
 *
 * - LK101 CREATE/DROP INDEX without CONCURRENTLY: SHARE (create) or ACCESS EXCLUSIVE (drop) for
 *   the whole build, blocking writes.
 * - LK102 a foreign key validated in the migration's own transaction (no NOT VALID, or NOT VALID +
 *   VALIDATE in one transaction): SHARE ROW EXCLUSIVE held while every row is checked.
 * - LK103 a column type (or collation) change the planner knows rewrites the table under ACCESS
 *   EXCLUSIVE (anything but the binary-coercible widenings).
 * - LK104 SET NOT NULL without an existing CHECK (col IS NOT NULL): a full scan under ACCESS
 *   EXCLUSIVE (PostgreSQL 12+ skips the scan when such a check already holds).
 */
export function lintChange(change: Change, context: LintHookContext): readonly LintFinding[] {
  if (change.kind !== 'alterTable') return []
  const table = qualifiedName(change.from)
  const rows = context.rows?.get(table)
  if (rows === undefined || rows === 0) return []
  const statements = context.statements.map(stripComments)
  const findings: LintFinding[] = []
  const counted = `${formatCount(rows)} row${rows === 1 ? '' : 's'}`
  for (const c of change.changes) {
    const finding = lintTableChange(c, change, { table, rows, counted, statements, transactional: context.transactional })
    if (finding !== undefined) findings.push({ ...finding, table, rows })
  }
  return findings
}

interface Where {
  readonly table: string
  readonly rows: number
  readonly counted: string
  readonly statements: readonly string[]
  readonly transactional: boolean
}

type Found = Omit<LintFinding, 'table' | 'rows'> | undefined

function lintTableChange(c: TableChange, change: Extract<Change, { kind: 'alterTable' }>, w: Where): Found {
  switch (c.kind) {
    case 'addIndex':
      if (concurrently(w.statements, 'CREATE', c.index)) return undefined
      return {
        code: 'LK101',
        severity: CODES.LK101.severity,
        message: `creates index ${c.index.name} on ${w.table} (${w.counted}) without CONCURRENTLY: writes to the table are blocked while it builds`,
        fix: 'CREATE INDEX CONCURRENTLY in a migration of its own that starts with `-- migrator:no-transaction` (`migrator diff --concurrent-indexes`)',
      }
    case 'dropIndex':
      if (concurrently(w.statements, 'DROP', c.index)) return undefined
      return {
        code: 'LK101',
        severity: CODES.LK101.severity,
        message: `drops index ${c.index.name} on ${w.table} (${w.counted}) without CONCURRENTLY: takes an ACCESS EXCLUSIVE lock that waits for and then blocks every query on the table`,
        fix: 'DROP INDEX CONCURRENTLY in a migration of its own that starts with `-- migrator:no-transaction`',
      }
    case 'addForeignKey': {
      const to = change.to.foreignKeys.find((fk) => fk.name !== undefined && fk.name === c.foreignKey.name) ?? c.foreignKey
      // Still NOT VALID after the migration: nothing was scanned.
      if (to.options?.notValid === true) return undefined
      const name = c.foreignKey.name ?? `(${c.foreignKey.columns.join(', ')})`
      const addedNotValid = c.foreignKey.name !== undefined && w.statements.some((s) => /\bNOT\s+VALID\b/i.test(s) && mentions(s, c.foreignKey.name!))
      // NOT VALID, then VALIDATE outside the adding transaction: the scan does not block writes.
      if (addedNotValid && !w.transactional) return undefined
      return {
        code: 'LK102',
        severity: CODES.LK102.severity,
        message: addedNotValid
          ? `adds foreign key ${name} on ${w.table} NOT VALID but validates it in the same transaction: writes to ${w.table} and ${c.foreignKey.refTable} are blocked while ${w.counted} are checked`
          : `adds foreign key ${name} on ${w.table} without NOT VALID: writes to ${w.table} and ${c.foreignKey.refTable} are blocked while ${w.counted} are checked`,
        fix: 'add it with NOT VALID in one migration, then `ALTER TABLE … VALIDATE CONSTRAINT …` in a later one (the validation does not block writes)',
      }
    }
    case 'alterColumn': {
      if (c.aspects.includes('type') || c.aspects.includes('collation')) {
        const only: Change = { ...change, changes: [{ ...c, aspects: c.aspects.filter((a) => a === 'type' || a === 'collation') }] }
        const rewrites = plan([only]).statements.some((s) => s.risks.includes('rewrite'))
        if (rewrites) {
          return {
            code: 'LK103',
            severity: CODES.LK103.severity,
            message: `changes column ${w.table}.${c.to.name} from ${c.from.type} to ${c.to.type}: rewrites all ${w.counted} under an ACCESS EXCLUSIVE lock`,
            fix: 'add a new column, backfill it in batches, switch the application over, then drop the old one (or only widen: varchar(n) → varchar(m > n) / text, numeric precision up)',
          }
        }
      }
      if (c.aspects.includes('nullable') && c.from.nullable && !c.to.nullable && !hasNotNullCheck(change.from, c.from.name)) {
        return {
          code: 'LK104',
          severity: CODES.LK104.severity,
          message: `sets ${w.table}.${c.to.name} NOT NULL: scans all ${w.counted} under an ACCESS EXCLUSIVE lock`,
          fix: `in an earlier migration add CHECK (${c.to.name} IS NOT NULL) NOT VALID, then VALIDATE CONSTRAINT in another; SET NOT NULL then skips the scan (PostgreSQL 12+), and the check can be dropped after`,
        }
      }
      return undefined
    }
    default:
      return undefined
  }
}

/** Whether a statement creates (drops) the index `index` with CONCURRENTLY. */
function concurrently(statements: readonly string[], verb: 'CREATE' | 'DROP', index: Index): boolean {
  const pattern = verb === 'CREATE' ? /^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\b/i : /^\s*DROP\s+INDEX\s+CONCURRENTLY\b/i
  return statements.some((s) => pattern.test(s) && mentions(s, index.name))
}

/** A CHECK on the table before the migration that says `col IS NOT NULL` (as pg_get_constraintdef prints it). */
function hasNotNullCheck(table: Table, column: string): boolean {
  const ident = `(?:${escape(column)}|"${escape(column.replace(/"/g, '""'))}")`
  const pattern = new RegExp(`^\\(*\\s*${ident}\\s+IS\\s+NOT\\s+NULL\\s*\\)*$`, 'i')
  return table.checks.some((check: Check) => pattern.test(check.expression.trim()))
}

/** Whether `name` appears in `sql` as an identifier, bare or double-quoted. */
function mentions(sql: string, name: string): boolean {
  const quoted = `"${name.replace(/"/g, '""')}"`
  if (sql.includes(quoted)) return true
  return new RegExp(`(^|[^\\w$"])${escape(name)}($|[^\\w$"])`, 'i').test(sql)
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

function stripComments(sql: string): string {
  return sql.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/--[^\n]*/g, ' ')
}
