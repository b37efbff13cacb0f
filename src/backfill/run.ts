import type { Db } from '../db.js'
import type { Driver } from '../dialects/dialect.js'
import { MigratorError } from '../errors.js'
import { CheckpointStore } from './checkpoint.js'
import type { Checkpoint } from './checkpoint.js'
import type { BackfillEvent } from './events.js'
import { after, upTo } from './keyset.js'
import type { BackfillSpec, BackfillThrottle } from './spec.js'
import { BackfillSpecError, specId, validateSpec } from './spec.js'

export interface BackfillOptions extends BackfillThrottle {
  readonly onEvent?: (event: BackfillEvent) => void
  /** Count the rows to do first, for progress totals and ETA (one `count(*)`). Default true. */
  readonly count?: boolean
  /**
   * Walks over the table before giving up on rows that still match `where` (rows written behind the
   * cursor by writers that do not fill the column yet). Default 3.
   */
  readonly maxPasses?: number
  /** Checkpoint table name; default `migrator_backfill`. */
  readonly checkpointTable?: string
  /** Stops between chunks (the checkpoint is committed); the run throws BackfillAbortedError. */
  readonly signal?: AbortSignal
  /**
   * The connection to run on; default `driver.db`. A `.ts` migration's transaction passes itself:
   * the chunks and checkpoints then run inside it and commit (or roll back) with the migration.
   */
  readonly db?: Db
}

export interface BackfillResult {
  readonly id: string
  /** Rows updated over every run of this spec, resumed ones included. */
  readonly rowsDone: number
  /** Rows updated by this call. */
  readonly rowsThisRun: number
  readonly resumedFrom: number
  readonly passes: number
  readonly elapsedMs: number
}

/** Rows still match `where` after the last pass: the backfill did not converge. */
export class BackfillIncompleteError extends MigratorError {
  constructor(
    readonly table: string,
    readonly remaining: number,
    where: string,
    passes: number,
  ) {
    super(
      'backfill-incomplete',
      `backfill of ${table} left ${remaining} row${remaining === 1 ? '' : 's'} matching "${where}" after ${passes} pass${passes === 1 ? '' : 'es'}; ` +
        'make sure `set` turns `where` false for every row (NULL inputs?) and that the application fills the column on writes, then rerun: finished rows are skipped',
    )
  }
}

/**
 * The walk is done but `verify` still selects rows: their backfilled value is wrong (a value the
 * migration would lose once the old column goes). The checkpoint stays unfinished, so every rerun
 * checks again until the rows are fixed.
 */
export class BackfillVerificationError extends MigratorError {
  constructor(
    readonly table: string,
    readonly rows: number,
    readonly verify: string,
  ) {
    super(
      'backfill-verification',
      `backfill of ${table} failed verification: ${rows} row${rows === 1 ? '' : 's'} where ${verify}, so the backfilled column does not hold the converted ` +
        'value of its source there; nothing was dropped and the migration stops here; find what wrote those rows (a DEFAULT on the new column, writes bypassing ' +
        'the sync triggers), fix them, then run `migrator up` again: the check reruns',
    )
  }
}

/** The run was stopped through `signal`; the last chunk's checkpoint is committed, a rerun resumes. */
export class BackfillAbortedError extends MigratorError {
  constructor(table: string, rowsDone: number) {
    super('backfill-aborted', `backfill of ${table} stopped after ${rowsDone} rows; rerun it to resume from the checkpoint`)
  }
}

/**
 * Runs `UPDATE table SET <set> WHERE <where>` in chunks of `spec.batch` rows, walking the key (the
 * primary key unless `spec.key`) with keyset pagination, never OFFSET. Each chunk is one short
 * transaction on the connection: select the next `batch` keys still matching `where`, update that key
 * range (re-checking `where`), and write the checkpoint row, so a killed run resumes after the last
 * committed chunk. When the walk ends, `SELECT count(*) … WHERE <where>` must be 0; rows written
 * behind the cursor meanwhile get another pass (up to `maxPasses`), else BackfillIncompleteError.
 * Then `SELECT count(*) … WHERE <verify>` must be 0, else BackfillVerificationError.
 *
 * Each chunk commits on its own only outside a transaction: `options.db` inside one (a migration's)
 * runs every chunk in it instead, since another connection would wait on that transaction's locks.
 */
export async function runBackfill(driver: Driver, spec: BackfillSpec, options: BackfillOptions = {}): Promise<BackfillResult> {
  validateSpec(spec)
  const db = options.db ?? driver.db
  const started = Date.now()
  const q = (name: string): string => driver.quoteIdent(name)
  const { table, qualified, key } = await resolveTable(driver, db, spec)
  const keyQ = key.map(q)
  const id = specId(spec)
  const emit = options.onEvent ?? (() => undefined)
  const maxPasses = options.maxPasses ?? 3
  const store = new CheckpointStore(db, q, options.checkpointTable)
  await store.ensure()

  let checkpoint = await store.read(id)
  if (checkpoint === undefined || checkpoint.done) {
    await store.start(id, table)
    checkpoint = { id, rowsDone: 0, pass: 1, done: false }
  }
  const resumedFrom = checkpoint.rowsDone
  const remainingSql = `SELECT count(*) AS n FROM ${qualified} WHERE (${spec.where})`
  const remaining = async (): Promise<number> => Number((await db.query<{ n: unknown }>(remainingSql))[0]?.n ?? 0)
  const total = options.count === false ? undefined : resumedFrom + (await remaining())
  emit({ kind: 'backfill-start', id, table, resumedFrom, ...(total === undefined ? {} : { total }) })

  const select = `SELECT ${keyQ.join(', ')} FROM ${qualified}`
  const order = ` ORDER BY ${keyQ.join(', ')} LIMIT ${spec.batch}`
  let rowsThisRun = 0
  for (;;) {
    if (options.signal?.aborted === true) throw new BackfillAbortedError(table, checkpoint.rowsDone)
    const current: Checkpoint = checkpoint
    const next = await db.transaction(async (tx) => {
      const from = current.lastKey === undefined ? undefined : after(keyQ, current.lastKey)
      const rows = await tx.query<Record<string, unknown>>(
        `${select} WHERE ${from === undefined ? '' : `${from.sql} AND `}(${spec.where})${order}`,
        from?.params ?? [],
      )
      const last = rows[rows.length - 1]
      if (last === undefined) return undefined
      const lastKey = key.map((k) => keyValue(last, k))
      const to = upTo(keyQ, lastKey)
      await tx.exec(
        `UPDATE ${qualified} SET ${spec.set} WHERE ${from === undefined ? '' : `${from.sql} AND `}${to.sql} AND (${spec.where})`,
        [...(from?.params ?? []), ...to.params],
      )
      const written: Checkpoint = { id, lastKey, rowsDone: current.rowsDone + rows.length, pass: current.pass, done: false }
      await store.write(tx, written)
      return { checkpoint: written, rows: rows.length }
    })
    if (next === undefined) {
      // The walk reached the end of the key range: verify, or start another pass from the beginning.
      const left = await remaining()
      if (left === 0) break
      if (current.pass >= maxPasses) throw new BackfillIncompleteError(table, left, spec.where, current.pass)
      emit({ kind: 'backfill-pass', id, table, pass: current.pass + 1, remaining: left })
      checkpoint = { id, rowsDone: current.rowsDone, pass: current.pass + 1, done: false }
      await db.transaction((tx) => store.write(tx, checkpoint!))
      continue
    }
    checkpoint = next.checkpoint
    rowsThisRun += next.rows
    const elapsed = Math.max(1, Date.now() - started)
    const rowsPerSecond = (rowsThisRun * 1000) / elapsed
    const left = total === undefined ? undefined : Math.max(0, total - checkpoint.rowsDone)
    emit({
      kind: 'backfill-progress',
      id,
      table,
      pass: checkpoint.pass,
      chunkRows: next.rows,
      rowsDone: checkpoint.rowsDone,
      rowsPerSecond,
      ...(total === undefined ? {} : { total }),
      ...(left === undefined || rowsPerSecond === 0 ? {} : { etaMs: Math.round((left / rowsPerSecond) * 1000) }),
    })
    await pause(throttleDelay(options, rowsThisRun, elapsed))
  }

  if (spec.verify !== undefined) {
    const wrong = Number((await db.query<{ n: unknown }>(`SELECT count(*) AS n FROM ${qualified} WHERE (${spec.verify})`))[0]?.n ?? 0)
    if (wrong > 0) throw new BackfillVerificationError(table, wrong, spec.verify)
  }
  const done: Checkpoint = { id, rowsDone: checkpoint.rowsDone, pass: checkpoint.pass, done: true }
  await db.transaction((tx) => store.write(tx, done))
  const elapsedMs = Date.now() - started
  emit({ kind: 'backfill-done', id, table, rowsDone: done.rowsDone, elapsedMs, passes: done.pass })
  return { id, rowsDone: done.rowsDone, rowsThisRun, resumedFrom, passes: done.pass, elapsedMs }
}

/**
 * How long to wait after a chunk: `sleepMs`, or long enough to bring the average rate since the
 * start down to `maxRowsPerSecond`, whichever is longer.
 */
export function throttleDelay(throttle: BackfillThrottle, rowsThisRun: number, elapsedMs: number): number {
  const sleep = throttle.sleepMs ?? 0
  const rate = throttle.maxRowsPerSecond
  const paced = rate === undefined ? 0 : (rowsThisRun * 1000) / rate - elapsedMs
  return Math.max(0, sleep, Math.ceil(paced))
}

async function resolveTable(driver: Driver, db: Db, spec: BackfillSpec): Promise<{ table: string; qualified: string; key: readonly string[] }> {
  const schema = await driver.inspect(spec.schema === undefined ? { db } : { db, schemas: [spec.schema] })
  const found = schema.tables.find((t) => t.name === spec.table && (spec.schema === undefined || t.schema === undefined || t.schema === spec.schema))
  const label = spec.schema === undefined ? spec.table : `${spec.schema}.${spec.table}`
  if (found === undefined) throw new BackfillSpecError(`backfill: table ${label} not found in ${driver.url.redacted}; check \`table\`${driver.capabilities.schemas ? ' and `schema`' : ''}`)
  const key = spec.key ?? found.primaryKey?.columns
  if (key === undefined || key.length === 0) {
    throw new BackfillSpecError(`backfill: table ${label} has no primary key; name unique, not-null key columns with \`key\``)
  }
  const missing = key.filter((k) => !found.columns.some((c) => c.name === k))
  if (missing.length > 0) throw new BackfillSpecError(`backfill: table ${label} has no column ${missing.join(', ')} (from \`key\`)`)
  const qualified = found.schema === undefined ? driver.quoteIdent(found.name) : `${driver.quoteIdent(found.schema)}.${driver.quoteIdent(found.name)}`
  return { table: label, qualified, key }
}

/** A key value as the driver returned it; Dates travel as ISO text through the checkpoint's JSON anyway. */
function keyValue(row: Record<string, unknown>, column: string): unknown {
  const value = row[column]
  if (typeof value === 'bigint') return value.toString()
  return value instanceof Date ? value.toISOString() : value
}

function pause(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms))
}
