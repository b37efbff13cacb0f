import type { SessionActivity } from '../dialects/dialect.js'
import type { MigrationFailedError } from '../errors.js'
import type { MigrationFile } from '../migrations/file.js'
import { migrationError, namesAnyTable, refOf, StepFailure, tablesAtRunStart, type RunContext } from './execute.js'

/** Lock pre-check settings (config `preCheck`). */
export interface PreCheckOptions {
  /** A session locking a table the migration touches with a transaction this old blocks the run. */
  readonly maxTransactionAgeMs: number
}

/** Long transactions elsewhere are reported from this age (or the blocking age, if lower). */
const REPORT_LONG_TRANSACTION_MS = 60_000

/** The pre-check warnings each run has emitted. */
const warned = new WeakMap<RunContext, Set<string>>()

/**
 * The built-in lock pre-check before one migration (`options.preCheck`, drivers with
 * `blockingActivity`): sessions holding or awaiting locks on the tables the migration mentions,
 * and long transactions, are reported in a `pre-check` event. A session that locks one of those
 * tables (or might: the server cannot tell) with a transaction open at least
 * `maxTransactionAgeMs` makes the migration fail before anything ran, naming its pid and query.
 * A part of the check the server does not let this user run is skipped with one `warning` event
 * per run. Dry runs report and never block.
 */
export async function lockPreCheck(ctx: RunContext, file: MigrationFile): Promise<MigrationFailedError | undefined> {
  const settings = ctx.options.preCheck
  const probe = ctx.driver.blockingActivity?.bind(ctx.driver)
  if (settings === undefined || probe === undefined) return undefined
  // A file naming no table that existed at the start of the run cannot wait for another session.
  if (!namesAnyTable(file, await tablesAtRunStart(ctx, ctx.driver.db))) return undefined
  const tables = file.format === 'sql' ? mentionedNames(ctx.driver.splitStatements(file.up).map((s) => s.sql)) : []
  const ref = refOf(file, 'up')
  const warn = (message: string): void => {
    // Once per run: the same missing privilege would say the same before every migration.
    const told = warned.get(ctx) ?? new Set<string>()
    if (told.has(message)) return
    told.add(message)
    warned.set(ctx, told)
    ctx.emit({ kind: 'warning', ...ref, message })
  }
  const sessions = await probe(tables, { longTransactionMs: Math.min(REPORT_LONG_TRANSACTION_MS, settings.maxTransactionAgeMs), warn })
  if (sessions.length === 0) return undefined
  const blockers = ctx.recorder !== undefined ? [] : sessions.filter((s) => blocks(s, settings.maxTransactionAgeMs))
  ctx.emit({ kind: 'pre-check', ...ref, sessions, blocked: blockers.length > 0 })
  if (blockers.length === 0) return undefined
  const failure = new StepFailure({ file: file.upFile, reason: `lock pre-check: ${blockers.map(describeSession).join('; ')}` })
  const error = migrationError(
    file.version,
    file.upFile,
    failure,
    `nothing was run; end ${blockers.length === 1 ? 'that session' : 'those sessions'} (or wait for ${blockers.length === 1 ? 'it' : 'them'}) and run again, or raise preCheck.maxTransactionAge`,
  )
  ctx.emit({ kind: 'migration-failed', ...ref, error, undone: true })
  return error
}

function blocks(session: SessionActivity, maxAgeMs: number): boolean {
  const locksOurs = session.tables === undefined || session.tables.length > 0
  return locksOurs && session.transactionAgeMs !== undefined && session.transactionAgeMs >= maxAgeMs
}

/** `pid 4242 (transaction open 6m 3s, holds a lock on public.users): UPDATE users SET …`. */
export function describeSession(s: SessionActivity): string {
  const age = s.transactionAgeMs === undefined ? 'no open transaction' : `transaction open ${formatAge(s.transactionAgeMs)}`
  const what =
    s.tables === undefined
      ? 'its tables cannot be listed on this server'
      : s.tables.length === 0
        ? 'no lock on the migration\'s tables'
        : `${s.waiting === true ? 'waits for' : 'holds'} a lock on ${s.tables.join(', ')}`
  return `pid ${s.pid} (${age}, ${what}): ${s.query === '' ? `no statement running${s.state === undefined ? '' : ` (${s.state})`}` : s.query.slice(0, 200)}`
}

function formatAge(ms: number): string {
  const seconds = Math.floor(ms / 1000)
  if (seconds < 60) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`
}

/**
 * Every identifier the statements mention (bare words, "quoted" and `quoted` names, each part of
 * a qualified name), as written and lower-cased: the driver matches them against table names, so
 * mentioning a table anywhere (ALTER, INSERT INTO, a FK's REFERENCES) counts as touching it.
 */
export function mentionedNames(statements: readonly string[]): string[] {
  const names = new Set<string>()
  const token = /"((?:[^"]|"")+)"|`((?:[^`]|``)+)`|'(?:[^']|'')*'|([A-Za-z_][\w$]*)/g
  for (const sql of statements) {
    const code = sql.replace(/--[^\n]*/g, ' ').replace(/\/\*[\s\S]*?\*\//g, ' ')
    for (const m of code.matchAll(token)) {
      if (m[1] !== undefined) names.add(m[1].replace(/""/g, '"'))
      else if (m[2] !== undefined) names.add(m[2].replace(/``/g, '`'))
      else if (m[3] !== undefined) {
        names.add(m[3])
        names.add(m[3].toLowerCase())
      }
    }
  }
  return [...names]
}
