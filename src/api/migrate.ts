import type { ResolvedConfig } from '../config/schema.js'
import { MigratorError } from '../errors.js'
import { findingLine } from '../lint/analyze.js'
import type { RunEvent } from '../runner/events.js'
import { runDown } from '../runner/down.js'
import { runUp, type RunResult } from '../runner/run.js'
import { takeBackup, type BackupInfo } from '../safety/backup.js'
import { listMigrations } from './directory.js'
import { lintWithDriver, type LintReport } from './lint.js'
import { replaySchema } from './replay.js'
import { inspectOptions, runnerOptions, withDriver } from './session.js'

export interface UpOptions {
  readonly to?: string
  readonly steps?: number
  readonly dryRun?: boolean
  readonly txMode?: 'file' | 'all' | 'none'
  readonly allOrNothing?: boolean
  readonly allowMissing?: boolean
  /** Retries, with backoff, of a migration whose transaction gave up on a table lock (default 0). */
  readonly lockRetries?: number
  /** Apply even when lint finds error-level problems in the migrations to run. */
  readonly force?: boolean
  /** Snapshot the database first (default: config `backup`). */
  readonly backup?: boolean
  readonly onEvent?: (event: RunEvent) => void
}

/** What `up` did: the run, plus the lint report of the migrations it ran and the backup it took. */
export interface UpResult extends RunResult {
  readonly lint?: LintReport
  readonly backup?: BackupInfo
}

/**
 * Applies pending migrations in version order, with the built-in post-checks on. First lints
 * the migrations it is about to run and refuses error-level findings unless `force` (MF100, a
 * failure on the scratch database, is left to the run itself, which reports it with rollback);
 * then takes a backup when asked. Never throws for a failed migration: see RunResult.error.
 */
export async function up(config: ResolvedConfig, options: UpOptions = {}): Promise<UpResult> {
  const files = await listMigrations(config.dir)
  const { force, backup: wantBackup, ...runOptions } = options
  return withDriver(config, async (driver) => {
    // A dry run shows the full risk report; a real run lints only what can refuse it (see LintOptions.gate).
    const report = await lintWithDriver(driver, config, files, { gate: options.dryRun !== true })
    const toRun = report.migrations
      .filter((m) => options.to === undefined || m.version <= options.to)
      .slice(0, options.steps ?? report.migrations.length)
    const lint: LintReport = { ...report, migrations: toRun }
    const blocking = toRun.flatMap((m) => m.findings).filter((f) => f.severity === 'error' && f.code !== 'MF100')
    if (blocking.length > 0 && force !== true && options.dryRun !== true) {
      const shown = blocking.slice(0, 5).map((f) => `${f.file}: ${findingLine(f)}`)
      throw new MigratorError(
        'lint',
        `refusing to apply: lint found ${blocking.length} error-level finding${blocking.length === 1 ? '' : 's'}: ${shown.join('; ')}${blocking.length > shown.length ? '; …' : ''}; fix the migration${blocking.length === 1 ? '' : 's'} (see \`migrator lint\` and docs/lint.md) or pass --force`,
      )
    }
    const taken =
      (wantBackup ?? config.backup?.enabled ?? false) && options.dryRun !== true && toRun.length > 0 ? await takeBackup(driver, config) : undefined
    const result = await runUp(driver, files, {
      ...runnerOptions(config),
      builtinChecks: true,
      preCheck: config.preCheck,
      inspect: inspectOptions(config),
      expectedSchema: (file) => replaySchema(driver, config, files.filter((f) => f.version <= file.version)),
      ...runOptions,
    })
    return { ...result, lint, ...(taken === undefined ? {} : { backup: taken }) }
  })
}

export interface DownOptions {
  readonly to?: string
  readonly steps?: number
  readonly all?: boolean
  readonly dryRun?: boolean
  readonly onEvent?: (event: RunEvent) => void
}

/** Reverts applied migrations newest first (one by default). Never throws for a failed revert. */
export async function down(config: ResolvedConfig, options: DownOptions = {}): Promise<RunResult> {
  const files = await listMigrations(config.dir)
  return withDriver(config, (driver) =>
    runDown(driver, files, { ...runnerOptions(config), ...options }),
  )
}
