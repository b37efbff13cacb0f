import { baselineFloor } from '../runner/pending.js'
import type { ResolvedConfig } from '../config/schema.js'
import type { Driver } from '../dialects/dialect.js'
import { lintMigration, type LintSettings, type MigrationLint } from '../lint/analyze.js'
import type { LintFinding } from '../lint/finding.js'
import { CODES } from '../lint/codes.js'
import { liveProbe, type DataProbe } from '../lint/probe.js'
import { withDeclaredRenames } from '../lint/renames.js'
import type { MigrationFile } from '../migrations/file.js'
import { HistoryStore, type HistoryRow } from '../runner/history.js'
import { loadModule, messageOf, namesAnyTable } from '../runner/execute.js'
import { runUp } from '../runner/run.js'
import { diffSchemas } from '../schema/diff.js'
import { listMigrations } from './directory.js'
import { cloneStructure } from './replay.js'
import { inspectOptions, scratchRunOptions, withDriver, withScratch } from './session.js'

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
  // Reads only: a database that does not exist yet has every migration pending, and is not created.
  return withDriver(config, (driver) => lintWithDriver(driver, config, files, options), { readOnly: true, missingAsEmpty: true })
}

/** `lint` over an open driver (also used by `up` and `status`). */
export async function lintWithDriver(driver: Driver, config: ResolvedConfig, files: readonly MigrationFile[], options: LintOptions = {}): Promise<LintReport> {
  const selection = await selectFiles(driver, config, files, options)
  const migrations = await lintSelected(driver, config, files, selection, options)
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

async function selectFiles(
  driver: Driver,
  config: ResolvedConfig,
  files: readonly MigrationFile[],
  options: LintOptions,
): Promise<Selection> {
  // A failed row's statements (all of them, for a backfill to resume) are in the live database
  // already: replaying them on a copy of its structure would fail for no reason.
  const rows = await new HistoryStore(driver, config.historyTable).list()
  const applied = new Set(rows.map((r) => r.version))
  // A failed row is a backfill to resume: it runs first and changes the data the counts describe.
  const resuming = rows.some((r) => r.status === 'failed')
  const interrupted = rows.flatMap((row) => {
    const file = row.interrupted === true ? files.find((f) => f.version === row.version) : undefined
    return file === undefined ? [] : [{ file, row }]
  })
  if (options.latest !== undefined) return { selected: files.slice(Math.max(0, files.length - options.latest)), applied, resuming, interrupted }
  // Files at or below a baseline count as applied, though they have no row.
  const floor = baselineFloor(rows)
  return { selected: files.filter((f) => !applied.has(f.version) && (floor === undefined || f.version > floor)), applied, resuming, interrupted }
}

interface Selection {
  readonly selected: readonly MigrationFile[]
  readonly applied: ReadonlySet<string>
  /** A failed row is a backfill to resume (or an interrupted migration): it runs first. */
  readonly resuming: boolean
  /** Migrations a killed run left part-way: `up` finishes them before the pending ones. */
  readonly interrupted: readonly { readonly file: MigrationFile; readonly row: HistoryRow }[]
}

/**
 * Runs on a scratch copy of the live structure what `up` will run of a migration a killed run left
 * part-way: the statements after those history counts as in. The first of them may or may not have
 * taken effect before the kill; here it either runs or fails because its effect is already there,
 * so its error is ignored (the real run settles it against the live schema, src/runner/interrupted.ts).
 */
async function finishInterrupted(scratch: Driver, { file, row }: Selection['interrupted'][number]): Promise<void> {
  if (file.format !== 'sql') return
  const rest = scratch.splitStatements(file.up).slice(row.statementsApplied)
  for (const [index, statement] of rest.entries()) {
    await scratch.db.exec(statement.sql).catch((error: unknown) => {
      if (index > 0) throw error
    })
  }
}

/**
 * Works out what each selected file changes the way Atlas does: a scratch database is inspected
 * before and after applying the file, and the difference is what the analyzers see. Pending files
 * are applied in order to a scratch database given the live structure first, so what they touch
 * there is what they touch on the live database (tables created by hand included), and MF100 means
 * "fails on this database". Files already applied (`--latest`) are analyzed on the migrations
 * before them, replayed from empty. Data-dependent analyzers ask the live database.
 */
async function lintSelected(
  driver: Driver,
  config: ResolvedConfig,
  files: readonly MigrationFile[],
  { selected, applied, resuming, interrupted }: Selection,
  options: LintOptions,
): Promise<MigrationLint[]> {
  if (selected.length === 0) return []
  const settings = lintSettings(config)
  const live = await driver.inspect(inspectOptions(config, driver))
  const probe: DataProbe = liveProbe(driver, live, config.lockTimeoutMs)
  // A generated migration must change what it was generated to change, from where it was generated:
  // two merged migrations changing the same column fail here (MF100), before `up` touches a database.
  const runOptions = { ...scratchRunOptions(config, 'migrator lint'), builtinChecks: 'changes' as const, inspect: inspectOptions(config, driver) }
  const escalated = Object.entries(settings.rules ?? {}).some(([code, severity]) => severity === 'error' && !code.startsWith('TX'))
  // The gate analyzes the changes of files that name a live table: a file that only creates
  // tables can neither fail on nor destroy existing data.
  const liveTables = live.tables.map((t) => t.name)
  const analyzed = selected.map((file) => options.gate !== true || escalated || namesAnyTable(file, liveTables))
  const hasDown = async (file: MigrationFile): Promise<boolean | undefined> =>
    file.format === 'module' ? loadModule(file).then((m) => m.down !== undefined).catch(() => false) : undefined
  const textOnly = async (file: MigrationFile): Promise<MigrationLint> => lintMigration({ file, changes: [], driver, settings, hasDownFunction: await hasDown(file) })
  if (!analyzed.some(Boolean)) return Promise.all(selected.map(textOnly))
  const analyzeOn = async (scratch: Driver, base: readonly MigrationFile[], startNote?: LintFinding): Promise<MigrationLint[]> => {
    const results: MigrationLint[] = []
    let broken: string | undefined
    for (const [index, file] of selected.entries()) {
      const hasDownFunction = await hasDown(file)
      const prior = base.filter((f) => f.version < file.version)
      if (broken !== undefined) {
        results.push(await lintMigration({ file, changes: [], driver, settings, hasDownFunction, extra: [{ code: 'MF100', severity: 'error', message: `not analyzed: ${broken} failed before it` }] }))
        continue
      }
      const priorRun = await runUp(scratch, prior, runOptions)
      const before = priorRun.error === undefined && analyzed[index] === true ? await scratch.inspect(inspectOptions(config, driver)) : undefined
      const result = priorRun.error === undefined ? await runUp(scratch, [...prior, file], runOptions) : priorRun
      if (result.error !== undefined) {
        broken = file.upFile
        const where = base === selected ? 'fails on this database (tried on a scratch copy of its structure)' : 'fails when replayed on a scratch database'
        results.push(
          await lintMigration({
            file,
            changes: [],
            driver,
            settings,
            hasDownFunction,
            extra: [{ code: 'MF100', severity: CODES.MF100.severity, message: `${where}: ${result.error.message}`, fix: 'fix the statement; `migrator up` would fail the same way' }],
          }),
        )
        continue
      }
      if (before === undefined) {
        results.push(await textOnly(file))
        continue
      }
      const after = await scratch.inspect(inspectOptions(config, driver))
      const statements = file.format === 'sql' ? driver.splitStatements(file.up).map((st) => st.sql) : []
      const { changes } = diffSchemas(before, withDeclaredRenames(after, statements), { capabilities: driver.capabilities })
      // Might-fail counts describe the database before the first pending migration only (and not
      // even that one while a backfill resumes first): an earlier one of the same run may change
      // the data (a backfill fills the NULLs a later NOT NULL needs).
      // What a change would destroy is always counted: a table holding rows now is assumed to hold
      // them when the migration runs, so consent errs on the side of asking.
      results.push(
        await lintMigration({
          file,
          changes,
          driver,
          schemas: { current: before, desired: after },
          probe: (index === 0 && !resuming) || options.latest !== undefined ? probe : undefined,
          lossProbe: probe,
          settings,
          hasDownFunction,
          extra: startNote === undefined ? [] : [startNote],
        }),
      )
    }
    return results
  }
  // From live: the pending files apply on top of the live structure. Otherwise (files already
  // applied, or a live structure that cannot be recreated) the directory replays from empty.
  let startNote: LintFinding | undefined
  if (selected.every((f) => !applied.has(f.version))) {
    const outcome = await withScratch(driver, config, async (scratch) => {
      try {
        await cloneStructure(scratch, live)
        for (const part of interrupted) await finishInterrupted(scratch, part)
      } catch (error) {
        return messageOf(error)
      }
      return analyzeOn(scratch, selected)
    })
    if (typeof outcome !== 'string') return outcome
    startNote = { code: 'MF100', severity: 'info', message: `analyzed on the migration history replayed from empty: the live structure could not be recreated on a scratch database (${outcome})` }
  }
  return withScratch(driver, config, (scratch) => analyzeOn(scratch, files, startNote))
}
