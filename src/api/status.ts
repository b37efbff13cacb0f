import type { ResolvedConfig } from '../config/schema.js'
import type { MigrationFile } from '../migrations/file.js'
import { HistoryStore, type HistoryRow } from '../runner/history.js'
import { schemaDifferences } from '../schema/differences.js'
import { listMigrations } from './directory.js'
import { byCodePoint } from '../migrations/directory.js'
import type { RiskReport } from '../lint/risk.js'
import { listBackups, type BackupInfo } from '../safety/backup.js'
import { baselineFloor, isBaselineMarker, newestApplied } from '../runner/pending.js'
import { appliedSchema, directorySchema, type SchemaSource } from './produced.js'
import { inspectOptions, withDriver, withScratch } from './session.js'
import { countsAsApplied, isPending, type MigrationState } from './states.js'

export { countsAsApplied, isPending, type MigrationState }


export interface MigrationStatus {
  readonly version: string
  readonly name: string
  readonly state: MigrationState
  readonly appliedAt?: string
  /** For `modified`: the checksum in history and on disk. */
  readonly checksums?: { readonly history: string; readonly file: string }
  /** For `pending`: the lint risk report (level, reasons, rows touched). */
  readonly risk?: RiskReport
  /** For `failed`: how many statements are in the database, and the way out. */
  readonly statementsApplied?: number
  readonly hint?: string
}

export interface StatusReport {
  readonly database: string
  readonly migrations: readonly MigrationStatus[]
  /** Live schema ≠ what the applied migrations produce: someone changed the database by hand. */
  readonly drift: readonly string[]
  /** Target ≠ what all migrations produce: run `migrator diff`. Absent without a target. */
  readonly ungenerated?: readonly string[]
  /** Why drift or ungenerated changes could not be computed (a migration that does not replay). */
  readonly replayError?: string
  /**
   * How the schema the applied migrations produce was obtained: 'snapshot' (recorded with the
   * history: the live database is inspected once) or 'replay' (every applied migration run on a
   * scratch database; replayReason says why).
   */
  readonly driftFrom: 'snapshot' | 'replay'
  /** How the schema all migrations produce was obtained, when there is a target. */
  readonly ungeneratedFrom?: SchemaSource
  /** Why a replay was needed (driftFrom 'replay'). */
  readonly replayReason?: string
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
    const risks = states.some((m) => isPending(m.state)) ? new Map((await (await import('./lint.js')).lintWithDriver(driver, config, files)).migrations.map((m) => [m.version, m.risk])) : new Map<string, RiskReport>()
    const migrations = states.map((m) => {
      const risk = isPending(m.state) ? risks.get(m.version) : undefined
      return risk === undefined ? m : { ...m, risk }
    })
    const live = await driver.inspect(inspectOptions(config, driver))
    const applied = await appliedSchema(driver, config, files, history, live)
    // `live` itself stands for a snapshot with its fingerprint (SnapshotStore.find): nothing drifted.
    const drift = applied.schema === undefined || applied.schema === live ? [] : schemaDifferences(driver, applied.schema, live)
    let replayError = applied.error?.message
    let ungenerated: string[] | undefined
    let ungeneratedFrom: SchemaSource | undefined
    if (config.target !== undefined) {
      const target = config.target
      const { loadTarget } = await import('../target/load.js')
      const desired = await withScratch(driver, config, (scratch) => loadTarget(target, scratch, inspectOptions(config, driver), driver.url.database))
      const all = await directorySchema(driver, config, files, history, applied)
      replayError ??= all.error?.message
      ungeneratedFrom = all.source
      ungenerated = all.schema === undefined ? undefined : schemaDifferences(driver, all.schema, desired)
    }
    const needsAttention = drift.length > 0 || replayError !== undefined || migrations.some((m) => !countsAsApplied(m.state))
    const backups = await listBackups(driver, config)
    return {
      database: driver.url.redacted, migrations, drift, ungenerated, replayError, needsAttention, backups,
      driftFrom: applied.source === 'replay' ? 'replay' : 'snapshot',
      ...(applied.replayReason === undefined ? {} : { replayReason: applied.replayReason }),
      ...(ungeneratedFrom === undefined ? {} : { ungeneratedFrom }),
    }
  }, { readOnly: true, queriesOnly: true })
}

export function migrationStates(files: readonly MigrationFile[], history: readonly HistoryRow[]): MigrationStatus[] {
  const rows = new Map(history.map((row) => [row.version, row]))
  const floor = baselineFloor(history)
  const newest = newestApplied(history)
  const states: MigrationStatus[] = files.map((file) => {
    const row = rows.get(file.version)
    if (row === undefined) {
      if (floor !== undefined && file.version <= floor) return { version: file.version, name: file.slug, state: 'baseline' }
      return { version: file.version, name: file.slug, state: newest !== undefined && file.version < newest ? 'out-of-order' : 'pending' }
    }
    if (row.status === 'failed') return failedState(row, file.slug, (file.directives.backfills?.length ?? 0) > 0, file.format === 'module')
    if (row.checksum !== '' && row.checksum !== file.checksum) {
      return { version: file.version, name: file.slug, state: 'modified', appliedAt: row.appliedAt, checksums: { history: row.checksum, file: file.checksum } }
    }
    return { version: file.version, name: file.slug, state: row.baseline === true ? 'baseline' : 'applied', appliedAt: row.appliedAt }
  })
  const known = new Set(files.map((f) => f.version))
  for (const row of history) {
    if (known.has(row.version)) continue
    if (isBaselineMarker(row)) states.push({ version: row.version, name: row.name, state: 'baseline', appliedAt: row.appliedAt })
    else states.push(row.status === 'failed' ? failedState(row, row.name) : { version: row.version, name: row.name, state: 'missing', appliedAt: row.appliedAt })
  }
  return states.sort((a, b) => byCodePoint(a.version, b.version))
}

/**
 * A failed row says what is left in the database and what to do about it. `statements_applied`
 * counts the leading statements still applied (the runner lowers it as it undoes them); a run that
 * was killed may also have completed the next one before it could count it.
 */
function failedState(row: HistoryRow, name: string, backfills = false, module = false): MigrationStatus {
  const n = row.statementsApplied
  if (backfills) {
    return {
      version: row.version, name, state: 'failed', appliedAt: row.appliedAt, statementsApplied: n,
      hint: `its ${n} statement${n === 1 ? ' is' : 's are'} applied and its backfill was interrupted: run \`migrator up\` to resume it from its checkpoint (if ${n === 1 ? 'that statement' : 'all statements'} ran)`,
    }
  }
  // repair forgets the row and `up` runs the migration again from its first statement, so what
  // stayed must be undone by hand, not finished.
  const hint =
    module && n === 0
      ? 'its up() failed outside a transaction and may have changed the database: check it and undo those changes by hand, then run `migrator repair`'
      : n === 0
        ? `none of its statements is counted as applied (a killed run may have completed statement 1): check the database, then run \`migrator repair\``
        : `${n === 1 ? 'statement 1' : `statements 1-${n}`} of it ${n === 1 ? 'is' : 'are'} in the database and ${n === 1 ? 'was' : 'were'} not undone ` +
          `(if a run was killed, check the next statement too): undo ${n === 1 ? 'it' : 'them'} by hand, then run \`migrator repair\` so \`up\` runs it again from the start`
  return { version: row.version, name, state: 'failed', appliedAt: row.appliedAt, statementsApplied: n, hint }
}
