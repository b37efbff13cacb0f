import { CODES } from './codes.js'
import type { LintFinding } from './finding.js'

const DDL = /^\s*(CREATE|ALTER|DROP|RENAME|TRUNCATE|COMMENT\s+ON)\b/i
const DML = /^\s*(INSERT|UPDATE|DELETE|MERGE|REPLACE)\b/i
const WITH_DML = /^\s*WITH\b[\s\S]*\b(INSERT|UPDATE|DELETE)\b/i
const CONCURRENTLY = /\b(CREATE|DROP)\s+(UNIQUE\s+)?INDEX\s+CONCURRENTLY\b|\bREINDEX\b[\s\S]*\bCONCURRENTLY\b|\bDETACH\s+PARTITION\b[\s\S]*\bCONCURRENTLY\b/i

/** How a migration's statements run. */
export interface StatementContext {
  /** Inside one transaction (transactional DDL, no `no-transaction` directive). */
  readonly transactional: boolean
  /**
   * The file gave up the transaction its dialect would give it (`-- migrator:no-transaction` where
   * DDL is transactional). Without transactional DDL every file runs statement by statement, with
   * progress recorded and undo on failure, so there is nothing given up.
   */
  readonly optedOut: boolean
}

/**
 * Checks on the statements as written: CONCURRENTLY in a transaction (TX101), a file that opted
 * out of its transaction with several statements (TX102), DML mixed with DDL in one transaction
 * (TX103). `statements` come from the dialect's splitter, comments included as written.
 */
export function analyzeStatements(statements: readonly string[], { transactional, optedOut }: StatementContext): LintFinding[] {
  const findings: LintFinding[] = []
  const code = statements.map(stripComments)
  const concurrent = code.findIndex((s) => CONCURRENTLY.test(s))
  if (transactional && concurrent >= 0) {
    findings.push({
      code: 'TX101',
      severity: CODES.TX101.severity,
      message: `statement ${concurrent + 1} uses CONCURRENTLY, which cannot run inside a transaction`,
      fix: 'put it in its own migration that starts with `-- migrator:no-transaction`',
    })
  }
  if (optedOut && code.length > 1) {
    findings.push({
      code: 'TX102',
      severity: CODES.TX102.severity,
      message: `no-transaction file holds ${code.length} statements: a failure midway leaves the earlier ones applied`,
      fix: 'keep each statement that must run outside a transaction in a migration of its own, and the rest in an ordinary one',
    })
  }
  const ddl = code.filter((s) => DDL.test(s)).length
  // Copying rows into a table the same file creates (a table rebuild) locks nothing anyone uses.
  const created = new Set(code.map((s) => CREATE_TABLE.exec(s)?.[1]).filter((n): n is string => n !== undefined).map(bare))
  const dml = code.filter((s) => (DML.test(s) || WITH_DML.test(s)) && !created.has(bare(INSERT_INTO.exec(s)?.[1] ?? '\u0000'))).length
  if (transactional && ddl > 0 && dml > 0) {
    findings.push({
      code: 'TX103',
      severity: CODES.TX103.severity,
      message: `mixes ${dml} data statement${dml === 1 ? '' : 's'} with ${ddl} schema statement${ddl === 1 ? '' : 's'} in one transaction: locks taken by the DDL are held while the data changes`,
      fix: 'move backfills into a migration of their own (or a .ts migration that updates in batches)',
    })
  }
  return findings
}

const NAME = String.raw`((?:"(?:[^"]|"")+"|\x60(?:[^\x60]|\x60\x60)+\x60|\[[^\]]+\]|[\w$]+)(?:\s*\.\s*(?:"(?:[^"]|"")+"|\x60(?:[^\x60]|\x60\x60)+\x60|\[[^\]]+\]|[\w$]+))?)`
const CREATE_TABLE = new RegExp(String.raw`^\s*CREATE\s+(?:TEMP(?:ORARY)?\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?${NAME}`, 'i')
const INSERT_INTO = new RegExp(String.raw`^\s*INSERT\s+(?:OR\s+\w+\s+)?INTO\s+${NAME}`, 'i')

/** A table name without quotes, lower case, for comparing mentions. */
function bare(name: string): string {
  return name.replace(/["`\[\]]/g, '').replace(/\s+/g, '').toLowerCase()
}

function stripComments(sql: string): string {
  return sql
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .split('\n')
    .map((line) => line.replace(/^\s*--.*$/, ''))
    .join('\n')
    .trim()
}
