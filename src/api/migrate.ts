import type { ResolvedConfig } from '../config/schema.js'
import type { RunEvent } from '../runner/events.js'
import { runDown } from '../runner/down.js'
import { runUp, type RunResult } from '../runner/run.js'
import { toolVersion } from '../version.js'
import { listMigrations } from './directory.js'
import { appliedBy, withDriver } from './session.js'

export interface UpOptions {
  readonly to?: string
  readonly steps?: number
  readonly dryRun?: boolean
  readonly txMode?: 'file' | 'all' | 'none'
  readonly allOrNothing?: boolean
  readonly allowMissing?: boolean
  readonly onEvent?: (event: RunEvent) => void
}

/** Applies pending migrations in version order. Never throws for a failed migration: see RunResult.error. */
export async function up(config: ResolvedConfig, options: UpOptions = {}): Promise<RunResult> {
  const files = await listMigrations(config.dir)
  return withDriver(config, (driver) =>
    runUp(driver, files, {
      historyTable: config.historyTable,
      lockTimeoutMs: config.lockWaitMs,
      statementLockTimeoutMs: config.lockTimeoutMs,
      appliedBy: appliedBy(),
      toolVersion,
      ...options,
    }),
  )
}

export interface DownOptions {
  readonly to?: string
  readonly steps?: number
  readonly all?: boolean
  readonly dryRun?: boolean
  readonly onEvent?: (event: RunEvent) => void
}

/** Reverts applied migrations newest first (one by default). Never throws for a failed revert. */
export async function down(config: ResolvedConfig, options: DownOptions = {}): Promise<RunResult> {
  const files = await listMigrations(config.dir)
  return withDriver(config, (driver) =>
    runDown(driver, files, {
      historyTable: config.historyTable,
      lockTimeoutMs: config.lockWaitMs,
      statementLockTimeoutMs: config.lockTimeoutMs,
      appliedBy: appliedBy(),
      toolVersion,
      ...options,
    }),
  )
}
