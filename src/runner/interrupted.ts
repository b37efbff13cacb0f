import type { Driver } from '../dialects/dialect.js'
import { FailedMigrationError, InterruptedMigrationError } from '../errors.js'
import type { MigrationFile } from '../migrations/file.js'
import { excerpt, historyRow, refOf, runInspectOptions, type RunContext } from './execute.js'
import type { HistoryRow } from './history.js'

/** Polling interval while another runner applies a migration statement by statement. */
const POLL_MS = 100

/** A statement that may or may not have taken effect: its 1-based index and its SQL (none for a module's up()). */
interface Doubt {
  readonly index: number
  readonly sql?: string
}

/**
 * The statement an interrupted row leaves in doubt: statement statementsApplied+1, unless there is
 * none (every statement was in, the checks were not done) or it shares a transaction with its
 * progress row (Driver.isTransactional: then it is in exactly when the row counts it). A module's
 * up() (or down()) is its one statement, and never certain. `direction` 'down': of a reverting row's down.
 */
function uncertainStatement(driver: Driver, file: MigrationFile, row: HistoryRow, direction: 'up' | 'down' = 'up'): Doubt | undefined {
  const k = row.statementsApplied
  if (file.format === 'module') return k >= 1 ? undefined : { index: 1 }
  const next = driver.splitStatements(direction === 'up' ? file.up : (file.down ?? ''))[k]
  if (next === undefined || driver.isTransactional?.(next.sql) === true) return undefined
  return { index: k + 1, sql: next.sql }
}

/**
 * Where an interrupted migration resumes: the number of its statements in the database. The run
 * that wrote the row is gone (this runner holds the runner lock, which that run's session held
 * until its last statement ended), so the schema is settled: a statement in doubt is judged by
 * Driver.statementTookEffect against the live schema, and when it took effect that is recorded
 * before going on. Throws InterruptedMigrationError when it cannot be told; nothing ran then.
 */
export function reconcile(ctx: RunContext, file: MigrationFile, row: HistoryRow): Promise<number> {
  return settle(ctx, file, row, {
    direction: 'up',
    recorded: (applied) => ({ ...historyRow(ctx, file, 'failed', applied, row.executionMs), interrupted: true }),
    unknown: () => interruptedError(ctx.driver, file, row),
  })
}

/**
 * The same for a down that a killed or failed run left part-way (a `reverting` row): the number of
 * its down's statements in the database.
 */
export function reconcileDown(ctx: RunContext, file: MigrationFile, row: HistoryRow): Promise<number> {
  const downFile = file.downFile ?? file.upFile
  return settle(ctx, file, row, {
    direction: 'down',
    recorded: (reverted) => ({ ...row, statementsApplied: reverted }),
    unknown: (doubt) => {
      const what = doubt.sql === undefined ? 'its down() ran outside a transaction' : `whether statement ${doubt.index} (${excerpt(doubt.sql, 60)}) took effect cannot be told from the schema`
      return new InterruptedMigrationError({
        version: file.version,
        name: file.slug,
        message:
          `the down of ${file.version}_${file.slug} was interrupted by an earlier run (${row.statementsApplied} of its statements had run), and ${what}; nothing was run: ` +
          `finish reverting it by hand (${downFile} from statement ${doubt.index}, or its up to undo the rest), then run \`migrator repair\``,
      })
    },
  })
}

/** What settling a row needs per direction: the row recording `n` statements in, and the error when its doubt cannot be told. */
interface Settling {
  readonly direction: 'up' | 'down'
  readonly recorded: (n: number) => HistoryRow
  readonly unknown: (doubt: Doubt) => InterruptedMigrationError
}

async function settle(ctx: RunContext, file: MigrationFile, row: HistoryRow, how: Settling): Promise<number> {
  const doubt = uncertainStatement(ctx.driver, file, row, how.direction)
  const script = how.direction === 'up' ? file.upFile : (file.downFile ?? file.upFile)
  const resumed = (n: number, why: string): number => {
    const where = n === 0 ? 'it runs from statement 1' : `it resumes after statement ${n}`
    ctx.emit({ kind: 'warning', ...refOf(file, how.direction), message: `${script} was interrupted by an earlier ${how.direction === 'up' ? 'run' : 'down'} ${why}, so ${where}` })
    return n
  }
  if (doubt === undefined) return resumed(row.statementsApplied, `with ${row.statementsApplied} of its statements in the database`)
  const verdict = doubt.sql === undefined ? undefined : await judged(ctx, doubt.sql)
  if (verdict === undefined) throw how.unknown(doubt)
  const n = verdict ? doubt.index : doubt.index - 1
  if (verdict && ctx.recorder === undefined) await ctx.history.rewrite(ctx.driver.db, how.recorded(n))
  return resumed(n, `while statement ${doubt.index} (${excerpt(doubt.sql ?? '', 60)}) ran, which the live schema shows ${verdict ? 'took effect' : 'did not take effect'}`)
}

/** Driver.statementTookEffect on the live schema (without migrator's own tables); undefined when it cannot tell. */
async function judged(ctx: RunContext, sql: string): Promise<boolean | undefined> {
  const judge = ctx.driver.statementTookEffect?.bind(ctx.driver)
  if (judge === undefined) return undefined
  return judge(sql, await ctx.driver.inspect(runInspectOptions(ctx, ctx.driver.db)))
}

/**
 * Another runner (or a run that was killed: where the runner lock is per migration, the two look
 * alike) holds `row`, an interrupted row of `file`. Waits while it moves on: resolves 'applied'
 * once it is applied and 'gone' when it was undone and removed; throws FailedMigrationError when
 * it ends failed, and InterruptedMigrationError when it has not changed for the lock wait.
 */
export async function awaitOtherRunner(ctx: RunContext, file: MigrationFile, row: HistoryRow): Promise<'applied' | 'gone'> {
  let last = row
  let changedAt = Date.now()
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    const now = await ctx.history.find(ctx.driver.db, file.version)
    if (now === undefined) return 'gone'
    if (now.status === 'applied') return 'applied'
    if (now.interrupted !== true) throw new FailedMigrationError(now.version, now.name)
    if (now.statementsApplied !== last.statementsApplied || now.appliedAt !== last.appliedAt) {
      last = now
      changedAt = Date.now()
    } else if (Date.now() - changedAt >= ctx.options.lockTimeoutMs) {
      const doubt = uncertainStatement(ctx.driver, file, now)
      throw new InterruptedMigrationError({
        version: file.version,
        name: file.slug,
        message:
          `${file.version}_${file.slug} is being applied by another run (${now.appliedBy || 'unknown'}, ${progressOf(ctx.driver, file, now)}), which has not moved for ${Math.round(ctx.options.lockTimeoutMs / 1000)} s; ` +
          `wait for it, or, if no other \`migrator up\` is running, an earlier run was interrupted: ${todo(file, now, doubt)}`,
      })
    }
  }
}

/** The error for an interrupted migration whose statement in doubt cannot be judged here: what is known, what to do. */
function interruptedError(driver: Driver, file: MigrationFile, row: HistoryRow): InterruptedMigrationError {
  const doubt = uncertainStatement(driver, file, row) ?? { index: row.statementsApplied + 1 }
  const why =
    doubt.sql === undefined
      ? 'its up() ran outside a transaction, and what it changed cannot be told'
      : `whether statement ${doubt.index} (${excerpt(doubt.sql, 60)}) took effect cannot be told from the schema`
  return new InterruptedMigrationError({
    version: file.version,
    name: file.slug,
    message: `${file.version}_${file.slug} was interrupted by an earlier run (${progressOf(driver, file, row)}), and ${why}; nothing was run: ${todo(file, row, doubt)}`,
  })
}

/** `statements 1-3 of 5 are in the database, statement 4 was running`. */
function progressOf(driver: Driver, file: MigrationFile, row: HistoryRow): string {
  const total = file.format === 'module' ? 1 : driver.splitStatements(file.up).length
  const k = row.statementsApplied
  const done = k === 0 ? 'none of its statements is in the database' : `statement${k === 1 ? ' 1' : `s 1-${k}`} of ${total} ${k === 1 ? 'is' : 'are'} in the database`
  return k < total ? `${done}, statement ${k + 1} was running` : `${done}, its checks had not run`
}

/** What the user does by hand before `repair` makes `up` run the migration again from the start. */
function todo(file: MigrationFile, row: HistoryRow, doubt: Doubt | undefined): string {
  const k = row.statementsApplied
  const then = 'then run `migrator repair` so that `up` runs it again from the start'
  if (file.format === 'module') return `check the database and undo what ${file.upFile} up() changed, ${then}`
  const sure = k === 0 ? undefined : k === 1 ? 'statement 1' : `statements 1-${k}`
  if (doubt === undefined) return sure === undefined ? `check the database, ${then}` : `undo ${sure} of ${file.upFile} by hand, ${then}`
  const maybe = `statement ${doubt.index} if it took effect`
  return `undo ${sure === undefined ? maybe : `${sure} (and ${maybe})`} of ${file.upFile} by hand, ${then}`
}
