import os from 'node:os'
import type { ResolvedConfig } from '../config/schema.js'
import { parseUrl, type DatabaseUrl } from '../config/url.js'
import type { Driver, InspectOptions, OpenOptions, ScratchDriver } from '../dialects/dialect.js'
import { openDriver } from '../dialects/registry.js'
import { CHECKPOINT_TABLE } from '../backfill/checkpoint.js'
import { ConfigError } from '../errors.js'
import { DRIZZLE_KIT_HISTORY } from '../target/drizzle/dialect.js'
import { ownTables } from '../runner/snapshots.js'
import { toolVersion } from '../version.js'

/** The database URL of the config; a missing one is a config error naming every way to give it. */
export function databaseUrl(config: ResolvedConfig): DatabaseUrl {
  if (config.url === undefined || config.url === '') {
    throw new ConfigError('no database URL: pass --url, set `url` in migrator.config.ts, or set DATABASE_URL')
  }
  return parseUrl(config.url, config.cwd)
}

/**
 * Opens the configured database, runs `fn`, and always closes the connection. `options.readOnly`:
 * the command only reads, so a database that does not exist is not created (see OpenOptions).
 */
export async function withDriver<T>(config: ResolvedConfig, fn: (driver: Driver) => Promise<T>, options?: OpenOptions): Promise<T> {
  const driver = await openDriver(databaseUrl(config), options)
  try {
    return await fn(driver)
  } finally {
    await driver.close()
  }
}

/**
 * Opens a scratch database next to `driver` (or at devUrl), runs `fn`, and always drops it: a
 * temporary one is dropped, a devUrl one is left exactly as found. When `fn` fails, that failure
 * is what is thrown; when only the drop fails (a dev database left dirty), the drop's error is.
 * Signals and exits are covered by the dialect (Driver.openScratch).
 */
export async function withScratch<T>(driver: Driver, config: ResolvedConfig, fn: (scratch: ScratchDriver) => Promise<T>): Promise<T> {
  const devUrl = config.devUrl === undefined ? undefined : parseUrl(config.devUrl, config.cwd)
  const scratch = await driver.openScratch(devUrl)
  let result: T
  try {
    result = await fn(scratch)
  } catch (error) {
    // A clean-up failure after it would hide what the user must fix first; the next run names a dirty dev database.
    await scratch.drop().catch(() => undefined)
    throw error
  }
  await scratch.drop()
  return result
}

/**
 * What inspection reports, without migrator's own tables (history, its snapshots, backfill checkpoints)
 * and drizzle-kit's history table: the configured `schemas`, else the ones
 * the live connection's URL binds it to (`driver.scope`), else the whole database. Scratch
 * databases are inspected with the live driver's options, so both sides cover the same schemas.
 */
export function inspectOptions(config: ResolvedConfig, driver: Driver): InspectOptions {
  const exclude = [...ownTables(config.historyTable), CHECKPOINT_TABLE, DRIZZLE_KIT_HISTORY]
  if (config.schemas !== undefined) return { schemas: config.schemas, exclude }
  return driver.scope === undefined ? { exclude } : { schemas: driver.scope, bound: true, exclude }
}

/** Who applied a migration, for the history row. */
export function appliedBy(): string {
  try {
    return `${os.userInfo().username}@${os.hostname()}`
  } catch {
    return os.hostname()
  }
}

/** Runner options every command shares: history table, lock waits, who applies, tool version. */
export function runnerOptions(config: ResolvedConfig, by: string = appliedBy()) {
  return {
    historyTable: config.historyTable,
    lockTimeoutMs: config.lockWaitMs,
    statementLockTimeoutMs: config.lockTimeoutMs,
    appliedBy: by,
    toolVersion,
  }
}

/** Runner options for replays on scratch databases: no history of note, and no data checks (no rows there). */
export function scratchRunOptions(config: ResolvedConfig, by: string) {
  return { ...runnerOptions(config, by), checks: false }
}
