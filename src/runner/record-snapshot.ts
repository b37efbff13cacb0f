import type { Db } from '../db.js'
import type { MigrationFile } from '../migrations/file.js'
import { schemaDifferences } from '../schema/differences.js'
import type { Schema } from '../schema/model.js'
import { runInspectOptions, schemaAtRunStart, type RunContext } from './execute.js'
import type { HistoryRow } from './history.js'
import { historyKey, SnapshotStore, type KeyScope } from './snapshots.js'

/** Per run: the migration whose history row also records the schema snapshot, and the store. */
const plans = new WeakMap<RunContext, { readonly last: string; readonly store: SnapshotStore }>()

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
  const expected: Schema | undefined = stored ?? (await source.expected(rows))
  if (expected === undefined) return undefined
  const live = await schemaAtRunStart(ctx, ctx.driver.db)
  if (schemaDifferences(ctx.driver, expected, live).length > 0) return undefined
  try {
    await store.ensure()
  } catch {
    return undefined
  }
  plans.set(ctx, { last: last.version, store })
  return store
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
