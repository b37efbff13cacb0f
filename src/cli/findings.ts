import type { LintFinding } from '../lint/finding.js'
import type { RiskReport } from '../lint/risk.js'
import type { Output } from './output.js'

/**
 * A lint finding on stderr, prefixed by its own severity and nothing else: `error: MF102: …`,
 * `warning: DS102: …`, `info: DS103: …` (never a warning line that says "error").
 */
export function printFinding(out: Output, finding: LintFinding): void {
  const text = `${finding.code}: ${finding.message}`
  switch (finding.severity) {
    case 'error':
      return out.error(text)
    case 'warning':
      return out.warn(text)
    case 'info':
      return out.info(`info: ${text}`)
  }
}

/** `~1,204 rows` a migration touches, for risk lines; undefined when none (or nobody counted). */
export function rowsTouched(risk: RiskReport): string | undefined {
  return risk.rowsTouched === undefined || risk.rowsTouched === 0 ? undefined : `~${risk.rowsTouched.toLocaleString('en-US')} row${risk.rowsTouched === 1 ? '' : 's'}`
}
