import type { ResolvedConfig } from '../config/schema.js'
import { MigratorError } from '../errors.js'
import { readDirectory } from '../migrations/directory.js'
import { verifySum } from '../migrations/sum.js'
import { HistoryStore } from '../runner/history.js'
import { migrationStates } from './status.js'
import { runUp } from '../runner/run.js'
import type { MigrationFile } from '../migrations/file.js'
import type { Driver } from '../dialects/dialect.js'
import { inspectOptions, scratchRunOptions, withDriver, withScratch } from './session.js'

export interface ValidateReport {
  readonly migrations: number
  /** One line per mismatch: sum file, edited applied migrations, applied versions without files. */
  readonly problems: readonly string[]
}

/**
 * Checks migrator.sum against the files and, when a database URL is configured, the files'
 * checksums against history, out-of-order pending files, and that the directory applies in version
 * order on an empty scratch database with every file's `expect-schema` holding there: two
 * migrations (merged from two branches) that change the same column are a conflict caught here,
 * before `up` touches a database. Reads only; never writes to the database, and never creates a
 * database file that does not exist (it has no history).
 */
export async function validate(config: ResolvedConfig): Promise<ValidateReport> {
  const files = await readDirectory(config.dir)
  const problems: string[] = []
  try {
    // Edits of a file `migrator new` created need no `hash` while one works on them; CI must see them recorded.
    const { drafts = [] } = await verifySum(config.dir)
    for (const draft of drafts) problems.push(`${draft} was edited after \`migrator new\` and migrator.sum does not record the edit yet; review it and run \`migrator hash\``)
  } catch (error) {
    if (!(error instanceof MigratorError)) throw error
    problems.push(error.message)
  }
  if (config.url !== undefined) {
    const history = await withDriver(config, async (driver) => {
      const replay = await replayProblem(driver, config, files)
      if (replay !== undefined) problems.push(replay)
      return new HistoryStore(driver, config.historyTable).list()
    }, { readOnly: true, missingAsEmpty: true })
    for (const state of migrationStates(files, history)) {
      if (state.state === 'modified') {
        problems.push(`${state.version}_${state.name} changed after it was applied (sha256 ${state.checksums!.history.slice(0, 12)} in history ≠ ${state.checksums!.file.slice(0, 12)} on disk); restore the file, or run \`migrator repair\` if the edit is intentional`)
      } else if (state.state === 'missing') problems.push(`${state.version}_${state.name} is applied but its file is missing`)
      else if (state.state === 'failed') problems.push(`${state.version}_${state.name} is recorded as failed; run \`migrator repair\``)
      else if (state.state === 'out-of-order') {
        problems.push(`${state.version}_${state.name} is pending but older than the newest applied migration (out of order); apply it with \`migrator up --allow-out-of-order\` if it is independent of what ran since, or give it a new version with \`migrator rebase ${state.version}\``)
      }
    }
  }
  return { migrations: files.length, problems }
}

/**
 * Applies every migration in version order to an empty scratch database with the schema-as-expected
 * check on; the first that fails (a statement, or what it changes not being what `diff` saw) is
 * the problem.
 */
async function replayProblem(driver: Driver, config: ResolvedConfig, files: readonly MigrationFile[]): Promise<string | undefined> {
  if (files.length === 0) return undefined
  const result = await withScratch(driver, config, (scratch) =>
    runUp(scratch, files, { ...scratchRunOptions(config, 'migrator validate'), builtinChecks: true, inspect: inspectOptions(config, driver) }),
  )
  if (result.error === undefined) return undefined
  return `the migrations do not apply in version order on an empty database: ${result.error.message}`
}
