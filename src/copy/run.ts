import { CONFIG_DEFAULTS } from '../config/schema.js'
import type { DatabaseUrl } from '../config/url.js'
import type { Driver } from '../dialects/dialect.js'
import { openDriver } from '../dialects/registry.js'
import { MigratorError } from '../errors.js'
import { CHECKPOINT_TABLE } from '../backfill/checkpoint.js'
import { ownTables } from '../runner/snapshots.js'
import { emptySchema, type Schema } from '../schema/model.js'
import type { CopyLoss } from './codes.js'
import { COPY_CHECKPOINT_TABLE, CopyCheckpoint } from './checkpoint.js'
import { loadTable, tableName } from './load.js'
import { mapSchema, type CopyTable, type MappedSchema } from './map-schema.js'
import { proveTable, type ProofRow } from './proof.js'
import { assertEmpty, assertMatches, catchUpStatements } from './target-schema.js'

export type CopyMode = 'all' | 'schema-only' | 'data-only' | 'verify-only'

export interface CopyOptions {
  readonly from: DatabaseUrl
  readonly to: DatabaseUrl
  /** Table names to copy (default: all); unknown names are an error. */
  readonly tables?: readonly string[]
  readonly mode: CopyMode
  /** Rows per page read and per transaction written. */
  readonly batch: number
  /** Tables copied at the same time, each over its own pair of connections. */
  readonly jobs: number
  readonly dryRun: boolean
  readonly onEvent?: (event: CopyEvent) => void
}

export type CopyEvent =
  | { readonly kind: 'losses'; readonly losses: readonly CopyLoss[] }
  | { readonly kind: 'resume' }
  | { readonly kind: 'schema'; readonly statements: number }
  | { readonly kind: 'table'; readonly table: string; readonly copied: number; readonly total: number }
  | { readonly kind: 'table-done'; readonly table: string; readonly copied: number }
  | { readonly kind: 'proof'; readonly table: string }

export interface CopyReport {
  readonly source: string
  readonly target: string
  readonly mode: CopyMode
  readonly dryRun: boolean
  /** The target had a checkpoint from a killed copy, which this run finished. */
  readonly resumed: boolean
  readonly losses: readonly CopyLoss[]
  /** DDL run on the target (with --dry-run: that would run). */
  readonly statements: readonly string[]
  readonly copied: readonly { readonly table: string; readonly rows: number }[]
  readonly proof: readonly ProofRow[]
  /** Every proved table matched (true when nothing was proved). */
  readonly ok: boolean
}

/** `migrator copy`: schema mapped, rows copied with a checkpoint, result proven (docs/copy.md). */
export async function copyDatabase(options: CopyOptions): Promise<CopyReport> {
  const writes = !options.dryRun && options.mode !== 'verify-only'
  const source = await openDriver(options.from, { readOnly: true })
  const drivers: Driver[] = [source]
  try {
    const target = await openDriver(options.to, writes ? {} : { readOnly: true, missingAsEmpty: options.dryRun })
    drivers.push(target)
    // migrator's own tables are not copied: the target's migrations are its own.
    const own = [...ownTables(CONFIG_DEFAULTS.historyTable), CHECKPOINT_TABLE, COPY_CHECKPOINT_TABLE]
    const sourceSchema = selectTables(await source.inspect({ ...scopeOf(source), exclude: own }), options.tables)
    let mapped = mapSchema(sourceSchema, source, target)
    options.onEvent?.({ kind: 'losses', losses: mapped.losses })
    const inspected = await target.inspect({ ...scopeOf(target), exclude: own.filter((t) => t !== COPY_CHECKPOINT_TABLE) })
    const resumed = inspected.tables.some((t) => t.name === COPY_CHECKPOINT_TABLE)
    const current: Schema = { ...inspected, tables: inspected.tables.filter((t) => t.name !== COPY_CHECKPOINT_TABLE) }
    const base = { source: options.from.redacted, target: options.to.redacted, mode: options.mode, dryRun: options.dryRun, resumed, losses: mapped.losses }

    if (options.mode === 'data-only' || options.mode === 'verify-only') mapped = assertMatches(current, mapped, target, `--${options.mode}`)
    else if (!resumed) assertEmpty(current, target)
    if (options.dryRun || options.mode === 'verify-only') {
      const statements = options.mode === 'all' || options.mode === 'schema-only' ? [...catchUpStatements(target, emptySchema, mapped.load), ...catchUpStatements(target, mapped.load, mapped.full)] : []
      const proof = options.mode === 'verify-only' ? await prove(mapped.tables, source, target, options) : []
      return { ...base, statements, copied: [], proof, ok: proof.every((p) => p.match) }
    }

    await source.copy.prepareSession(source.db, 'source')
    await target.copy.prepareSession(target.db, 'target')
    if (!resumed && options.mode === 'data-only') await assertTargetTablesEmpty(mapped, target)
    const checkpoint = new CopyCheckpoint(target.db, (n) => target.quoteIdent(n))
    if (resumed) options.onEvent?.({ kind: 'resume' })
    // The checkpoint table comes first: a copy killed while it creates tables resumes too.
    else await checkpoint.create()
    const statements: string[] = []
    const run = async (sql: readonly string[]) => {
      options.onEvent?.({ kind: 'schema', statements: sql.length })
      for (const statement of sql) await target.db.exec(statement)
      statements.push(...sql)
    }
    if (options.mode !== 'data-only') await run(catchUpStatements(target, current, mapped.load))
    let copied: { table: string; rows: number }[] = []
    if (options.mode !== 'schema-only') copied = await loadAll(mapped.tables, source, target, checkpoint, options, drivers)
    if (options.mode !== 'data-only') await run(catchUpStatements(target, (await target.inspect({ ...scopeOf(target), exclude: own })), mapped.full))
    for (const table of mapped.tables) for (const column of table.identity) await target.copy.resetIdentity(target.db, tableName(target, table.target), column)
    await checkpoint.drop()
    const proof = options.mode === 'schema-only' ? [] : await prove(mapped.tables, source, target, options)
    return { ...base, statements, copied, proof, ok: proof.every((p) => p.match) }
  } finally {
    for (const driver of drivers.reverse()) await driver.close().catch(() => undefined)
  }
}

/** Copies every table, `options.jobs` at a time; each extra job opens its own source and target connections. */
async function loadAll(tables: readonly CopyTable[], source: Driver, target: Driver, checkpoint: CopyCheckpoint, options: CopyOptions, drivers: Driver[]): Promise<{ table: string; rows: number }[]> {
  const positions = await checkpoint.read()
  const queue = [...tables]
  const results = new Map<string, number>()
  const worker = async (from: Driver, to: Driver, store: CopyCheckpoint) => {
    for (let table = queue.shift(); table !== undefined; table = queue.shift()) {
      const total = await countRows(from, table.source)
      const rows = await loadTable(table, from, to, store, positions.get(table.name), options.batch, (p) => options.onEvent?.({ kind: 'table', table: p.table, copied: p.copied, total }))
      results.set(table.name, rows)
      options.onEvent?.({ kind: 'table-done', table: table.name, copied: rows })
    }
  }
  const workers = [worker(source, target, checkpoint)]
  for (let i = 1; i < Math.min(options.jobs, tables.length); i++) {
    const from = await openDriver(options.from, { readOnly: true })
    drivers.push(from)
    const to = await openDriver(options.to)
    drivers.push(to)
    await from.copy.prepareSession(from.db, 'source')
    await to.copy.prepareSession(to.db, 'target')
    workers.push(worker(from, to, new CopyCheckpoint(to.db, (n) => to.quoteIdent(n))))
  }
  await Promise.all(workers)
  return tables.map((t) => ({ table: t.name, rows: results.get(t.name) ?? 0 }))
}

async function prove(tables: readonly CopyTable[], source: Driver, target: Driver, options: CopyOptions): Promise<ProofRow[]> {
  const rows: ProofRow[] = []
  for (const table of tables) {
    options.onEvent?.({ kind: 'proof', table: table.name })
    rows.push(await proveTable(table, source, target, Math.max(options.batch, 1000)))
  }
  return rows
}

async function countRows(driver: Driver, table: { readonly schema?: string; readonly name: string }): Promise<number> {
  const [row] = await driver.db.query<{ n: unknown }>(`SELECT count(*) AS n FROM ${tableName(driver, table)}`)
  return Number(row?.n ?? 0)
}

async function assertTargetTablesEmpty(mapped: MappedSchema, target: Driver): Promise<void> {
  for (const table of mapped.tables) {
    if ((await countRows(target, table.target)) > 0) {
      throw new MigratorError('copy-target-not-empty', `table ${table.target.name} on target ${target.url.redacted} already has rows; --data-only fills empty tables only (empty it first)`)
    }
  }
}

/** The tables `names` of `schema` (all without names); an unknown name is an error listing the known ones. */
function selectTables(schema: Schema, names: readonly string[] | undefined): Schema {
  if (names === undefined) return schema
  const known = new Map(schema.tables.map((t) => [t.name, t]))
  const unknown = names.filter((n) => !known.has(n))
  if (unknown.length > 0) {
    throw new MigratorError('usage', `--tables names ${unknown.join(', ')}, not a table of the source (tables: ${[...known.keys()].join(', ') || 'none'})`)
  }
  return { tables: names.map((n) => known.get(n)!), views: [], objects: schema.objects.filter((o) => o.kind === 'enum' || o.kind === 'schema') }
}

/** The namespaces a driver's URL binds it to, inspected as bound (PostgreSQL's search_path). */
function scopeOf(driver: Driver): { schemas?: readonly string[]; bound?: boolean } {
  return driver.scope === undefined ? {} : { schemas: driver.scope, bound: true }
}
