import type { LintFinding } from './finding.js'

export type RiskLevel = 'low' | 'medium' | 'high'

/** How risky one pending migration is, and why. */
export interface RiskReport {
  readonly level: RiskLevel
  readonly reasons: readonly string[]
  /** Rows of the tables the migration alters, drops or renames, counted on the live database. */
  readonly rowsTouched?: number
  /** Those tables with their row counts. */
  readonly tables?: Readonly<Record<string, number>>
}

const DESTRUCTIVE = new Set(['DS101', 'DS102'])

/**
 * high: an error-level finding, or data dropped; medium: any warning; low: nothing worth a warning.
 * Reasons are the findings' codes and messages, most severe first.
 */
export function assessRisk(findings: readonly LintFinding[], tables?: ReadonlyMap<string, number>): RiskReport {
  const high = findings.some((f) => f.severity === 'error' || DESTRUCTIVE.has(f.code))
  const medium = findings.some((f) => f.severity === 'warning')
  const rank = { error: 0, warning: 1, info: 2 } as const
  const reasons = [...findings].sort((a, b) => rank[a.severity] - rank[b.severity]).map((f) => `${f.code}: ${f.message}`)
  const counts = tables === undefined ? undefined : Object.fromEntries([...tables].sort(([a], [b]) => (a < b ? -1 : 1)))
  const rowsTouched = tables === undefined ? undefined : [...tables.values()].reduce((sum, n) => sum + n, 0)
  return {
    level: high ? 'high' : medium ? 'medium' : 'low',
    reasons,
    ...(rowsTouched === undefined ? {} : { rowsTouched, tables: counts }),
  }
}
