import { ChecksumMismatchError, FailedMigrationError, MissingMigrationError, OutOfOrderError } from '../errors.js'
import type { MigrationFile } from '../migrations/file.js'
import type { HistoryRow } from './history.js'

/** An applied migration: its history row and, unless missing, its file. */
export interface AppliedMigration {
  readonly row: HistoryRow
  readonly file?: MigrationFile
}

export interface PendingPlan {
  /** History rows in version order, each with its file when the directory still has it. */
  readonly applied: readonly AppliedMigration[]
  /** Files without a history row, in version order. */
  readonly pending: readonly MigrationFile[]
  /** Versions among `pending` whose statements are in and whose backfill is to resume. */
  readonly resume: ReadonlySet<string>
}

/**
 * Splits the directory into applied and pending migrations, refusing to go on when history and
 * files disagree: a `failed` row (FailedMigrationError, points to `repair`), an applied file edited
 * since (ChecksumMismatchError with both hashes), applied versions without a file
 * (MissingMigrationError, unless `allowMissing`). A `failed` row that `resumable` accepts (all
 * statements in, backfill interrupted) is pending again, listed in `resume`. Rows with an empty checksum (`baseline` without a
 * file) are not compared, nor missing. A file without a row at or below the newest baseline row
 * counts as applied (Flyway's baseline). A pending file older than the newest applied one (merged
 * from another branch) is out of order: OutOfOrderError naming them, unless `allowOutOfOrder`; then
 * it runs in version order with the rest.
 */
export function planPending(
  files: readonly MigrationFile[],
  history: readonly HistoryRow[],
  options: { readonly allowMissing?: boolean; readonly allowOutOfOrder?: boolean; readonly resumable?: (file: MigrationFile, row: HistoryRow) => boolean } = {},
): PendingPlan {
  const byVersion = new Map(files.map((f) => [f.version, f]))
  const resume = new Set<string>()
  for (const row of history.filter((r) => r.status === 'failed')) {
    const file = byVersion.get(row.version)
    if (file === undefined || options.resumable?.(file, row) !== true) throw new FailedMigrationError(row.version, row.name, row.reverting === true ? row.statementsApplied : undefined)
    resume.add(row.version)
  }
  for (const row of history) {
    const file = byVersion.get(row.version)
    if (file !== undefined && row.checksum !== '' && row.checksum !== file.checksum) {
      throw new ChecksumMismatchError({ file: file.upFile, expected: row.checksum, actual: file.checksum })
    }
  }
  const missing = history.filter((row) => !byVersion.has(row.version) && !isBaselineMarker(row)).map((row) => row.version)
  if (missing.length > 0 && options.allowMissing !== true) throw new MissingMigrationError(missing)
  const appliedVersions = new Set(history.filter((row) => !resume.has(row.version)).map((row) => row.version))
  const floor = baselineFloor(history)
  const pending = files.filter((f) => !appliedVersions.has(f.version) && (floor === undefined || f.version > floor)).sort((a, b) => compare(a.version, b.version))
  const late = outOfOrder(pending, history)
  if (late.length > 0 && options.allowOutOfOrder !== true) throw new OutOfOrderError(late.map((f) => f.upFile), newestApplied(history)!)
  return {
    resume,
    applied: [...history]
      .filter((row) => !resume.has(row.version))
      .sort((a, b) => compare(a.version, b.version))
      .map((row) => ({ row, file: byVersion.get(row.version) })),
    pending,
  }
}

/** A row `baseline <version>` wrote for a version without a file: it marks the baseline, nothing else. */
export function isBaselineMarker(row: HistoryRow): boolean {
  return row.baseline === true && row.checksum === ''
}

/** The newest baseline version in history: files at or below it without a row count as applied. */
export function baselineFloor(history: readonly HistoryRow[]): string | undefined {
  return history.filter((row) => row.baseline === true).reduce<string | undefined>((max, row) => (max === undefined || row.version > max ? row.version : max), undefined)
}

/** The newest version history holds (applied, baseline or failed). */
export function newestApplied(history: readonly HistoryRow[]): string | undefined {
  return history.reduce<string | undefined>((max, row) => (max === undefined || row.version > max ? row.version : max), undefined)
}

/**
 * The pending files older than the newest version in history: typically merged from another
 * branch after the database ran a newer migration (Flyway's out-of-order migrations).
 */
export function outOfOrder<F extends { readonly version: string }>(pending: readonly F[], history: readonly HistoryRow[]): F[] {
  const newest = newestApplied(history)
  return newest === undefined ? [] : pending.filter((f) => f.version < newest)
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
