import type { Db } from '../db.js'
import type { Driver, InspectOptions } from '../dialects/dialect.js'
import type { MigrationFile } from '../migrations/file.js'
import { mentionsAnyTable, note, StepFailure, type Ref, type RunContext } from '../runner/execute.js'
import { ownTables } from '../runner/snapshots.js'
import { qualifiedName, type Table } from '../schema/model.js'

/** The name `up --verify`'s check carries in events, errors and docs. */
export const UNTOUCHED_CHECK = 'untouched-tables-unchanged'

/**
 * Tables up to this many rows are checksummed whole; a larger one is counted exactly and
 * checksummed over its first this-many rows in primary-key order (a sample, which the output says).
 */
export const CHECKSUM_ROWS = 50_000

/** What `Driver.tableChecksum` measures of one table. */
export interface TableChecksum {
  /** Exact row count. */
  readonly rows: number
  /** A digest of the rows' values that does not depend on the order the server returns them in. */
  readonly checksum: string
  /** Set when the table holds more than the sample limit: how many rows the checksum covers. */
  readonly sampled?: number
}

/** What the check found: `changed` lines say which table and how; `sampled` names the tables it only sampled. */
interface UntouchedResult {
  readonly checked: number
  readonly changed: readonly string[]
  readonly sampled: readonly string[]
}

/**
 * Starts `up --verify` for one migration on `db` (its transaction, or the connection): counts and
 * checksums every table the migration does not touch, and returns the function that measures them
 * again after its statements. "Touches" is what the runner's other checks go by: a SQL file touches
 * the tables it names (as a word, comments included, so a file that changes a table on purpose
 * through a trigger or a function can say so); a module touches every table, so it has none to check.
 * A change in an untouched table is a side effect nobody reviewed: a trigger, a function the file
 * calls, a cascade.
 */
async function beginUntouchedCheck(driver: Driver, db: Db, file: MigrationFile, inspect: InspectOptions): Promise<() => Promise<UntouchedResult>> {
  if (file.format !== 'sql') return async () => ({ checked: 0, changed: [], sampled: [] })
  const schema = await driver.inspect({ ...inspect, db })
  const tables = schema.tables.filter((t) => !mentionsAnyTable(file.up, [t.name]))
  const before = new Map<Table, TableChecksum>()
  for (const table of tables) before.set(table, await driver.tableChecksum(db, table, CHECKSUM_ROWS))
  return async () => {
    const changed: string[] = []
    const sampled: string[] = []
    for (const [table, was] of before) {
      const now = await driver.tableChecksum(db, table, CHECKSUM_ROWS).catch((error: unknown) => error)
      const name = qualifiedName(table)
      if (!isChecksum(now)) changed.push(`${name} can no longer be read (${now instanceof Error ? now.message : String(now)})`)
      else if (now.rows !== was.rows) changed.push(`${name} had ${was.rows} row${was.rows === 1 ? '' : 's'} before and ${now.rows} after`)
      else if (now.checksum !== was.checksum) changed.push(`${name} kept its ${was.rows} row${was.rows === 1 ? '' : 's'} but their values changed${now.sampled === undefined ? '' : ` (in the first ${now.sampled} by primary key)`}`)
      if (isChecksum(now) && now.sampled !== undefined) sampled.push(`${name} (${now.rows} rows, checksum over the first ${now.sampled})`)
    }
    return { checked: before.size, changed, sampled }
  }
}

/**
 * The runner's hook for `up --verify`: measures the tables the migration does not touch before
 * its statements and returns the comparison to run after them. A difference is a StepFailure, so
 * a migration in a transaction rolls back; outside one (MySQL DDL) the message says the changed
 * rows stay as they are. Tables it only sampled are reported as a warning.
 */
export async function startUntouchedCheck(ctx: RunContext, db: Db, ref: Ref, file: MigrationFile, inTransaction: boolean): Promise<() => Promise<void>> {
  if (ctx.options.verify !== true) return async () => {}
  if (ctx.recorder !== undefined) {
    note(ctx, `--verify: tables ${file.upFile} does not name are counted and checksummed before and after it`)
    return async () => {}
  }
  const exclude = [...(ctx.options.inspect?.exclude ?? []), ...ownTables(ctx.options.historyTable)]
  const measure = await beginUntouchedCheck(ctx.driver, db, file, { ...ctx.options.inspect, exclude })
  const check = `built-in ${UNTOUCHED_CHECK}`
  return async () => {
    const { checked, changed, sampled } = await measure()
    if (sampled.length > 0) ctx.emit({ kind: 'warning', ...ref, message: `--verify sampled large tables: ${sampled.join('; ')}` })
    if (changed.length === 0) {
      ctx.emit({ kind: 'check-passed', ...ref, phase: 'after', sql: `${check} (${checked} table${checked === 1 ? '' : 's'})` })
      return
    }
    ctx.emit({ kind: 'check-failed', ...ref, phase: 'after', sql: check })
    const committed = !inTransaction ? ' (it ran outside a transaction: those row changes are committed and stay, even where its statements are undone)' : ''
    throw new StepFailure({
      file: file.upFile,
      reason:
        `${check} failed: ${file.upFile} changed tables it does not name: ${changed.join('; ')}${committed}; ` +
        'a trigger, a function it calls or a cascade did this: if it is intended, name the table in the file (a comment will do) and run `migrator hash`',
    })
  }
}

function isChecksum(value: unknown): value is TableChecksum {
  return typeof value === 'object' && value !== null && 'checksum' in value
}
