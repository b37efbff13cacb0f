import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { ResolvedConfig } from '../config/schema.js'
import type { Driver } from '../dialects/dialect.js'
import { MigratorError } from '../errors.js'
import { SUM_FILE } from '../migrations/directory.js'
import type { MigrationFile } from '../migrations/file.js'
import type { HistoryRow } from '../runner/history.js'
import { isBaselineMarker } from '../runner/pending.js'
import { historyKey, SnapshotStore } from '../runner/snapshots.js'
import { schemaFingerprint } from '../safety/fingerprint.js'
import { canonical } from '../schema/equal.js'
import type { Schema } from '../schema/model.js'
import { toolVersion } from '../version.js'
import { inspectOptions } from './session.js'

/**
 * Where a schema that migrations produce came from: a snapshot recorded with the history
 * (src/runner/snapshots.ts), the end-state cache of the directory, or a replay on a scratch database.
 */
export type SchemaSource = 'snapshot' | 'cache' | 'replay'

export interface ProducedSchema {
  /** Undefined when the migrations do not replay (see error). */
  readonly schema?: Schema
  readonly source: SchemaSource
  /** Why it had to be replayed (source 'replay'). */
  readonly replayReason?: string
  /** Why the replay failed. */
  readonly error?: MigratorError
}

/**
 * The schema the applied migrations produce: their recorded snapshot when there is one, a replay
 * on a scratch database otherwise (rows written before snapshots existed, by `baseline`, edited by
 * hand, when `up` found drift, or when applied files are edited or missing, which a replay sees).
 * `live`: the database just inspected, returned itself when it has the snapshot's fingerprint.
 */
export async function appliedSchema(driver: Driver, config: ResolvedConfig, files: readonly MigrationFile[], rows: readonly HistoryRow[], live?: Schema): Promise<ProducedSchema> {
  const applied = rows.filter((r) => r.status === 'applied')
  // Nothing applied: what a new database inspects as (PostgreSQL reports its `public` schema).
  if (applied.length === 0) return replayed(driver, config, [], 'no migration is applied yet')
  const byVersion = new Map(files.map((f) => [f.version, f]))
  // A baseline marker (a version `baseline` recorded without a file) has nothing to replay.
  const changed = applied.filter((r) => !isBaselineMarker(r) && byVersion.get(r.version)?.checksum !== r.checksum)
  let reason: string
  if (changed.length > 0) {
    reason = `${changed.length} applied migration${changed.length === 1 ? ' is' : 's are'} edited or missing (first: ${changed[0]!.version}_${changed[0]!.name})`
  } else {
    const key = historyKey(scopeOf(driver, config), applied)
    const snapshot = key === undefined ? undefined : await new SnapshotStore(driver, config.historyTable).find(key, driver.db, live)
    if (snapshot !== undefined) return { schema: snapshot.schema, source: 'snapshot' }
    reason = 'no schema snapshot is recorded for these applied migrations (history written by an older migrator, by `baseline` or by hand, or `up` found drift); the next `up` records one'
  }
  return replayed(driver, config, files.filter((f) => applied.some((r) => r.version === f.version)), reason)
}

/**
 * The schema all migrations of the directory produce (what `status` compares with the target, and
 * `diff --from dir` starts from): the applied migrations' snapshot when every file is applied,
 * else the end-state cache keyed by migrator.sum, else a replay, which fills the cache.
 */
export async function directorySchema(driver: Driver, config: ResolvedConfig, files: readonly MigrationFile[], rows: readonly HistoryRow[], applied?: ProducedSchema): Promise<ProducedSchema> {
  if (files.length === 0) return replayed(driver, config, [], 'the directory holds no migration')
  const appliedRows = rows.filter((r) => r.status === 'applied')
  const appliedChecksums = new Map(appliedRows.map((r) => [r.version, r.checksum]))
  const allApplied = appliedRows.length === files.length && files.every((f) => appliedChecksums.get(f.version) === f.checksum)
  if (allApplied && applied?.source === 'snapshot' && applied.schema !== undefined) return applied
  const file = await cacheFile(driver, config)
  const cached = file === undefined ? undefined : await readCache(file)
  if (cached !== undefined) return { schema: cached, source: 'cache' }
  const result = await replayed(driver, config, files, 'the end state of these migration files is not cached yet')
  if (file !== undefined && result.schema !== undefined) await writeCache(file, result.schema)
  return result
}

/**
 * For `up`: the schema the applied rows produce, by replay, when it can be told
 * (RunOptions.snapshots). Undefined whenever it cannot, for whatever reason (a file that does not
 * replay, no right to create a scratch database): then `up` records no snapshot, and runs as before.
 */
export async function replayApplied(driver: Driver, config: ResolvedConfig, files: readonly MigrationFile[], rows: readonly HistoryRow[]): Promise<Schema | undefined> {
  const applied = rows.filter((r) => r.status === 'applied')
  const byVersion = new Map(files.map((f) => [f.version, f]))
  if (applied.some((r) => !isBaselineMarker(r) && byVersion.get(r.version)?.checksum !== r.checksum)) return undefined
  try {
    return await (await import('./replay.js')).replaySchema(driver, config, files.filter((f) => applied.some((r) => r.version === f.version)))
  } catch {
    return undefined
  }
}

async function replayed(driver: Driver, config: ResolvedConfig, files: readonly MigrationFile[], reason: string): Promise<ProducedSchema> {
  try {
    return { schema: await (await import('./replay.js')).replaySchema(driver, config, files), source: 'replay', replayReason: reason }
  } catch (error) {
    // A migration that cannot replay (the one that failed, say) must not hide the rest of a report.
    if (!(error instanceof MigratorError)) throw error
    return { source: 'replay', replayReason: reason, error }
  }
}

function scopeOf(driver: Driver, config: ResolvedConfig) {
  return { driver, schemas: inspectOptions(config, driver).schemas, toolVersion }
}

/**
 * The directory of the end-state cache: MIGRATOR_CACHE_DIR, else the user's cache directory
 * (`$XDG_CACHE_HOME/migrator` or `~/.cache/migrator`; `~/Library/Caches/migrator` on macOS;
 * `%LOCALAPPDATA%\migrator\cache` on Windows). Outside the project, so nothing to keep out of git,
 * and per user, so no one else can plant an entry.
 */
export function cacheDir(): string {
  const env = process.env
  if (env['MIGRATOR_CACHE_DIR'] !== undefined && env['MIGRATOR_CACHE_DIR'] !== '') return env['MIGRATOR_CACHE_DIR']
  if (process.platform === 'win32') return path.join(env['LOCALAPPDATA'] ?? path.join(os.homedir(), 'AppData', 'Local'), 'migrator', 'cache')
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Caches', 'migrator')
  return path.join(env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache'), 'migrator')
}

/**
 * The cache file of the directory's end state: named by a hash of migrator.sum (every file's
 * checksum, so any edit, addition or removal is a new name), the dialect and server version, the
 * tool version and the inspected schemas. Undefined without migrator.sum.
 */
async function cacheFile(driver: Driver, config: ResolvedConfig): Promise<string | undefined> {
  let sum: string
  try {
    sum = await readFile(path.join(config.dir, SUM_FILE), 'utf8')
  } catch {
    return undefined
  }
  const { schemas, exclude } = inspectOptions(config, driver)
  const key = createHash('sha256').update(JSON.stringify([sum, driver.dialect, driver.serverVersion, toolVersion, schemas ?? null, exclude ?? null])).digest('hex')
  return path.join(cacheDir(), `end-state-${key}.json`)
}

/** A cached schema, or undefined when there is none or it does not match its fingerprint. */
async function readCache(file: string): Promise<Schema | undefined> {
  try {
    const entry = JSON.parse(await readFile(file, 'utf8')) as { fingerprint?: string; schema?: Schema }
    if (entry.schema === undefined || schemaFingerprint(entry.schema) !== entry.fingerprint) return undefined
    return entry.schema
  } catch {
    return undefined
  }
}

/** Writes a cache entry (temporary file, then rename); a cache that cannot be written is skipped. */
async function writeCache(file: string, schema: Schema): Promise<void> {
  try {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
    const temporary = `${file}.${process.pid}.tmp`
    await writeFile(temporary, `{"fingerprint":${JSON.stringify(schemaFingerprint(schema))},"schema":${canonical(schema)}}\n`, { mode: 0o600 })
    await rename(temporary, file)
  } catch {
    // Only a slower next run: the replay's result is used as it is.
  }
}
