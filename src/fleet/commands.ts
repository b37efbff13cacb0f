/**
 * Per-target adapters: each runs the single-database API function of one command on one target's
 * config and reads its result as a TargetOutcome. Nothing here decides what a command does on a
 * database; that stays in src/api. API modules load on first use, like the commands' own.
 */
import type { ResolvedConfig } from '../config/schema.js'
import type { DownOptions, UpOptions } from '../api/migrate.js'
import type { LintOptions } from '../api/lint.js'
import type { RunResult } from '../runner/run.js'
import { countsAsApplied, isPending } from '../api/states.js'
import type { TargetOutcome } from './run.js'
import { appliedVersions, newest } from './versions.js'

export type TargetTask = (config: ResolvedConfig) => Promise<TargetOutcome>

/**
 * A fleet never asks: with many targets running at once, nobody can answer per target, so data
 * loss needs --allow-data-loss (or config allowDataLoss) and is refused on a target otherwise.
 */
const unattended = { onEvent: undefined, confirm: undefined } as const

export function upTask(options: UpOptions): TargetTask {
  return async (config) => {
    const before = await appliedVersions(config)
    const { up } = await import('../api/migrate.js')
    const result = await up(config, { ...options, ...unattended })
    const applied = result.results.filter((r) => r.status === 'applied').map((r) => r.version)
    const verb = options.dryRun === true ? 'would apply' : 'applied'
    return runOutcome(result, before, options.dryRun === true ? before : [...before, ...applied], applied.length === 0 ? 'up to date' : `${applied.length} ${verb}`)
  }
}

export function downTask(options: DownOptions): TargetTask {
  return async (config) => {
    const before = await appliedVersions(config)
    const { down } = await import('../api/migrate.js')
    const result = await down(config, { ...options, ...unattended })
    const reverted = new Set(result.results.filter((r) => r.status === 'reverted').map((r) => r.version))
    const verb = options.dryRun === true ? 'would revert' : 'reverted'
    return runOutcome(result, before, options.dryRun === true ? before : before.filter((v) => !reverted.has(v)), reverted.size === 0 ? 'nothing to revert' : `${reverted.size} ${verb}`)
  }
}

function runOutcome(result: RunResult, before: readonly string[], after: readonly string[], detail: string): TargetOutcome {
  const results = result.results.map((r) => ({ version: r.version, name: r.name, status: r.status, executionMs: r.executionMs, error: r.error?.message }))
  return {
    status: result.error === undefined ? 'ok' : 'failed',
    ...versions(newest(before), newest(after)),
    detail,
    ...(result.error === undefined ? {} : { error: { code: result.error.code, message: result.error.message } }),
    result: { results, ...(result.sql === undefined ? {} : { sql: result.sql }) },
  }
}

/** `status`: a target that needs attention is a finding only under --check (its exit code 2). */
export function statusTask(check: boolean): TargetTask {
  return async (config) => {
    const { status } = await import('../api/status.js')
    const report = await status(config)
    const version = newest(report.migrations.filter((m) => countsAsApplied(m.state)).map((m) => m.version))
    const pending = report.migrations.filter((m) => isPending(m.state)).length
    const notes = [`${pending} pending`, ...report.migrations.filter((m) => !countsAsApplied(m.state) && !isPending(m.state)).map((m) => `${m.version} ${m.state}`)]
    if (report.drift.length > 0) notes.push('drift')
    if (report.replayError !== undefined) notes.push('drift not checked')
    return { status: check && report.needsAttention ? 'findings' : 'ok', ...versions(version, version), detail: notes.join(', '), result: report }
  }
}

export const validateTask: TargetTask = async (config) => {
  const { validate } = await import('../api/validate.js')
  const report = await validate(config)
  const n = report.problems.length
  return { status: n > 0 ? 'findings' : 'ok', detail: n > 0 ? `${n} mismatch${n === 1 ? '' : 'es'}` : `${report.migrations} valid`, result: report }
}

export function lintTask(options: LintOptions): TargetTask {
  return async (config) => {
    const { lint } = await import('../api/lint.js')
    const report = await lint(config, options)
    return { status: report.errors > 0 ? 'findings' : 'ok', detail: `${plural(report.errors, 'error')}, ${plural(report.warnings, 'warning')}`, result: report }
  }
}

export const verifyTask: TargetTask = async (config) => {
  const { verifyDatabase } = await import('../api/verify.js')
  const report = await verifyDatabase(config)
  const n = report.findings.length
  return { status: n > 0 ? 'findings' : 'ok', detail: n > 0 ? plural(n, 'finding') : 'sound', result: report }
}

function versions(before: string | undefined, after: string | undefined): Pick<TargetOutcome, 'versionBefore' | 'versionAfter'> {
  return { ...(before === undefined ? {} : { versionBefore: before }), ...(after === undefined ? {} : { versionAfter: after }) }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}
