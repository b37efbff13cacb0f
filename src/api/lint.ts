import type { ResolvedConfig } from '../config/schema.js'
import type { Driver } from '../dialects/dialect.js'
import { lintMigration, type LintSettings, type MigrationLint } from '../lint/analyze.js'
import { CODES } from '../lint/codes.js'
import { liveProbe, type DataProbe } from '../lint/probe.js'
import { withDeclaredRenames } from '../lint/renames.js'
import type { MigrationFile } from '../migrations/file.js'
import { HistoryStore } from '../runner/history.js'
import { loadModule, namesAnyTable } from '../runner/execute.js'
import { runUp } from '../runner/run.js'
import { diffSchemas } from '../schema/diff.js'
import { listMigrations } from './directory.js'
import { inspectOptions, runnerOptions, withDriver, withScratch } from './session.js'

export interface LintOptions {
  /** Lint the newest N migrations (applied or not) instead of the pending ones. */
  readonly latest?: number
  /**
   * Only what can refuse `up`: the change analyzers (which replay migrations on a scratch database)
   * run for the first pending migration, the only one that meets the live data as it is, and for
   * every one when the config raises a change analyzer to error; the text analyzers run for all.
   */
  readonly gate?: boolean
}

/** `lint --json` document (stable: fields are only ever added). */
export interface LintReport {
  readonly database: string
  readonly migrations: readonly MigrationLint[]
  readonly errors: number
  readonly warnings: number
}

/** Lints the pending migrations (or the latest N) against the configured database. Reads only. */
export async function lint(config: ResolvedConfig, options: LintOptions = {}): Promise<LintReport> {
  const files = await listMigrations(config.dir, { allowMissingDir: true })
  return withDriver(config, (driver) => lintWithDriver(driver, config, files, options))
}

/** `lint` over an open driver (also used by `up` and `status`). */
export async function lintWithDriver(driver: Driver, config: ResolvedConfig, files: readonly MigrationFile[], options: LintOptions = {}): Promise<LintReport> {
  const selected = await selectFiles(driver, config, files, options)
  const migrations = await lintSelected(driver, config, files, selected, options)
  const all = migrations.flatMap((m) => m.findings)
  return {
    database: driver.url.redacted,
    migrations,
    errors: all.filter((f) => f.severity === 'error').length,
    warnings: all.filter((f) => f.severity === 'warning').length,
  }
}

/** Settings from the config. */
export function lintSettings(config: ResolvedConfig): LintSettings {
  return { rules: config.lint?.rules ?? {}, largeTableRows: config.lint?.largeTableRows }
}

async function selectFiles(driver: Driver, config: ResolvedConfig, files: readonly MigrationFile[], options: LintOptions): Promise<MigrationFile[]> {
  if (options.latest !== undefined) return files.slice(Math.max(0, files.length - options.latest))
  // A failed row (a backfill to resume) still has work to do: it counts as pending here.
  const applied = new Set((await new HistoryStore(driver, config.historyTable).list()).filter((r) => r.status === 'applied').map((r) => r.version))
  return files.filter((f) => !applied.has(f.version))
}

/**
 * Works out what each selected file changes the way Atlas does: the migrations before it are
 * replayed on one scratch database, which is inspected before and after applying the file; the
 * difference is what the analyzers see. Data-dependent analyzers ask the live database.
 */
async function lintSelected(
  driver: Driver,
  config: ResolvedConfig,
  files: readonly MigrationFile[],
  selected: readonly MigrationFile[],
  options: LintOptions,
): Promise<MigrationLint[]> {
  if (selected.length === 0) return []
  const settings = lintSettings(config)
  const live = await driver.inspect(inspectOptions(config))
  const probe: DataProbe = liveProbe(driver, live, config.lockTimeoutMs)
  const runOptions = runnerOptions(config, 'migrator lint')
  const escalated = Object.entries(settings.rules ?? {}).some(([code, severity]) => severity === 'error' && !code.startsWith('TX'))
  // The gate analyzes changes of the first pending migration only, and only when it names a table
  // that exists: a file that only creates tables can neither fail on nor destroy existing data.
  const liveTables = live.tables.map((t) => t.name)
  const analyzed = selected.map((file, index) => options.gate !== true || escalated || (index === 0 && namesAnyTable(file, liveTables)))
  const textOnly = async (file: MigrationFile): Promise<MigrationLint> => {
    const hasDownFunction = file.format === 'module' ? (await loadModule(file).then((m) => m.down !== undefined).catch(() => false)) : undefined
    return lintMigration({ file, changes: [], driver, settings, hasDownFunction })
  }
  if (!analyzed.some(Boolean)) return Promise.all(selected.map(textOnly))
  return withScratch(driver, config, async (scratch) => {
    const results: MigrationLint[] = []
    let broken: string | undefined
    for (const [index, file] of selected.entries()) {
      const upToHere = files.filter((f) => f.version <= file.version)
      const hasDownFunction = file.format === 'module' ? (await loadModule(file).then((m) => m.down !== undefined).catch(() => false)) : undefined
      if (analyzed[index] !== true) {
        results.push(await textOnly(file))
        continue
      }
      if (broken !== undefined) {
        results.push(await lintMigration({ file, changes: [], driver, settings, hasDownFunction, extra: [{ code: 'MF100', severity: 'error', message: `not analyzed: ${broken} failed on the scratch database` }] }))
        continue
      }
      const prior = await runUp(scratch, upToHere.filter((f) => f.version < file.version), runOptions)
      const before = await scratch.inspect(inspectOptions(config))
      const result = prior.error === undefined ? await runUp(scratch, upToHere, runOptions) : prior
      if (result.error !== undefined) {
        broken = file.upFile
        results.push(
          await lintMigration({
            file,
            changes: [],
            driver,
            settings,
            hasDownFunction,
            extra: [{ code: 'MF100', severity: CODES.MF100.severity, message: `fails when replayed on a scratch database: ${result.error.message}`, fix: 'fix the statement; `migrator up` would fail the same way' }],
          }),
        )
        continue
      }
      const after = await scratch.inspect(inspectOptions(config))
      const statements = file.format === 'sql' ? driver.splitStatements(file.up).map((st) => st.sql) : []
      const { changes } = diffSchemas(before, withDeclaredRenames(after, statements), { capabilities: driver.capabilities })
      // Live row counts describe the database before the first pending migration only: an earlier
      // one of the same run may change the data (a backfill fills the NULLs a later NOT NULL needs).
      results.push(await lintMigration({ file, changes, driver, probe: index === 0 || options.latest !== undefined ? probe : undefined, settings, hasDownFunction }))
    }
    return results
  })
}
