import type { ResolvedConfig } from '../config/schema.js'
import type { Driver } from '../dialects/dialect.js'
import type { MigrationFile } from '../migrations/file.js'
import { HistoryStore, type HistoryRow } from '../runner/history.js'
import { diffSchemas } from '../schema/diff.js'
import type { Schema } from '../schema/model.js'
import { loadTarget } from '../target/load.js'
import { listMigrations } from './directory.js'
import type { RiskReport } from '../lint/risk.js'
import { listBackups, type BackupInfo } from '../safety/backup.js'
import { lintWithDriver } from './lint.js'
import { replaySchema } from './replay.js'
import { inspectOptions, withDriver, withScratch } from './session.js'

export type MigrationState = 'applied' | 'pending' | 'modified' | 'missing' | 'failed'

export interface MigrationStatus {
  readonly version: string
  readonly name: string
  readonly state: MigrationState
  readonly appliedAt?: string
  /** For `modified`: the checksum in history and on disk. */
  readonly checksums?: { readonly history: string; readonly file: string }
  /** For `pending`: the lint risk report (level, reasons, rows touched). */
  readonly risk?: RiskReport
}

export interface StatusReport {
  readonly database: string
  readonly migrations: readonly MigrationStatus[]
  /** Live schema ≠ what the applied migrations produce: someone changed the database by hand. */
  readonly drift: readonly string[]
  /** Target ≠ what all migrations produce: run `migrator diff`. Absent without a target. */
  readonly ungenerated?: readonly string[]
  /** Whether `status --check` should exit 2: pending, modified, missing, failed or drift. */
  readonly needsAttention: boolean
  /** Snapshots of this database (`migrator backup`, `up --backup`), newest first. */
  readonly backups: readonly BackupInfo[]
}

/** Per-migration state, drift and ungenerated changes. Reads only: never writes to the database. */
export async function status(config: ResolvedConfig): Promise<StatusReport> {
  const files = await listMigrations(config.dir, { allowMissingDir: true })
  return withDriver(config, async (driver) => {
    const history = await new HistoryStore(driver, config.historyTable).list()
    const states = migrationStates(files, history)
    const risks = states.some((m) => m.state === 'pending') ? new Map((await lintWithDriver(driver, config, files)).migrations.map((m) => [m.version, m.risk])) : new Map<string, RiskReport>()
    const migrations = states.map((m) => {
      const risk = m.state === 'pending' ? risks.get(m.version) : undefined
      return risk === undefined ? m : { ...m, risk }
    })
    const appliedFiles = files.filter((f) => history.some((row) => row.version === f.version && row.status === 'applied'))
    const live = await driver.inspect(inspectOptions(config))
    const drift = describeDiff(driver, await replaySchema(driver, config, appliedFiles), live)
    let ungenerated: string[] | undefined
    if (config.target !== undefined) {
      const target = config.target
      const desired = await withScratch(driver, config, (scratch) => loadTarget(target, scratch, inspectOptions(config)))
      ungenerated = describeDiff(driver, await replaySchema(driver, config, files), desired)
    }
    const needsAttention = drift.length > 0 || migrations.some((m) => m.state !== 'applied')
    const backups = await listBackups(driver, config)
    return { database: driver.url.redacted, migrations, drift, ungenerated, needsAttention, backups }
  })
}

export function migrationStates(files: readonly MigrationFile[], history: readonly HistoryRow[]): MigrationStatus[] {
  const rows = new Map(history.map((row) => [row.version, row]))
  const states: MigrationStatus[] = files.map((file) => {
    const row = rows.get(file.version)
    if (row === undefined) return { version: file.version, name: file.slug, state: 'pending' }
    if (row.status === 'failed') return { version: file.version, name: file.slug, state: 'failed', appliedAt: row.appliedAt }
    if (row.checksum !== file.checksum) {
      return { version: file.version, name: file.slug, state: 'modified', appliedAt: row.appliedAt, checksums: { history: row.checksum, file: file.checksum } }
    }
    return { version: file.version, name: file.slug, state: 'applied', appliedAt: row.appliedAt }
  })
  const known = new Set(files.map((f) => f.version))
  for (const row of history) {
    if (!known.has(row.version)) states.push({ version: row.version, name: row.name, state: row.status === 'failed' ? 'failed' : 'missing', appliedAt: row.appliedAt })
  }
  return states.sort((a, b) => a.version.localeCompare(b.version))
}

/** One line per statement that would turn `from` into `to` (empty when they are the same). */
function describeDiff(driver: Driver, from: Schema, to: Schema): string[] {
  const { changes } = diffSchemas(from, to, { capabilities: driver.capabilities })
  return driver.plan(changes, { current: from, desired: to }).statements.map((s) => s.comment)
}
