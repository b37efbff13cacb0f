import type { Db } from '../db.js'
import type { Driver } from '../dialects/dialect.js'
import { ChecksumMismatchError, FailedMigrationError, MigratorError, type MigrationFailedError } from '../errors.js'
import { parseDirectives } from '../migrations/directives.js'
import { isEmptySql } from '../migrations/directory.js'
import type { MigrationFile } from '../migrations/file.js'
import {
  checkSelection,
  checkTarget,
  countStatements,
  elapsed,
  executeScript,
  loadModule,
  messageOf,
  migrationError,
  note,
  recordedSql,
  refOf,
  runModuleFunction,
  statementLockTimeout,
  stepwiseBound,
  StepFailure,
  withRun,
  type MigrationResult,
  type Ref,
  type RunContext,
  type RunOptions,
  type RunResult,
  type ScriptProgress,
} from './execute.js'
import type { HistoryRow } from './history.js'
import { reconcileDown } from './interrupted.js'

/** How reverting one migration ended. */
export type RevertOutcome =
  | { readonly ok: true; readonly status: 'reverted' | 'skipped'; readonly statements: number; readonly executionMs: number }
  | { readonly ok: false; readonly error: MigrationFailedError; readonly restored: boolean }

/**
 * Reverts applied migrations, newest first: 1 by default, `steps` of them, those newer than `to`
 * (exclusive), or `all`. Each runs its down file (or module `down()`) and removes its history row, in
 * one transaction where the dialect allows. Before anything runs, every migration to revert must
 * have its down file unchanged since it was applied (ChecksumMismatchError) and present (MigratorError
 * naming the migration); a `failed` row refuses the run (FailedMigrationError). A failed down is
 * reported in RunResult.error, never thrown.
 */
export async function runDown(driver: Driver, files: readonly MigrationFile[], options: RunOptions): Promise<RunResult> {
  return withRun(driver, options, async (ctx, rows) => {
    // A down a killed run left part-way is the newest row: this run finishes it first.
    const failed = rows.find((row) => row.status === 'failed' && !(row.reverting === true && row === rows.at(-1)))
    if (failed !== undefined) throw new FailedMigrationError(failed.version, failed.name, failed.reverting === true ? failed.statementsApplied : undefined)
    checkTarget(options.to, [...files.map((f) => f.version), ...rows.map((r) => r.version)])

    const targets = downTargets(rows, options)
    const byVersion = new Map(files.map((f) => [f.version, f]))
    const plan = targets.map((row) => ({ row, file: revertible(row, byVersion.get(row.version)) }))

    const results: MigrationResult[] = []
    let error: MigratorError | undefined
    for (const { row, file } of plan) {
      if (error !== undefined) {
        results.push({ version: row.version, name: row.name, status: 'not-run' })
        continue
      }
      const outcome = await revertMigration(ctx, file, row)
      if (outcome.ok) {
        results.push({ version: row.version, name: row.name, status: outcome.status, executionMs: outcome.executionMs })
      } else {
        error = outcome.error
        results.push({ version: row.version, name: row.name, status: 'failed', error: outcome.error })
      }
    }
    const sql = ctx.recorder === undefined ? undefined : recordedSql(ctx.recorder)
    if (sql !== undefined) ctx.emit({ kind: 'dry-run-sql', sql })
    return { results, error, sql }
  })
}

/**
 * The history rows a down run reverts, newest first: one, `steps`, those newer than `to`, or `all`,
 * never a baseline row or one below it (MigratorError when nothing is left to revert). Throws the `checkSelection` error when more than one of them is given.
 */
export function downTargets(rows: readonly HistoryRow[], options: Pick<RunOptions, 'all' | 'to' | 'steps'>): HistoryRow[] {
  checkSelection(options)
  // A baseline row stands for what the database held before migrator: its down would drop that, so
  // reverting stops above the newest one.
  const floor = rows.filter((r) => r.baseline === true).at(-1)
  const newestFirst = [...rows].reverse().filter((r) => floor === undefined || r.version > floor.version)
  if (floor !== undefined && newestFirst.length === 0) {
    throw new MigratorError(
      'baseline',
      `nothing to revert: ${floor.version}_${floor.name} is a baseline (the database held its schema before migrator; it was recorded, never run), and down never reverts one`,
    )
  }
  const targets = options.all === true ? newestFirst : options.to !== undefined ? newestFirst.filter((r) => r.version > (options.to ?? '')) : newestFirst
  return targets.slice(0, options.steps ?? (options.all === true || options.to !== undefined ? targets.length : 1))
}

/** The file that reverts `row`, or the precondition error saying why there is none. */
function revertible(row: HistoryRow, file: MigrationFile | undefined): MigrationFile {
  const label = `${row.version}_${row.name}`
  if (file === undefined) {
    throw new MigratorError(
      'missing-down',
      `cannot revert ${label}: its files are not in the migration directory; restore them, or remove its history row with \`migrator repair\``,
    )
  }
  if (file.format === 'module') return file
  if (file.down === undefined || file.downFile === undefined) {
    throw new MigratorError('missing-down', `cannot revert ${label}: ${label}.down.sql does not exist; write it, then run down again`)
  }
  if (row.downChecksum !== undefined && file.downChecksum !== row.downChecksum) {
    throw new ChecksumMismatchError({ file: file.downFile, expected: row.downChecksum, actual: file.downChecksum ?? '' })
  }
  parseDirectives(file.down, file.downFile, 'down') // throws DirectoryError naming the line of a bad directive
  if (isEmptySql(file.down)) {
    throw new MigratorError(
      'missing-down',
      `cannot revert ${label}: ${file.downFile} has no statements (the migration is irreversible); write the down statements, then run down again`,
    )
  }
  return file
}

/**
 * Reverts one applied migration: in a transaction (statements + history row removal) when the
 * dialect has transactional DDL and neither file says `no-transaction`; otherwise statement by
 * statement, its history row (stored `reverting`, HistoryRow.reverting) counting the down's
 * statements in the database, recorded like an up's progress (src/runner/run.ts applyStepwise): a
 * down that fails or is killed part-way leaves that row, and the next down resumes after them
 * (reconcileDown settles a statement in doubt). Used by runDown and by `up --all-or-nothing` to
 * take back migrations of a failed run.
 */
export async function revertMigration(ctx: RunContext, file: MigrationFile, row: HistoryRow): Promise<RevertOutcome> {
  const ref = refOf(file, 'down')
  const start = performance.now()
  const transactional = row.reverting !== true && revertsInTransaction(ctx, file)
  const downFile = file.downFile ?? file.upFile
  note(ctx, `revert ${downFile}`)
  ctx.emit({ kind: 'migration-start', ...ref, file: downFile, statements: file.format === 'module' ? 1 : countStatements(ctx.driver, file.down), transactional })
  const dry = ctx.recorder !== undefined

  await statementLockTimeout(ctx, transactional || stepwiseBound(ctx, file.format === 'module' ? undefined : file.down))
  if (transactional) {
    try {
      const statements = await ctx.db.transaction(async (tx) => {
        // A concurrent `down` may have reverted it while this runner waited for the write lock
        // (SQLite; an exclusive runner lock keeps other runners out of the whole run).
        if (!dry && !ctx.driver.capabilities.exclusiveRunnerLock && (await ctx.history.find(tx, file.version)) === undefined) return undefined
        const n = await revertBody(ctx, tx, ref, file)
        if (!dry) await ctx.history.remove(tx, file.version)
        return n
      })
      if (statements === undefined) {
        ctx.emit({ kind: 'migration-skipped', ...ref, reason: 'already reverted by a concurrent runner' })
        return { ok: true, status: 'skipped', statements: 0, executionMs: elapsed(start) }
      }
      ctx.emit({ kind: 'migration-reverted', ...ref, executionMs: elapsed(start), statements })
      return { ok: true, status: 'reverted', statements, executionMs: elapsed(start) }
    } catch (failure) {
      const error = migrationError(file.version, downFile, failure, 'the down was rolled back; database and history are as before')
      ctx.emit({ kind: 'migration-failed', ...ref, error, undone: true })
      return { ok: false, error, restored: true }
    }
  }

  if (row.reverting === true && !ctx.driver.capabilities.exclusiveRunnerLock) {
    // Without a lock held for the whole run, the row may be a live runner's.
    throw new FailedMigrationError(row.version, row.name, row.statementsApplied)
  }
  const reverting = (n: number): HistoryRow => ({ ...row, status: 'failed', interrupted: undefined, reverting: true, statementsApplied: n, executionMs: elapsed(start) })
  const applied: HistoryRow = { ...row, status: 'applied', reverting: undefined, statementsApplied: file.format === 'module' ? 1 : countStatements(ctx.driver, file.up) }
  const from = row.reverting === true ? await reconcileDown(ctx, file, row) : 0
  if (from === 0 && !dry) await ctx.history.rewrite(ctx.driver.db, reverting(0))
  let completed = from
  try {
    const progress: ScriptProgress = {
      committed: (n) => (completed = n),
      record: async (n, db) => {
        if (!dry) await ctx.history.rewrite(db === ctx.db ? ctx.driver.db : db, reverting(n))
      },
    }
    const statements = await revertBody(ctx, ctx.db, ref, file, progress, from)
    if (!dry) await ctx.history.remove(ctx.driver.db, file.version)
    ctx.emit({ kind: 'migration-reverted', ...ref, executionMs: elapsed(start), statements })
    return { ok: true, status: 'reverted', statements, executionMs: elapsed(start) }
  } catch (failure) {
    if (completed === 0) {
      let outcome = 'nothing was reverted; database and history are as before'
      try {
        if (!dry) await ctx.history.rewrite(ctx.driver.db, applied)
      } catch (writeError) {
        outcome = `nothing was reverted, but restoring its history row failed (${messageOf(writeError)}): run \`migrator down\` again`
      }
      const error = migrationError(file.version, downFile, failure, outcome)
      ctx.emit({ kind: 'migration-failed', ...ref, error, undone: true })
      return { ok: false, error, restored: true }
    }
    // The down stopped part-way: the `reverting` row counts what ran, and the next down resumes.
    const n = completed === 1 ? 'statement 1' : `statements 1-${completed}`
    const error = migrationError(
      file.version,
      downFile,
      failure,
      `${n} of the down had already run and stay; history records the down as interrupted after statement ${completed}: fix the cause, then run \`migrator down\` again to finish it`,
    )
    ctx.emit({ kind: 'migration-failed', ...ref, error, undone: false })
    return { ok: false, error, restored: false }
  }
}

function revertsInTransaction(ctx: RunContext, file: MigrationFile): boolean {
  if ((ctx.options.txMode ?? 'file') === 'none' || !ctx.driver.capabilities.transactionalDdl) return false
  if (file.directives.noTransaction) return false
  if (file.down === undefined) return true
  try {
    return !parseDirectives(file.down, file.downFile ?? file.upFile, 'down').noTransaction
  } catch {
    // A malformed directive block is reported by runDown's precondition check; here, stay transactional.
    return true
  }
}

/** Runs the down statements after the first `from` (or the module's down()); returns how many are in the database. */
async function revertBody(ctx: RunContext, db: Db, ref: Ref, file: MigrationFile, progress: ScriptProgress = {}, from = 0): Promise<number> {
  if (file.format === 'module') {
    if (from >= 1) return 1
    if (ctx.recorder !== undefined) {
      note(ctx, `${file.upFile} down() is JavaScript: not shown in a dry run`)
      return 1
    }
    const loaded = await loadModule(file)
    if (loaded.down === undefined) {
      throw new StepFailure({ file: file.upFile, reason: 'the module exports no down() function; add one to make it reversible' })
    }
    await runModuleFunction(ctx, db, ref, file, loaded.down)
    progress.committed?.(1)
    await progress.record?.(1, db)
    return 1
  }
  return executeScript(ctx, db, ref, { text: file.down ?? '', file: file.downFile ?? file.upFile }, progress, from)
}
