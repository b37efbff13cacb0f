import type { ResolvedConfig } from '../config/schema.js'
import type { OpenOptions } from '../dialects/dialect.js'
import { MigratorError } from '../errors.js'
import { emptyMigrationError } from '../migrations/directory.js'
import { findingLine } from '../lint/analyze.js'
import type { RunEvent } from '../runner/events.js'
import { runDown } from '../runner/down.js'
import { HistoryStore } from '../runner/history.js'
import { planUp, runUp, type RunResult } from '../runner/run.js'
import { takeBackup, type BackupInfo } from '../safety/backup.js'
import { lossesOf, requireConsent, type ConsentOptions, type FileDataLoss } from '../safety/consent.js'
import { downLosses } from './down-losses.js'
import { listMigrations } from './directory.js'
import { lintWithDriver, type LintReport } from './lint.js'
import { replayApplied } from './produced.js'
import { replaySchema } from './replay.js'
import { inspectOptions, runnerOptions, withDriver } from './session.js'

export interface UpOptions extends ConsentOptions {
  readonly to?: string
  readonly steps?: number
  readonly dryRun?: boolean
  readonly txMode?: 'file' | 'all' | 'none'
  readonly allOrNothing?: boolean
  readonly allowMissing?: boolean
  /** Apply pending migrations older than the newest applied one (default: config `allowOutOfOrder`). */
  readonly allowOutOfOrder?: boolean
  /** Retries, with backoff, of a migration whose transaction gave up on a table lock (default 0). */
  readonly lockRetries?: number
  /**
   * Apply even when lint finds error-level problems in the migrations to run. Never covers data
   * loss: that needs `allowDataLoss` (or a yes from `confirm`).
   */
  readonly force?: boolean
  /** Snapshot the database first (default: config `backup`). */
  readonly backup?: boolean
  /**
   * Count and checksum the tables each migration does not name, before and after it: a change there
   * (a trigger, a function it calls) fails the migration (src/safety/untouched.ts).
   */
  readonly verify?: boolean
  readonly onEvent?: (event: RunEvent) => void
}

/** What `up` did: the run, plus the lint report of the migrations it ran and the backup it took. */
export interface UpResult extends RunResult {
  readonly lint?: LintReport
  readonly backup?: BackupInfo
  /** Stored values the run destroys (consented to), or would destroy (dry run). */
  readonly dataLoss: readonly FileDataLoss[]
}

/**
 * Applies pending migrations in version order, with the built-in post-checks on. First lints the
 * migrations it is about to run against the live database: stored values they would destroy need
 * consent (`allowDataLoss`, or `confirm` on a terminal), and other error-level findings (MF100, a
 * failure on a copy of the live structure, included) need `force`; then takes a backup when asked.
 * Refusals throw before anything changed. Never throws for a failed migration: see RunResult.error.
 */
export async function up(config: ResolvedConfig, options: UpOptions = {}): Promise<UpResult> {
  const files = await listMigrations(config.dir)
  const { force, backup: wantBackup, allowDataLoss, confirm, ...rest } = options
  const runOptions = { ...rest, allowOutOfOrder: options.allowOutOfOrder ?? config.allowOutOfOrder }
  return withDriver(config, async (driver) => {
    // History and files must agree before anything is analyzed: those errors say what to do first.
    const { pending } = planUp(driver, files, await new HistoryStore(driver, config.historyTable).list(), runOptions)
    const runs = new Set(pending.filter((f) => options.to === undefined || f.version <= options.to).slice(0, options.steps ?? pending.length).map((f) => f.version))
    // An up file still holding only comments (a fresh `migrator new`) would be recorded as applied.
    for (const file of pending) if (runs.has(file.version)) throwIf(emptyMigrationError(file))
    // A dry run shows the full risk report; a real run lints only what can refuse it (see LintOptions.gate).
    const report = await lintWithDriver(driver, config, files, { gate: options.dryRun !== true })
    const toRun = report.migrations.filter((m) => runs.has(m.version))
    const lint: LintReport = { ...report, migrations: toRun }
    const findings = toRun.flatMap((m) => m.findings)
    const dataLoss = lossesOf(findings)
    if (options.dryRun !== true) {
      await requireConsent(dataLoss, 'apply', { allowDataLoss: allowDataLoss ?? config.allowDataLoss, confirm })
      const blocking = findings.filter((f) => f.severity === 'error' && f.loss === undefined)
      if (blocking.length > 0 && force !== true) {
        const shown = blocking.slice(0, 5).map((f) => `${f.file}: ${findingLine(f)}`)
        throw new MigratorError(
          'lint',
          `refusing to apply: lint found ${blocking.length} error-level finding${blocking.length === 1 ? '' : 's'}: ${shown.join('; ')}${blocking.length > shown.length ? '; …' : ''}; nothing was changed; fix the migration${blocking.length === 1 ? '' : 's'} (see \`migrator lint\` and docs/lint.md) or pass --force`,
        )
      }
    }
    const taken =
      (wantBackup ?? config.backup?.enabled ?? false) && options.dryRun !== true && toRun.length > 0 ? await takeBackup(driver, config) : undefined
    const result = await runUp(driver, files, {
      ...runnerOptions(config),
      builtinChecks: true,
      preCheck: config.preCheck,
      inspect: inspectOptions(config, driver),
      expectedSchema: (file) => replaySchema(driver, config, files.filter((f) => f.version <= file.version)),
      snapshots: { expected: (rows) => replayApplied(driver, config, files, rows) },
      ...runOptions,
    })
    return { ...result, lint, dataLoss, ...(taken === undefined ? {} : { backup: taken }) }
  }, files.length === 0 ? NOTHING_TO_CREATE : dryRunOpen(options.dryRun))
}

export interface DownOptions extends ConsentOptions {
  readonly to?: string
  readonly steps?: number
  readonly all?: boolean
  readonly dryRun?: boolean
  readonly onEvent?: (event: RunEvent) => void
}

/** What `down` did, and the stored values it destroys (consented to) or would destroy (dry run). */
export interface DownResult extends RunResult {
  readonly dataLoss: readonly FileDataLoss[]
}

/**
 * Reverts applied migrations newest first (one by default). A down that would destroy stored
 * values (it drops a table or column that holds rows now) needs consent, like `up`; the refusal
 * throws before anything changed. Never throws for a failed revert.
 */
export async function down(config: ResolvedConfig, options: DownOptions = {}): Promise<DownResult> {
  const files = await listMigrations(config.dir)
  const { allowDataLoss, confirm, ...runOptions } = options
  return withDriver(config, async (driver) => {
    const dataLoss = await downLosses(driver, config, files, options)
    if (options.dryRun !== true) await requireConsent(dataLoss, 'revert', { allowDataLoss: allowDataLoss ?? config.allowDataLoss, confirm })
    const result = await runDown(driver, files, { ...runnerOptions(config), ...runOptions })
    return { ...result, dataLoss }
  }, NOTHING_TO_CREATE)
}

function throwIf(error: MigratorError | undefined): void {
  if (error !== undefined) throw error
}

/** A database that does not exist yet is read as empty, never created. */
const NOTHING_TO_CREATE: OpenOptions = { readOnly: true, missingAsEmpty: true }

/**
 * A dry run writes nothing, so it creates nothing. Neither does `down` (a database that does not
 * exist has nothing to revert) nor an `up` with no migration files.
 */
function dryRunOpen(dryRun: boolean | undefined): OpenOptions | undefined {
  return dryRun === true ? NOTHING_TO_CREATE : undefined
}
