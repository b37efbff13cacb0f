import type { Knex } from 'knex'
import { createBackfillFunction, type BackfillRequest } from '../backfill/context.js'
import type { BackfillEvent } from '../backfill/events.js'
import type { BackfillResult } from '../backfill/run.js'
import { RecordingDb, type Db } from '../db.js'
import type { DialectName, Driver, InspectOptions } from '../dialects/dialect.js'
import { escapeControl, MigrationFailedError, MigratorError } from '../errors.js'
import type { MigrationFile } from '../migrations/file.js'
import { importUserModule } from '../modules.js'
import type { Schema } from '../schema/model.js'
import type { Direction, RunEvent } from './events.js'
import { HistoryStore, type HistoryRow } from './history.js'
import { ownTables } from './snapshots.js'

/** Options shared by `runUp` and `runDown`. */
export interface RunOptions {
  /** Name of the history table (`migrator_history`). */
  readonly historyTable: string
  /** How long to wait for the per-database runner lock before LockTimeoutError. */
  readonly lockTimeoutMs: number
  /** Bounds each statement's wait for a table lock, where the dialect supports it. */
  readonly statementLockTimeoutMs?: number
  /** up: apply up to and including this version; down: revert down to but excluding it. */
  readonly to?: string
  /** At most this many migrations (down: default 1). */
  readonly steps?: number
  /** down: revert every applied migration. */
  readonly all?: boolean
  /** Read, never write: not even the history table; RunResult.sql holds what would run. */
  readonly dryRun?: boolean
  /** up: a failure in migration k also reverts migrations 1..k-1 of this run (same as txMode 'all'). */
  readonly allOrNothing?: boolean
  /** 'file' (default): one transaction per migration; 'all': one for the run; 'none': no transactions. */
  readonly txMode?: 'file' | 'all' | 'none'
  /** up: do not refuse when applied versions have no file. */
  readonly allowMissing?: boolean
  /** up: apply pending migrations older than the newest applied one (else OutOfOrderError). */
  readonly allowOutOfOrder?: boolean
  /** Recorded in history (`user@host`). */
  readonly appliedBy: string
  readonly toolVersion: string
  readonly onEvent?: (event: RunEvent) => void
  /**
   * up: run the built-in post-checks (schema-as-expected, no-rows-lost; src/safety/postcheck.ts)
   * in each migration's transaction. Off for replays on scratch databases, except 'changes': only
   * the check that a generated migration changes what it was generated to change, from where it was
   * generated (lint's replays: two merged migrations changing the same column fail there).
   */
  readonly builtinChecks?: boolean | 'changes'
  /**
   * up (`--verify`): row counts and checksums of the tables each migration does not touch must be
   * the same after it as before (src/safety/untouched.ts); a difference fails the migration.
   */
  readonly verify?: boolean
  /**
   * Run `check-before`/`check-after` directives and module checks (default true). Off for replays
   * on scratch databases: they have the structure without the rows, so a data check says nothing there.
   */
  readonly checks?: boolean
  /** Retries of a migration's transaction stopped by a lock timeout, with backoff (default 0). */
  readonly lockRetries?: number
  /** up: the lock pre-check before each migration (src/runner/precheck.ts); off when absent. */
  readonly preCheck?: { readonly maxTransactionAgeMs: number }
  /** What the built-in checks inspect (schemas; the history table is always excluded). */
  readonly inspect?: InspectOptions
  /** The schema a migration was generated to produce, to show a schema-as-expected mismatch. */
  readonly expectedSchema?: (file: MigrationFile) => Promise<Schema | undefined>
  /**
   * up: record, with the run's last migration, the schema the applied migrations produce
   * (src/runner/record-snapshot.ts). `expected` gives that schema for applied rows without a
   * stored snapshot (a replay; undefined when it cannot be told). Absent for replays on scratch
   * databases.
   */
  readonly snapshots?: { readonly expected: (applied: readonly HistoryRow[]) => Promise<Schema | undefined> }
}

export type MigrationStatus = 'applied' | 'reverted' | 'failed' | 'undone' | 'not-run' | 'skipped'

export interface MigrationResult {
  readonly version: string
  readonly name: string
  /**
   * applied / reverted: done. failed: this migration failed (see error; the message says whether the
   * database is as before). undone: ran in this run, then rolled back or reverted because a later
   * migration failed under all-or-nothing. not-run: after a failure. skipped: a concurrent runner did it.
   */
  readonly status: MigrationStatus
  readonly executionMs?: number
  readonly error?: MigratorError
}

/** What a run did. It never throws for a failed migration: that is `error` (and the failed result). */
export interface RunResult {
  readonly results: readonly MigrationResult[]
  readonly error?: MigratorError
  /** Dry run: the exact SQL that would run, transaction boundaries included, each ending with `;`. */
  readonly sql?: string
}

/** Everything a migration step needs; `db` records instead of writing in a dry run. */
export interface RunContext {
  readonly driver: Driver
  readonly history: HistoryStore
  readonly options: RunOptions
  readonly db: Db
  readonly recorder?: RecordingDb
  emit(event: RunEvent): void
}

export function createContext(driver: Driver, history: HistoryStore, options: RunOptions): RunContext {
  const recorder = options.dryRun === true ? new RecordingDb(driver.db, driver.transactionSyntax) : undefined
  return {
    driver,
    history,
    options,
    db: recorder ?? driver.db,
    recorder,
    emit: (event) => options.onEvent?.(event),
  }
}

/** The recorded SQL of a dry run: one entry per line group, statements ending with `;`. */
export function recordedSql(recorder: RecordingDb): string {
  return recorder.recorded.map((r) => terminate(r.sql)).join('\n') + (recorder.recorded.length > 0 ? '\n' : '')
}

/** Adds a comment to a dry run's SQL (which file follows, what is not shown); no-op otherwise. */
export function note(ctx: RunContext, text: string): void {
  ctx.recorder?.recorded.push({ sql: `-- ${text}` })
}

/**
 * A failed step of one migration, before the runner knows the outcome (rolled back, undone, left
 * failed) that completes the user's message.
 */
export class StepFailure extends Error {
  constructor(
    readonly data: { readonly file: string; readonly line?: number; readonly statement?: string; readonly reason: string; readonly cause?: unknown },
    /** Statements (or module bodies) that had completed when the step failed. */
    readonly completed: number = 0,
  ) {
    super(data.reason)
  }
}

/**
 * Turns a failure into the user-facing error: `<file>:<line>: <reason>; <outcome>`. Failures that
 * are not a StepFailure (BEGIN could not get the write lock, a history write failed) name `file`.
 */
export function migrationError(version: string, file: string, failure: unknown, outcome: string): MigrationFailedError {
  if (failure instanceof StepFailure) {
    return new MigrationFailedError({ version, ...failure.data, reason: `${failure.data.reason}; ${outcome}`, cause: failure.data.cause ?? failure })
  }
  return new MigrationFailedError({ version, file, reason: `${messageOf(failure)}; ${outcome}`, cause: failure })
}

/** Identifies one migration in events. */
export interface Ref {
  readonly version: string
  readonly name: string
  readonly direction: Direction
}

export function refOf(file: MigrationFile, direction: Direction): Ref {
  return { version: file.version, name: file.slug, direction }
}

/**
 * How a statement-by-statement run keeps count. `record` stores the count (the history row): it
 * runs after each lone statement and, for statements that share a transaction, inside it, so
 * that data statements and their record commit together. `committed` is told each count that is
 * durably in the database (a lone statement ran, a group committed), whatever became of `record`.
 */
export interface ScriptProgress {
  record?(completed: number, db: Db): Promise<void>
  committed?(completed: number): void
}

/**
 * Executes a SQL script statement by statement (split by the dialect), announcing each one,
 * starting after the first `from` statements (an interrupted migration resuming). Where the
 * dialect tells which statements can share a transaction (Driver.isTransactional), each run of
 * such statements, even a single one, commits in one transaction together with its `record`:
 * a crash then leaves either the statements and their count or neither. Returns the statements
 * in the database. A failing statement throws StepFailure naming the file, its line, an excerpt
 * and the database error, with the count of statements still applied.
 */
export async function executeScript(
  ctx: RunContext,
  db: Db,
  ref: Ref,
  script: { readonly text: string; readonly file: string },
  progress: ScriptProgress = {},
  from = 0,
): Promise<number> {
  const statements = ctx.driver.splitStatements(script.text)
  // Inside an enclosing transaction everything commits together anyway.
  const groupable = db === ctx.driver.db || db === ctx.db ? ctx.driver.isTransactional?.bind(ctx.driver) : undefined
  let completed = from
  for (let i = from; i < statements.length; ) {
    const grouped = groupable !== undefined && groupable(statements[i]!.sql)
    let end = i + 1
    if (grouped) while (end < statements.length && groupable(statements[end]!.sql)) end++
    const group = statements.slice(i, end)
    const before = completed
    const run = async (target: Db): Promise<void> => {
      for (const [k, statement] of group.entries()) {
        const index = before + k + 1
        ctx.emit({ kind: 'statement', ...ref, index, line: statement.line, sql: statement.sql })
        try {
          await target.exec(statement.sql)
        } catch (error) {
          throw new StepFailure(
            {
              file: script.file,
              line: statement.line,
              statement: statement.sql,
              reason: `statement ${index} (${excerpt(statement.sql)}) failed: ${messageOf(error)}`,
              cause: error,
            },
            // A group runs in one transaction: when it fails, none of it stays applied.
            grouped ? before : index - 1,
          )
        }
        if (!grouped) {
          progress.committed?.(index)
          await progress.record?.(index, target)
        }
      }
      if (grouped) await progress.record?.(before + group.length, target)
    }
    if (grouped) {
      await db.transaction(run)
      progress.committed?.(before + group.length)
    } else await run(db)
    completed = before + group.length
    i = end
  }
  return completed
}

/** Number of statements a script holds, for the start event. */
export function countStatements(driver: Driver, text: string | undefined): number {
  return text === undefined ? 0 : driver.splitStatements(text).length
}

/**
 * Runs check directives: each query must return one truthy value. false, 0, '0', '', NULL and no
 * row fail, as does a query error; the StepFailure names the check and its phase.
 */
export async function runChecks(ctx: RunContext, db: Db, ref: Ref, file: MigrationFile, phase: 'before' | 'after'): Promise<void> {
  if (ctx.options.checks === false) return
  const checks = phase === 'before' ? file.directives.checksBefore : file.directives.checksAfter
  if (file.format === 'module' && ctx.recorder === undefined) {
    for (const check of (await loadModule(file)).checks?.[phase] ?? []) {
      if (typeof check === 'string') await runOneCheck(ctx, db, ref, file, phase, check, check)
      else await runOneCheck(ctx, db, ref, file, phase, check.name ?? check.sql ?? 'check', check.sql ?? check.check ?? '')
    }
  }
  for (const sql of phase === 'before' ? [...checks, ...keptChecks(ctx.driver, file, checks)] : checks) {
    if (ctx.recorder !== undefined) {
      // A dry run does not run checks: check-after would see a database the statements never changed.
      note(ctx, `check-${phase}: ${sql}`)
      continue
    }
    let value: unknown
    try {
      const rows = await db.query(sql)
      value = rows.length === 0 ? undefined : Object.values(rows[0] ?? {})[0]
    } catch (error) {
      ctx.emit({ kind: 'check-failed', ...ref, phase, sql })
      throw new StepFailure({ file: file.upFile, reason: `check-${phase} \`${sql}\` could not run: ${messageOf(error)}`, cause: error })
    }
    if (isFalsy(value)) {
      ctx.emit({ kind: 'check-failed', ...ref, phase, sql })
      throw new StepFailure({ file: file.upFile, reason: `check-${phase} \`${sql}\` failed (returned ${describe(value)})` })
    }
    ctx.emit({ kind: 'check-passed', ...ref, phase, sql })
  }
}

/**
 * The check each `-- migrator:values-kept t.a in b` implies: no value of a is missing from b. It runs
 * before the statements (the copy is an earlier migration's work), so a hand-written file that
 * declares its values kept cannot drop one that was never copied; a file that spells out the same
 * check (generated contracts do) runs it once.
 */
function keptChecks(driver: Driver, file: MigrationFile, written: readonly string[]): string[] {
  const q = (name: string) => name.split('.').map((part) => driver.quoteIdent(part)).join('.')
  return (file.directives.valuesKept ?? [])
    .map((kept) => `SELECT count(*) = 0 FROM ${q(kept.table)} WHERE ${driver.quoteIdent(kept.column)} IS NOT NULL AND ${driver.quoteIdent(kept.keptIn)} IS NULL`)
    .filter((sql) => !written.includes(sql))
}

/** One check of a module's `checks`: SQL returning one value, or a function returning one. */
async function runOneCheck(
  ctx: RunContext,
  db: Db,
  ref: Ref,
  file: MigrationFile,
  phase: 'before' | 'after',
  name: string,
  check: string | ((ctx: MigrationContext) => unknown),
): Promise<void> {
  let value: unknown
  try {
    if (typeof check === 'string') {
      const rows = await db.query(check)
      value = rows.length === 0 ? undefined : Object.values(rows[0] ?? {})[0]
    } else {
      value = await check(migrationContext(ctx.driver, db, (event) => ctx.emit({ ...event, ...ref })))
    }
  } catch (error) {
    ctx.emit({ kind: 'check-failed', ...ref, phase, sql: name })
    throw new StepFailure({ file: file.upFile, reason: `check-${phase} \`${name}\` could not run: ${messageOf(error)}`, cause: error })
  }
  if (isFalsy(value)) {
    ctx.emit({ kind: 'check-failed', ...ref, phase, sql: name })
    throw new StepFailure({ file: file.upFile, reason: `check-${phase} \`${name}\` failed (returned ${describe(value)})` })
  }
  ctx.emit({ kind: 'check-passed', ...ref, phase, sql: name })
}

function isFalsy(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === 0n) return true
  if (typeof value === 'string') return ['', '0', 'f', 'false'].includes(value.trim().toLowerCase())
  return false
}

function describe(value: unknown): string {
  return value === undefined ? 'no row' : value === null ? 'NULL' : JSON.stringify(typeof value === 'bigint' ? String(value) : value)
}

/** What a `.ts`/`.js` migration receives. */
export interface MigrationContext {
  /** The migration's transaction (or the connection, outside one). */
  readonly db: Db
  /**
   * knex on the same transaction (or connection), for query building. On SQLite a knex over the
   * runner's own connection, so its queries run in the migration's transaction too; opening a
   * transaction of its own there fails, since one is already open.
   */
  readonly knex: Knex
  readonly dialect: DialectName
  /**
   * A chunked backfill (the `-- migrator:backfill` directive's options: table, set, where, batch,
   * key, verify, sleepMs, maxRowsPerSecond). Inside the migration's transaction (PostgreSQL, SQLite)
   * its chunks run in that transaction and commit with it; outside one (MySQL/MariaDB) each chunk
   * commits with its checkpoint, and a rerun of the module resumes after the last one.
   */
  backfill(request: BackfillRequest): Promise<BackfillResult>
  log(message: string): void
}

/** What a module's context reports: its log lines and its backfills' progress. */
export type ModuleReport = { readonly kind: 'log'; readonly message: string } | { readonly kind: 'backfill'; readonly event: BackfillEvent }

/**
 * The context of a module's up()/down() or check, bound to `db` (the migration's transaction or the
 * connection); `report` receives what it logs (replays on scratch databases pass none).
 */
export function migrationContext(driver: Driver, db: Db, report: (event: ModuleReport) => void = () => undefined): MigrationContext {
  return {
    db,
    get knex(): Knex {
      if (db.knex === undefined) throw new Error(`ctx.knex is not available on this ${driver.dialect} connection`)
      return db.knex
    },
    dialect: driver.dialect,
    backfill: createBackfillFunction(driver, (event) => report({ kind: 'backfill', event }), { db, count: true }),
    log: (message) => report({ kind: 'log', message }),
  }
}

type MigrationFunction = (ctx: MigrationContext) => unknown

/** up/down exported by a module migration (named exports, or a default export object). */
export interface MigrationModule {
  readonly up?: MigrationFunction
  readonly down?: MigrationFunction
  /** `export const checks = { before: [...], after: [...] }`: SQL strings, `{ name, sql }` or `{ name, check(ctx) }`. */
  readonly checks?: ModuleChecks
}

/** A module's own checks; each must yield one truthy value, like `-- migrator:check-*` directives. */
export type ModuleCheck = string | { readonly name?: string; readonly sql?: string; readonly check?: (ctx: MigrationContext) => unknown }
export interface ModuleChecks {
  readonly before?: readonly ModuleCheck[]
  readonly after?: readonly ModuleCheck[]
}

/** Imports a module migration; StepFailure when it cannot be loaded. */
export async function loadModule(file: MigrationFile): Promise<MigrationModule> {
  try {
    const loaded = (await importUserModule(file.path)) as MigrationModule & { readonly default?: MigrationModule }
    const fn = (name: 'up' | 'down'): MigrationFunction | undefined =>
      typeof loaded[name] === 'function' ? loaded[name] : typeof loaded.default?.[name] === 'function' ? loaded.default[name] : undefined
    const checks = (loaded as { checks?: unknown }).checks ?? (loaded.default as { checks?: unknown } | undefined)?.checks
    return { up: fn('up'), down: fn('down'), checks: isChecks(checks) ? checks : undefined }
  } catch (error) {
    throw new StepFailure({ file: file.upFile, reason: `cannot load the module: ${messageOf(error)}`, cause: error })
  }
}

function isChecks(value: unknown): value is ModuleChecks {
  return value !== null && typeof value === 'object'
}

/** Calls a module's up or down with its context; a throw becomes StepFailure naming the file. */
export async function runModuleFunction(ctx: RunContext, db: Db, ref: Ref, file: MigrationFile, fn: MigrationFunction): Promise<void> {
  try {
    await fn(migrationContext(ctx.driver, db, (event) => ctx.emit({ ...event, ...ref })))
  } catch (error) {
    throw new StepFailure({ file: file.upFile, reason: `${ref.direction}() threw: ${messageOf(error)}`, cause: error })
  }
}

export function historyRow(ctx: RunContext, file: MigrationFile, status: HistoryRow['status'], statementsApplied: number, executionMs: number): HistoryRow {
  return {
    version: file.version,
    name: file.slug,
    checksum: file.checksum,
    downChecksum: file.downChecksum,
    status,
    appliedAt: new Date().toISOString(),
    executionMs,
    appliedBy: ctx.options.appliedBy,
    statementsApplied,
    toolVersion: ctx.options.toolVersion,
  }
}

/**
 * The frame of every run: checks the selection, takes the runner lock (not in a dry run, which
 * writes nothing) and hands `fn` the history rows; releases the lock. The history table is not
 * created here: only a run about to record a migration creates it (`ensureHistory`), so a run
 * that refuses or has nothing to do leaves the database as it found it.
 */
export async function withRun<T>(
  driver: Driver,
  options: RunOptions,
  fn: (ctx: RunContext, rows: readonly HistoryRow[]) => Promise<T>,
): Promise<T> {
  checkSelection(options)
  const ctx = createContext(driver, new HistoryStore(driver, options.historyTable), options)
  if (ctx.recorder !== undefined) return fn(ctx, await ctx.history.list())
  const release = await driver.lock(options.historyTable, options.lockTimeoutMs)
  try {
    const result = await fn(ctx, await ctx.history.list())
    await statementLockTimeout(ctx, false)
    return result
  } catch (error) {
    // Best effort: the failure that got here is what the caller needs to see.
    await statementLockTimeout(ctx, false).catch(() => undefined)
    throw error
  } finally {
    await release()
  }
}

/** Per run: whether the session's statement lock timeout is set (see statementLockTimeout). */
const boundSessions = new WeakSet<RunContext>()

/**
 * Before each migration (and before a backfill): bounds the session's lock waits with
 * `statementLockTimeoutMs` (`bound`), or lifts the bound for work that must wait as long as it
 * takes: a file holding a statement that waits for other transactions by design (stepwiseBound) and
 * a backfill chunk. Only changes cost a statement, so a run sets it once instead of once per
 * migration; the run lifts it at the end.
 */
export async function statementLockTimeout(ctx: RunContext, bound: boolean): Promise<void> {
  const ms = ctx.options.statementLockTimeoutMs
  if (ms === undefined || boundSessions.has(ctx) === bound) return
  await ctx.driver.sessionLockTimeout(ctx.db, bound ? ms : undefined)
  if (bound) boundSessions.add(ctx)
  else boundSessions.delete(ctx)
}

/**
 * Whether a migration run statement by statement (`script`: its up or down text) runs with the lock
 * bound. Yes, unless one of its statements waits for other transactions by design
 * (Driver.waitsForOtherTransactions): every other DDL statement that waits for a lock queues the
 * sessions behind it (MySQL/MariaDB run all their DDL this way).
 */
export function stepwiseBound(ctx: RunContext, script: string | undefined): boolean {
  const waits = ctx.driver.waitsForOtherTransactions?.bind(ctx.driver)
  if (waits === undefined || script === undefined) return true
  return !ctx.driver.splitStatements(script).some((statement) => waits(statement.sql))
}

/** Creates the history table when missing, right before a run records its first migration (never in a dry run). */
export async function ensureHistory(ctx: RunContext): Promise<void> {
  if (ctx.recorder === undefined) await ctx.history.ensure()
}

/**
 * Validates where a run stops: `steps` is a positive whole number, and at most one of `steps`,
 * `to` and `all` is given. Each of them alone says where the run ends, so two of them together
 * (`down --to V --all`, `down --steps 1 --to V`, `up --to V --steps 2`) would leave one silently
 * ignored or the stopping point to whichever comes first: refused instead, before anything runs.
 */
export function checkSelection(options: Pick<RunOptions, 'steps' | 'to' | 'all'>): void {
  const { steps, to, all } = options
  if (steps !== undefined && (!Number.isInteger(steps) || steps < 1)) {
    throw new MigratorError('bad-option', `--steps must be a positive whole number, got ${steps}`)
  }
  const given = [steps === undefined ? undefined : `--steps ${steps}`, to === undefined ? undefined : `--to ${to}`, all === true ? '--all' : undefined].filter(
    (flag): flag is string => flag !== undefined,
  )
  if (given.length > 1) {
    throw new MigratorError('bad-option', `${given.join(' and ')} conflict: each says where the run stops; pass only one of them`)
  }
}

/** Validates `--to`: it must name a migration the directory or the history knows. */
export function checkTarget(to: string | undefined, known: readonly string[]): void {
  if (to === undefined || known.includes(to)) return
  throw new MigratorError('bad-option', `--to ${to} names no migration in the directory or the history; pass the version of one (e.g. ${known.at(-1) ?? '20240102030405'})`)
}

/** One line of `sql` for a message: whitespace collapsed, at most `max` characters, control characters escaped. */
export function excerpt(sql: string, max = 80): string {
  const flat = sql.replace(/\s+/g, ' ').trim()
  return escapeControl(flat.length > max ? `${flat.slice(0, max - 1)}…` : flat)
}

export function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ')
}

export function elapsed(start: number): number {
  return Math.round(performance.now() - start)
}

function terminate(sql: string): string {
  const text = sql.trimEnd()
  return text.startsWith('--') || text.endsWith(';') ? text : `${text};`
}

/** What a run inspects: RunOptions.inspect without migrator's own tables, through `db`. */
export function runInspectOptions(ctx: RunContext, db: Db): InspectOptions {
  return { ...ctx.options.inspect, exclude: [...(ctx.options.inspect?.exclude ?? []), ...ownTables(ctx.options.historyTable)], db }
}

/** Per run: the schema when it first asked (one inspection per run). */
const runSchemas = new WeakMap<RunContext, Promise<Schema>>()

/**
 * The schema of the database when the run first needed it, before its first migration: the
 * snapshot check, the lock pre-check and the built-in checks share one inspection.
 */
export function schemaAtRunStart(ctx: RunContext, db: Db): Promise<Schema> {
  let schema = runSchemas.get(ctx)
  if (schema === undefined) {
    schema = ctx.driver.inspect(runInspectOptions(ctx, db))
    runSchemas.set(ctx, schema)
  }
  return schema
}

/**
 * The tables of the database when the run started. A SQL migration naming none of them only
 * touches tables it (or an earlier migration of this run) creates: no other session can hold
 * locks on those, and no existing rows can be lost there.
 */
export async function tablesAtRunStart(ctx: RunContext, db: Db): Promise<readonly string[]> {
  return (await schemaAtRunStart(ctx, db)).tables.map((t) => t.name)
}

/** Whether a SQL file names (as a word) any of `tables`; modules always count as touching them. */
export function namesAnyTable(file: MigrationFile, tables: readonly string[]): boolean {
  return file.format !== 'sql' || mentionsAnyTable(file.up, tables)
}

/** Whether `sql` names (as a word) any of `tables`. */
export function mentionsAnyTable(sql: string, tables: readonly string[]): boolean {
  return tables.some((name) => new RegExp(`(^|[^A-Za-z0-9_$])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z0-9_$])`, 'i').test(sql))
}
