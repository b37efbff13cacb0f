import type { Change } from '../schema/changes.js'
import { qualifiedName } from '../schema/model.js'
import { CODES } from './codes.js'
import type { LintFinding } from './finding.js'

/**
 * Irreversibility: a missing or empty down (IR101), and a down that can only restore the structure
 * of tables and columns the up drops, not their data (IR102).
 */
export function analyzeReversibility(input: { readonly format: 'sql' | 'module'; readonly down?: string; readonly hasDownFunction?: boolean }, changes: readonly Change[]): LintFinding[] {
  const findings: LintFinding[] = []
  const empty = input.format === 'module' ? input.hasDownFunction === false : input.down === undefined || isEmpty(input.down)
  if (empty) {
    findings.push({
      code: 'IR101',
      severity: CODES.IR101.severity,
      message: input.format === 'module' ? 'the module exports no down(): `migrator down` cannot revert it' : 'the down file is missing or empty: `migrator down` cannot revert it',
      fix: 'write the statements that undo the up file (generated migrations carry them)',
    })
  }
  const lost: string[] = []
  for (const change of changes) {
    if (change.kind === 'dropTable') lost.push(`table ${qualifiedName(change.table)}`)
    if (change.kind === 'alterTable') {
      for (const inner of change.changes) if (inner.kind === 'dropColumn') lost.push(`column ${qualifiedName(change.from)}.${inner.column.name}`)
    }
  }
  if (!empty && lost.length > 0) {
    findings.push({
      code: 'IR102',
      severity: CODES.IR102.severity,
      message: `the down can recreate ${lost.join(', ')} but not the data the up drops`,
      fix: 'take a backup before applying (`migrator up --backup`), or copy the data to an archive table in the up',
    })
  }
  return findings
}

function isEmpty(sql: string): boolean {
  return sql
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .split('\n')
    .every((line) => line.trim() === '' || line.trim().startsWith('--'))
}
