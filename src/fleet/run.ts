import type { ResolvedConfig } from '../config/schema.js'
import { parseUrl, redactSecrets } from '../config/url.js'
import { MigratorError } from '../errors.js'
import { runPool, type PoolOptions } from './pool.js'
import type { FleetTarget } from './targets.js'

/** How one target's run ended, as the command's adapter reads its single-database result. */
export interface TargetOutcome {
  /** `findings`: the command's own exit-2 condition (status --check, validate, lint, verify). */
  readonly status: 'ok' | 'findings' | 'failed'
  readonly versionBefore?: string
  readonly versionAfter?: string
  /** A few words: `2 applied`, `3 pending, drift`, `1 error`. */
  readonly detail: string
  readonly error?: { readonly code: string; readonly message: string }
  /** The single-database command's --json document for this target. */
  readonly result?: unknown
}

/** One row of the fleet report. */
export interface TargetReport extends Omit<TargetOutcome, 'status' | 'detail'> {
  /** The URL, password redacted. */
  readonly target: string
  /** `not-run`: a failure (or a failed canary) stopped the fleet before this target started. */
  readonly status: TargetOutcome['status'] | 'not-run'
  readonly detail: string
  readonly ms?: number
}

export interface FleetReport {
  readonly targets: readonly TargetReport[]
  readonly total: number
  readonly ok: number
  readonly findings: number
  readonly failed: number
  readonly notRun: number
}

export interface FleetRunOptions extends PoolOptions {
  /** Called as each target finishes (progress, one log line per target). */
  readonly onTarget?: (report: TargetReport, done: number, failed: number) => void
}

/**
 * Runs `task` (a single-database API call) once per target, with that target's config, in a
 * bounded pool (pool.ts). A thrown error fails that target only; its message is redacted with the
 * target's password. The report lists the targets in the order given.
 */
export async function runFleet(
  config: ResolvedConfig,
  targets: readonly FleetTarget[],
  task: (config: ResolvedConfig) => Promise<TargetOutcome>,
  options: FleetRunOptions,
): Promise<FleetReport> {
  const reports: (TargetReport | undefined)[] = targets.map(() => undefined)
  let done = 0
  let failures = 0
  const notRun = await runPool(targets.length, options, async (index) => {
    const target = targets[index]!
    const started = performance.now()
    let outcome: TargetOutcome
    try {
      outcome = await task(targetConfig(config, target))
    } catch (error) {
      const message = redactSecrets(error instanceof Error ? error.message : String(error), parseUrl(target.url, config.cwd))
      outcome = { status: 'failed', detail: 'error', error: { code: error instanceof MigratorError ? error.code : 'internal', message } }
    }
    const report: TargetReport = { target: target.label, ...outcome, ms: Math.round(performance.now() - started) }
    reports[index] = report
    done++
    if (report.status === 'failed') failures++
    options.onTarget?.(report, done, failures)
    return report.status !== 'failed'
  })
  for (const index of notRun) reports[index] = { target: targets[index]!.label, status: 'not-run', detail: 'stopped by an earlier failure' }
  const all = reports as TargetReport[]
  const count = (status: TargetReport['status']) => all.filter((r) => r.status === status).length
  return { targets: all, total: all.length, ok: count('ok'), findings: count('findings'), failed: count('failed'), notRun: count('not-run') }
}

/**
 * The config of one target: its URL, without the fleet keys. A tenant schema's URL binds it to
 * that schema, which the config's `schemas` must not widen again.
 */
function targetConfig(config: ResolvedConfig, target: FleetTarget): ResolvedConfig {
  const { targets: _targets, tenantSchemas: _tenants, schemas, ...rest } = config
  return { ...rest, url: target.url, ...(target.schema === undefined && schemas !== undefined ? { schemas } : {}) }
}
