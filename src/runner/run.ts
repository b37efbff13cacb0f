import type { Db } from '../db.js'
import type { Driver } from '../dialects/dialect.js'
import { FailedMigrationError, MigratorError, type MigrationFailedError } from '../errors.js'
import type { MigrationFile } from '../migrations/file.js'
import { revertMigration } from './down.js'
import {
  checkSelection,
  checkTarget,
  countStatements,
  elapsed,
  ensureHistory,
  executeScript,
  historyRow,
  loadModule,
  messageOf,
  migrationError,
  note,
  recordedSql,
  refOf,
  runChecks,
  runInspectOptions,
  runModuleFunction,
  statementLockTimeout,
  stepwiseBound,
  StepFailure,
  tablesAtRunStart,
  withRun,
  type MigrationResult,
  type Ref,
  type RunContext,
  type RunOptions,
  type RunResult,
  type ScriptProgress,
} from './execute.js'
import { awaitOtherRunner, reconcile } from './interrupted.js'
import type { HistoryRow } from './history.js'
import { runBackfill } from '../backfill/run.js'
import { withLockRetry } from '../zero-downtime/retry.js'
import { beginBuiltinChecks, BuiltinCheckFailure } from '../safety/postcheck.js'
import { startUntouchedCheck } from '../safety/untouched.js'
import { planPending, type PendingPlan } from './pending.js'
import { lockPreCheck } from './precheck.js'
import { moduleUpFailed, undoApplied } from './undo.js'
import { planSnapshot, recordSnapshot, recordsSnapshot, snapshotReady } from './record-snapshot.js'

export type { MigrationResult, MigrationStatus, RunOptions, RunResult } from './execute.js'

/** How applying one migration ended. */
type ApplyOutcome =
  | { readonly ok: true; readonly status: 'applied' | 'skipped'; readonly statements: number; readonly executionMs: number }
  | { readonly ok: false; readonly error: MigrationFailedError; readonly restored: boolean }

/** Where one migration starts (see runUp). */
type Start =
  /** From its first statement. */
  | { readonly kind: 'fresh' }
  /**
   * A run left it part-way (an interrupted history row): after its first `from` statements, or,
   * with `from` undefined (no exclusive runner lock), once the run holding it is seen to be gone.
   */
  | { readonly kind: 'interrupted'; readonly from?: number }
  /** Its statements are in and its backfill resumes from the checkpoint. */
  | { readonly kind: 'backfill' }

/**
 * What `up` would apply, or the precondition error that stops it (a failed row, an edited applied
 * file, missing files, an unknown `to`, `to` together with `steps`). `up` asks this before anything
 * else, so those errors come first, before lint or consent.
 */
export function planUp(driver: Driver, files: readonly MigrationFile[], rows: readonly HistoryRow[], options: Pick<RunOptions, 'allowMissing' | 'allowOutOfOrder' | 'to' | 'steps'>): PendingPlan {
  checkSelection(options)
  // A failed row whose statements all ran and whose backfill was interrupted resumes, not refuses;
  // so may a migration a run left part-way: `rows` may be read before the runner lock, when that
  // run may still be at work, so whether it can resume is settled under the lock (runUp).
  const resumable = (file: MigrationFile, row: HistoryRow): boolean =>
    row.interrupted === true || (hasBackfills(file) && row.statementsApplied === countStatements(driver, file.up))
  const plan = planPending(files, rows, { allowMissing: options.allowMissing, allowOutOfOrder: options.allowOutOfOrder, resumable })
  checkTarget(options.to, [...files.map((f) => f.version), ...rows.map((r) => r.version)])
  return plan
}

/**
 * Applies pending migrations in version order (up to and including `to`, or at most `steps`).
 *
 * Takes the runner lock and refuses to start when history and files disagree
 * (ChecksumMismatchError, FailedMigrationError, MissingMigrationError, InterruptedMigrationError:
 * thrown, like a lock timeout); creates the history table only when there is something to apply.
 * Each migration then runs in one transaction with its checks and history row when the dialect
 * has transactional DDL and the file does not say `no-transaction`; otherwise statement by
 * statement, its history row counting the statements in the database (data statements commit
 * with it), and, on failure, its applied statements undone newest first. A migration a killed run
 * left part-way resumes where it stopped (src/runner/interrupted.ts). `allOrNothing` (txMode
 * 'all') makes a failure take back the whole run.
 *
 * Never throws for a failed migration: see RunResult.error and the failed result.
 */
export async function runUp(driver: Driver, files: readonly MigrationFile[], options: RunOptions): Promise<RunResult> {
  return withRun(driver, options, async (ctx, rows) => {
    const { pending, resume } = planUp(driver, files, rows, options)
    const to = options.to
    const selected = pending.filter((f) => to === undefined || f.version <= to).slice(0, options.steps ?? pending.length)

    const interrupted = new Map(rows.filter((r) => r.interrupted === true && resume.has(r.version)).map((r) => [r.version, r]))
    const starts = new Map<string, Start>()
    for (const file of selected) {
      const row = interrupted.get(file.version)
      if (row === undefined) starts.set(file.version, resume.has(file.version) ? { kind: 'backfill' } : { kind: 'fresh' })
      // Holding the runner lock, this runner knows the run that wrote the row is gone.
      else starts.set(file.version, { kind: 'interrupted', from: driver.capabilities.exclusiveRunnerLock ? await reconcile(ctx, file, row) : undefined })
    }
    // A run whose first migration fails leaves no history table behind (nothing was recorded).
    const creates = selected.length > 0 && ctx.recorder === undefined && !(await ctx.history.exists())
    if (selected.length > 0) await ensureHistory(ctx)
    const snapshots = await planSnapshot(ctx, rows, selected)

    const mode = options.allOrNothing === true ? 'all' : (options.txMode ?? 'file')
    const inTransaction = (file: MigrationFile): boolean =>
      mode !== 'none' && !file.directives.noTransaction && (driver.capabilities.transactionalDdl || dataOnly(driver, file))
    const applyOne = (file: MigrationFile): Promise<ApplyOutcome> => {
      const start = starts.get(file.version) ?? { kind: 'fresh' }
      if (hasBackfills(file)) return applyWithBackfills(ctx, file, start, inTransaction(file))
      if (start.kind === 'interrupted') return applyStepwise(ctx, file, 'applied', start)
      return inTransaction(file) ? applyInTransaction(ctx, file) : applyStepwise(ctx, file)
    }
    const result =
      mode === 'all' && selected.length > 0 && selected.every((f) => inTransaction(f) && !hasBackfills(f) && !interrupted.has(f.version))
        ? await applyAllInOneTransaction(ctx, selected)
        : await applyEach(ctx, selected, applyOne, mode === 'all')
    // A run that stopped early leaves no scratch database of the snapshot check behind.
    await snapshotReady(ctx)
    if (creates && (await ctx.history.list()).length === 0) {
      await ctx.history.drop()
      await snapshots?.drop()
    }
    const sql = ctx.recorder === undefined ? undefined : recordedSql(ctx.recorder)
    if (sql !== undefined) ctx.emit({ kind: 'dry-run-sql', sql })
    return { ...result, sql }
  })
}

/**
 * One migration after the other; with `compensate` (all-or-nothing without one enclosing
 * transaction) a failure reverts the migrations this run applied, newest first, with their downs,
 * unless the failed one is left partly applied.
 */
async function applyEach(
  ctx: RunContext,
  files: readonly MigrationFile[],
  applyOne: (file: MigrationFile) => Promise<ApplyOutcome>,
  compensate: boolean,
): Promise<RunResult> {
  const results: MigrationResult[] = []
  const appliedNow: { file: MigrationFile; statements: number; executionMs: number; index: number }[] = []
  for (const [index, file] of files.entries()) {
    const blocked = await lockPreCheck(ctx, file)
    const outcome: ApplyOutcome = blocked !== undefined ? { ok: false, error: blocked, restored: true } : await applyOne(file)
    if (outcome.ok) {
      results.push({ version: file.version, name: file.slug, status: outcome.status, executionMs: outcome.executionMs })
      if (outcome.status === 'applied') appliedNow.push({ file, statements: outcome.statements, executionMs: outcome.executionMs, index })
      continue
    }
    results.push({ version: file.version, name: file.slug, status: 'failed', error: outcome.error })
    for (const rest of files.slice(index + 1)) results.push({ version: rest.version, name: rest.slug, status: 'not-run' })
    if (!compensate || appliedNow.length === 0) return { results, error: outcome.error }
    if (!outcome.restored) {
      // Reverting earlier migrations beneath a partly applied one could take away what its failed
      // row counts as still applied; they stay, and the message says so.
      const kept = appliedNow.map((done) => `${done.file.version}_${done.file.slug}`).join(', ')
      const error = new MigratorError(
        'migration-failed',
        `${outcome.error.message}; --all-or-nothing did not revert ${kept} (applied earlier in this run), because ${file.version}_${file.slug} is only partly undone: ` +
          `once it is repaired, revert ${appliedNow.length === 1 ? 'it' : 'them'} with \`migrator down\` if needed`,
        { cause: outcome.error },
      )
      return { results, error }
    }

    // --all-or-nothing: take back what this run applied, newest first.
    for (const done of [...appliedNow].reverse()) {
      const reverted = await revertMigration(ctx, done.file, historyRow(ctx, done.file, 'applied', done.statements, done.executionMs))
      if (!reverted.ok) {
        results[done.index] = { version: done.file.version, name: done.file.slug, status: 'failed', error: reverted.error }
        const error = new MigratorError(
          'rollback-failed',
          `${outcome.error.message}; reverting ${done.file.version}_${done.file.slug} for --all-or-nothing then failed: ${reverted.error.message}`,
          { cause: outcome.error },
        )
        return { results, error }
      }
      results[done.index] = { version: done.file.version, name: done.file.slug, status: 'undone' }
      ctx.emit({ kind: 'migration-undone', ...refOf(done.file, 'up'), reason: `--all-or-nothing: ${file.version}_${file.slug} failed` })
    }
    return { results, error: outcome.error }
  }
  return { results }
}

/** All migrations in one transaction (all-or-nothing with transactional DDL): any failure rolls back the run. */
async function applyAllInOneTransaction(ctx: RunContext, files: readonly MigrationFile[]): Promise<RunResult> {
  for (const file of files) {
    const blocked = await lockPreCheck(ctx, file)
    if (blocked === undefined) continue
    const results: MigrationResult[] = files.map((f) => (f === file ? { version: f.version, name: f.slug, status: 'failed', error: blocked } : { version: f.version, name: f.slug, status: 'not-run' }))
    return { results, error: blocked }
  }
  const applied: { file: MigrationFile; status: 'applied' | 'skipped'; executionMs: number }[] = []
  let current: MigrationFile | undefined
  try {
    await snapshotReady(ctx, files.at(-1))
    await statementLockTimeout(ctx, true)
    await ctx.db.transaction(async (tx) => {
      for (const file of files) {
        current = file
        const start = performance.now()
        announce(ctx, file, true)
        const statements = await transactionBody(ctx, tx, file)
        const executionMs = elapsed(start)
        if (statements === undefined) skipped(ctx, file)
        else ctx.emit({ kind: 'migration-applied', ...refOf(file, 'up'), executionMs, statements })
        applied.push({ file, status: statements === undefined ? 'skipped' : 'applied', executionMs })
      }
    })
  } catch (failure) {
    const failedFile = current ?? files[0]
    if (failedFile === undefined) throw failure
    const undone = applied.filter((a) => a.status === 'applied').length
    const error = migrationError(
      failedFile.version,
      failedFile.upFile,
      failure,
      `the whole run was rolled back${undone > 0 ? ` (${undone} earlier migration${undone > 1 ? 's' : ''} of this run undone)` : ''}; database and history are as before`,
    )
    ctx.emit({ kind: 'migration-failed', ...refOf(failedFile, 'up'), error, undone: true })
    const results: MigrationResult[] = files.map((file) => {
      const done = applied.find((a) => a.file === file)
      if (file === failedFile) return { version: file.version, name: file.slug, status: 'failed', error }
      if (done !== undefined) return { version: file.version, name: file.slug, status: done.status === 'applied' ? 'undone' : 'skipped' }
      return { version: file.version, name: file.slug, status: 'not-run' }
    })
    for (const a of applied) {
      if (a.status === 'applied') ctx.emit({ kind: 'migration-undone', ...refOf(a.file, 'up'), reason: 'the run was rolled back' })
    }
    return { results, error }
  }
  return { results: applied.map((a) => ({ version: a.file.version, name: a.file.slug, status: a.status, executionMs: a.executionMs })) }
}

/**
 * One migration in its own transaction: checks, statements and history row commit or roll back
 * together. A transaction stopped by a lock timeout is retried with backoff `lockRetries` times
 * (it rolled back, so a retry starts clean). `final` is the status the history row gets: 'failed'
 * marks statements done with a backfill still to run.
 */
async function applyInTransaction(ctx: RunContext, file: MigrationFile, final: 'applied' | 'failed' = 'applied'): Promise<ApplyOutcome> {
  const start = performance.now()
  announce(ctx, file, true)
  try {
    await snapshotReady(ctx, file)
    await statementLockTimeout(ctx, true)
    const attempt = () => ctx.db.transaction((tx) => transactionBody(ctx, tx, file, final))
    const retries = ctx.options.lockRetries ?? 0
    const statements =
      retries > 0 && ctx.recorder === undefined
        ? await withLockRetry(ctx.driver, attempt, {
            attempts: retries + 1,
            isLockTimeout: (e) => ctx.driver.isLockTimeout?.(e) ?? false,
            onRetry: (e) => ctx.emit({ kind: 'lock-retry', ...refOf(file, 'up'), attempt: e.attempt, attempts: e.attempts, delayMs: e.delayMs }),
          })
        : await attempt()
    const executionMs = elapsed(start)
    if (statements === undefined) {
      skipped(ctx, file)
      return { ok: true, status: 'skipped', statements: 0, executionMs }
    }
    if (final === 'applied') ctx.emit({ kind: 'migration-applied', ...refOf(file, 'up'), executionMs, statements })
    return { ok: true, status: 'applied', statements, executionMs }
  } catch (failure) {
    const error = migrationError(file.version, file.upFile, failure, 'the migration was rolled back; database and history are as before')
    ctx.emit({ kind: 'migration-failed', ...refOf(file, 'up'), error, undone: true })
    return { ok: false, error, restored: true }
  }
}

/**
 * The inside of a migration's transaction. Returns the number of statements run, or undefined when
 * the history row already exists: a concurrent runner applied the migration while this one waited
 * for the write lock (how two `up`s on one SQLite file apply each migration exactly once).
 */
async function transactionBody(ctx: RunContext, tx: Db, file: MigrationFile, final: 'applied' | 'failed' = 'applied'): Promise<number | undefined> {
  const ref = refOf(file, 'up')
  const dry = ctx.recorder !== undefined
  const start = performance.now()
  if (!dry && !ctx.driver.capabilities.exclusiveRunnerLock && (await ctx.history.find(tx, file.version)) !== undefined) return undefined
  await runChecks(ctx, tx, ref, file, 'before')
  const builtin = await startBuiltinChecks(ctx, tx, ref, file, true)
  const statements = await upBody(ctx, tx, ref, file)
  await builtin()
  await runChecks(ctx, tx, ref, file, 'after')
  // find() above saw no row, so a plain insert records it.
  if (!dry) await ctx.history.insert(tx, historyRow(ctx, file, final, statements, elapsed(start)))
  if (final === 'applied') await recordSnapshot(ctx, tx, file)
  return statements
}

/**
 * One migration without a transaction (no transactional DDL, `no-transaction`, txMode 'none'):
 * statements one by one, its history row (stored `running`, HistoryRow.interrupted) counting
 * the statements in the database: a lone statement is recorded after it ran, a statement that can
 * share a transaction (Driver.isTransactional) commits with its record, so a crash leaves a row
 * that is exact, or in doubt about one statement that could not share one (src/runner/interrupted.ts
 * settles that). The row is claimed before anything runs, so of two runners only one applies the
 * migration; the other waits for it. On failure the applied statements are undone newest first
 * where the down file provably undoes them (src/runner/undo.ts); if that restores the database the
 * row is removed, otherwise it stays `failed`, counting the statements still applied, for
 * `repair`. The error message says what was undone and what stayed. `start.from`: resume an
 * interrupted migration after that many statements, without its check-before.
 */
async function applyStepwise(ctx: RunContext, file: MigrationFile, final: 'applied' | 'failed' = 'applied', start: Start = { kind: 'fresh' }): Promise<ApplyOutcome> {
  const ref = refOf(file, 'up')
  const dry = ctx.recorder !== undefined
  const began = performance.now()
  const from = start.kind === 'interrupted' ? start.from : undefined
  announce(ctx, file, false)
  await statementLockTimeout(ctx, stepwiseBound(ctx, file.format === 'module' ? undefined : file.up))
  const running = (completed: number): HistoryRow => ({ ...historyRow(ctx, file, 'failed', completed, elapsed(began)), interrupted: true })
  const fail = (failure: unknown, outcome: string, restored: boolean): ApplyOutcome => {
    const error = migrationError(file.version, file.upFile, failure, outcome)
    ctx.emit({ kind: 'migration-failed', ...ref, error, undone: restored })
    return { ok: false, error, restored }
  }

  if (from === undefined && !dry && (await claim(ctx, file, running(0))) === 'applied') {
    skipped(ctx, file)
    return { ok: true, status: 'skipped', statements: 0, executionMs: elapsed(began) }
  }
  let completed = from ?? 0
  let upStarted = false
  try {
    if (from === undefined) await runChecks(ctx, ctx.db, ref, file, 'before')
    const builtin = await startBuiltinChecks(ctx, ctx.db, ref, file, false)
    const statements = await upBody(
      ctx,
      ctx.db,
      ref,
      file,
      {
        committed: (n) => (completed = n),
        // Inside a group's transaction the record commits with the group.
        record: async (n, db) => {
          if (!dry) await ctx.history.rewrite(db === ctx.db ? ctx.driver.db : db, running(n))
        },
      },
      () => (upStarted = true),
      from,
    )
    await builtin()
    await runChecks(ctx, ctx.db, ref, file, 'after')
    if (!dry) await recordApplied(ctx, file, historyRow(ctx, file, final, statements, elapsed(began)))
    const executionMs = elapsed(began)
    if (final === 'applied') ctx.emit({ kind: 'migration-applied', ...ref, executionMs, statements })
    return { ok: true, status: 'applied', statements, executionMs }
  } catch (failure) {
    const record = async (remaining: number): Promise<void> => {
      if (!dry) await ctx.history.rewrite(ctx.driver.db, historyRow(ctx, file, 'failed', remaining, elapsed(began)))
    }
    // A module's up() that threw ran outside a transaction: what it did before throwing is unknown.
    const undo = file.format === 'module' && completed === 0 && upStarted ? moduleUpFailed(file) : await undoApplied(ctx, file, completed, record)
    if (undo.restored) {
      try {
        if (!dry) await ctx.history.remove(ctx.driver.db, file.version)
      } catch (removeError) {
        return fail(failure, `${undo.summary}; the database is as before, but removing its history row failed (${messageOf(removeError)}): run \`migrator repair\``, false)
      }
      return fail(failure, `${undo.summary}; database and history are as before`, true)
    }
    let marked = `history marks ${file.version} failed with statements_applied = ${undo.remaining}`
    try {
      await record(undo.remaining)
    } catch (writeError) {
      marked = `recording that in history also failed (${messageOf(writeError)})`
    }
    return fail(failure, `${undo.summary}; ${marked}: ${undo.todo ?? 'inspect the database'}, then run \`migrator repair\``, false)
  }
}

/**
 * Claims a migration's history row with `row` before its first statement. When a row is there
 * already, another run holds the migration: waits for it (src/runner/interrupted.ts), and returns
 * 'applied' once that run applied it; a row that ends failed throws FailedMigrationError.
 */
async function claim(ctx: RunContext, file: MigrationFile, row: HistoryRow): Promise<'claimed' | 'applied'> {
  // Under an exclusive runner lock the history was read holding it: a pending version has no row.
  if (ctx.driver.capabilities.exclusiveRunnerLock) {
    await ctx.history.insert(ctx.driver.db, row)
    return 'claimed'
  }
  for (;;) {
    const held = await ctx.history.claim(ctx.driver.db, row)
    if (held === undefined) return 'claimed'
    if (held.status === 'applied') return 'applied'
    if (held.interrupted !== true) throw new FailedMigrationError(held.version, held.name)
    if ((await awaitOtherRunner(ctx, file, held)) === 'applied') return 'applied'
  }
}

/**
 * The migration's own work: its SQL statements after the first `from`, or its module's up()
 * (unless `from` says it ran). Returns the count in the database. `moduleStarted` is called just
 * before a module's up() runs.
 */
async function upBody(ctx: RunContext, db: Db, ref: Ref, file: MigrationFile, progress: ScriptProgress = {}, moduleStarted?: () => void, from = 0): Promise<number> {
  if (file.format === 'module') {
    if (from >= 1) return 1
    if (ctx.recorder !== undefined) {
      note(ctx, `${file.upFile} up() is JavaScript: not shown in a dry run`)
      return 1
    }
    const loaded = await loadModule(file)
    if (loaded.up === undefined) throw new StepFailure({ file: file.upFile, reason: 'the module exports no up() function' })
    moduleStarted?.()
    await runModuleFunction(ctx, db, ref, file, loaded.up)
    progress.committed?.(1)
    await progress.record?.(1, db)
    return 1
  }
  return executeScript(ctx, db, ref, { text: file.up, file: file.upFile }, progress, from)
}

/**
 * The built-in post-checks (src/safety/postcheck.ts) when `options.builtinChecks`: measures before
 * the statements run and returns the verification to call after them. A failure becomes a
 * StepFailure naming the check, so the migration rolls back (or is undone) like any other.
 * Dry runs only note them: nothing changed that they could verify.
 */
async function startBuiltinChecks(ctx: RunContext, db: Db, ref: Ref, file: MigrationFile, inTransaction: boolean): Promise<() => Promise<void>> {
  const untouched = await startUntouchedCheck(ctx, db, ref, file, inTransaction)
  const builtin = await startPostChecks(ctx, db, ref, file)
  return async () => {
    await builtin()
    await untouched()
  }
}

async function startPostChecks(ctx: RunContext, db: Db, ref: Ref, file: MigrationFile): Promise<() => Promise<void>> {
  const only = ctx.options.builtinChecks === 'changes'
  if (ctx.options.builtinChecks !== true && !only) return async () => {}
  if (only && file.directives.expectChanges === undefined) return async () => {}
  if (ctx.recorder !== undefined) {
    if (file.directives.expectSchema !== undefined || file.directives.expectChanges !== undefined || file.directives.allowRowChange !== true) note(ctx, 'built-in checks (schema-as-expected, no-rows-lost) run after the statements')
    return async () => {}
  }
  const verify = await beginBuiltinChecks(ctx.driver, db, file, {
    knownTables: new Set(await tablesAtRunStart(ctx, db)),
    ...(only ? { onlyChanges: true } : {}),
    inspect: runInspectOptions(ctx, db),
    expectedSchema: ctx.options.expectedSchema,
    passed: (check) => ctx.emit({ kind: 'check-passed', ...ref, phase: 'after', sql: `built-in ${check}` }),
  })
  return async () => {
    try {
      await verify()
    } catch (error) {
      if (!(error instanceof BuiltinCheckFailure)) throw error
      ctx.emit({ kind: 'check-failed', ...ref, phase: 'after', sql: `built-in ${error.check}` })
      throw new StepFailure({ file: file.upFile, reason: error.message, cause: error })
    }
  }
}

function announce(ctx: RunContext, file: MigrationFile, transactional: boolean): void {
  note(ctx, file.upFile)
  ctx.emit({
    kind: 'migration-start',
    ...refOf(file, 'up'),
    file: file.upFile,
    statements: file.format === 'module' ? 1 : countStatements(ctx.driver, file.up),
    transactional,
  })
}

function skipped(ctx: RunContext, file: MigrationFile): void {
  ctx.emit({ kind: 'migration-skipped', ...refOf(file, 'up'), reason: 'already applied by a concurrent runner' })
}

/** A SQL migration of data statements only runs in one transaction even without transactional DDL. */
function dataOnly(driver: Driver, file: MigrationFile): boolean {
  const transactional = driver.isTransactional?.bind(driver)
  return file.format === 'sql' && transactional !== undefined && driver.splitStatements(file.up).every((s) => transactional(s.sql))
}

function hasBackfills(file: MigrationFile): boolean {
  return (file.directives.backfills?.length ?? 0) > 0
}

/**
 * A migration with `-- migrator:backfill` directives: its statements first (their history row says
 * `failed` with every statement counted: "statements in, backfill pending"), then each backfill in
 * short chunk transactions with a checkpoint, then the row becomes `applied`. A run killed or
 * stopped during the backfill leaves that row, and the next `up` resumes from the checkpoint
 * (`start` 'backfill') instead of refusing; the statements are not undone, since the backfill only
 * fills them in. One killed during its statements resumes them (`start` 'interrupted').
 */
async function applyWithBackfills(ctx: RunContext, file: MigrationFile, start: Start, inTransaction: boolean): Promise<ApplyOutcome> {
  const ref = refOf(file, 'up')
  const began = performance.now()
  let statements = countStatements(ctx.driver, file.up)
  if (start.kind !== 'backfill') {
    const outcome =
      start.kind === 'interrupted' || !inTransaction ? await applyStepwise(ctx, file, 'failed', start) : await applyInTransaction(ctx, file, 'failed')
    if (!outcome.ok || outcome.status === 'skipped') return outcome
    statements = outcome.statements
  } else announce(ctx, file, false)
  if (ctx.recorder !== undefined) {
    for (const d of file.directives.backfills ?? []) note(ctx, `backfill ${d.spec.table}: SET ${d.spec.set} WHERE ${d.spec.where} in chunks of ${d.spec.batch}`)
    return { ok: true, status: 'applied', statements, executionMs: elapsed(began) }
  }
  try {
    await statementLockTimeout(ctx, false)
    for (const directive of file.directives.backfills ?? []) {
      await runBackfill(ctx.driver, directive.spec, { ...directive.throttle, count: true, onEvent: (event) => ctx.emit({ kind: 'backfill', ...ref, event }) })
    }
    await recordApplied(ctx, file, historyRow(ctx, file, 'applied', statements, elapsed(began)))
  } catch (failure) {
    const error = migrationError(
      file.version,
      file.upFile,
      failure,
      'its statements are applied and the backfill stopped at its last checkpoint; fix the cause and run `migrator up` again to resume it',
    )
    ctx.emit({ kind: 'migration-failed', ...ref, error, undone: false })
    return { ok: false, error, restored: false }
  }
  const executionMs = elapsed(began)
  ctx.emit({ kind: 'migration-applied', ...ref, executionMs, statements })
  return { ok: true, status: 'applied', statements, executionMs }
}

/**
 * Writes the history row of a migration that ran outside one transaction, and, when it is
 * `applied`, the run's schema snapshot with it in one transaction: a crash leaves both or neither.
 */
async function recordApplied(ctx: RunContext, file: MigrationFile, row: HistoryRow): Promise<void> {
  await snapshotReady(ctx, file)
  if (row.status !== 'applied' || !recordsSnapshot(ctx, file)) return ctx.history.rewrite(ctx.driver.db, row)
  await ctx.driver.db.transaction(async (tx) => {
    await ctx.history.rewrite(tx, row)
    await recordSnapshot(ctx, tx, file)
  })
}
