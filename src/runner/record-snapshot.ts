import type { Db } from '../db.js'
import type { MigrationFile } from '../migrations/file.js'
import { schemaDifferences } from '../schema/differences.js'
import type { Schema } from '../schema/model.js'
import { runInspectOptions, schemaAtRunStart, type RunContext } from './execute.js'
import type { HistoryRow } from './history.js'
import { historyKey, SnapshotStore, type KeyScope } from './snapshots.js'

/**
 * Per run: the migration whose history row also records the schema snapshot, the store, and
 * whether the live schema at the start was the expected one (settled by then: see snapshotReady).
 */
const plans = new WeakMap<RunContext, { readonly last: string; readonly store: SnapshotStore; readonly matches: Promise<boolean> }>()

function scopeOf(ctx: RunContext): KeyScope {
  return { driver: ctx.driver, schemas: ctx.options.inspect?.schemas, toolVersion: ctx.options.toolVersion }
}

/**
 * Before a run applies `selected` (holding the runner lock): whether its last migration records the
 * schema it produces. Only when the live schema is, right now, the schema the applied rows produce
 * (their snapshot, or RunOptions.snapshots.expected, a replay, when none is stored; the empty
 * schema before the first migration): the live schema after the run is then what a replay of the
 * applied migrations would give. A database with drift, or with a failed or interrupted row, gets
 * no snapshot, and `status` replays there. Creates the snapshot table when one will be recorded; a
 * user who may not create it gets no snapshot (and a run as before). Returns the store, or
 * undefined when the run records none.
 */
export async function planSnapshot(ctx: RunContext, rows: readonly HistoryRow[], selected: readonly MigrationFile[]): Promise<SnapshotStore | undefined> {
  const source = ctx.options.snapshots
  const last = selected.at(-1)
  if (source === undefined || ctx.recorder !== undefined || last === undefined) return undefined
  if (rows.some((r) => r.status !== 'applied')) return undefined
  const store = new SnapshotStore(ctx.driver, ctx.options.historyTable)
  const key = historyKey(scopeOf(ctx), rows)
  // With nothing applied, the replay of nothing is what a new database inspects as (PostgreSQL
  // reports its `public` schema), never the empty model.
  const stored = key === undefined ? undefined : (await store.find(key))?.schema
  // Without a stored snapshot the expected schema is a replay on a scratch database: it runs while
  // the migrations apply (its answer is needed only by the last one), so the run does not wait
  // for a scratch database to be created, inspected and dropped first.
  const expected: Promise<Schema | undefined> = stored !== undefined ? Promise.resolve(stored) : source.expected(rows).catch(() => undefined)
  const live = await schemaAtRunStart(ctx, ctx.driver.db)
  const matches = expected.then((e) => e !== undefined && schemaDifferences(ctx.driver, e, live).length === 0).catch(() => false)
  if (stored !== undefined && !(await matches)) return undefined
  try {
    await store.ensure()
  } catch {
    await matches
    return undefined
  }
  plans.set(ctx, { last: last.version, store, matches })
  return store
}

/**
 * Before the transaction that writes `file`'s `applied` row (and before the run returns, with no
 * file): waits for the expected schema and drops the plan when the live schema did not match.
 * Never inside a transaction: on PostgreSQL and MySQL the replay creates its scratch database
 * through the run's one connection, which a transaction holds.
 */
export async function snapshotReady(ctx: RunContext, file?: MigrationFile): Promise<void> {
  const plan = plans.get(ctx)
  if (plan === undefined || (file !== undefined && plan.last !== file.version)) return
  if (!(await plan.matches)) plans.delete(ctx)
}

/** Whether `file`'s `applied` history row also records the run's snapshot (recordSnapshot). */
export function recordsSnapshot(ctx: RunContext, file: MigrationFile): boolean {
  return plans.get(ctx)?.last === file.version && ctx.recorder === undefined
}

/**
 * Called where a migration's `applied` history row is written, through the same `db` (its
 * transaction, where there is one): for the run's last migration, records the live schema under
 * the history key of the rows as they now are. Nothing when a row is not `applied` (another runner
 * left one failed meanwhile).
 */
export async function recordSnapshot(ctx: RunContext, db: Db, file: MigrationFile): Promise<void> {
  const plan = plans.get(ctx)
  if (plan === undefined || !recordsSnapshot(ctx, file)) return
  const rows = await ctx.history.list(db)
  if (rows.some((r) => r.status !== 'applied')) return
  const key = historyKey(scopeOf(ctx), rows)
  if (key === undefined) return
  await plan.store.record(db, { key, version: file.version, schema: await ctx.driver.inspect(runInspectOptions(ctx, db)) })
}
