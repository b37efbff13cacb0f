import { createHash } from 'node:crypto'
import { MigratorError } from '../errors.js'

/**
 * What a chunked backfill does: `UPDATE <table> SET <set> WHERE <where>`, in chunks of `batch`
 * rows walked in primary-key order. `where` must select exactly the rows still to backfill, so that
 * running `set` on a row makes it false (that is how a resumed or repeated run skips finished rows
 * and how the final verification knows the job is done).
 */
export interface BackfillSpec {
  /** Table name, unqualified. */
  readonly table: string
  /** Namespace of the table where the dialect has them (PostgreSQL schema); default: the driver's. */
  readonly schema?: string
  /** SQL assignment list, as after `SET`: `name = upper(email)`. */
  readonly set: string
  /** SQL predicate selecting the rows still to backfill: `name IS NULL`. */
  readonly where: string
  /** Rows per chunk (one short transaction each). */
  readonly batch: number
  /** Key columns walked in order; default: the table's primary key. Must be unique and not null. */
  readonly key?: readonly string[]
  /**
   * SQL predicate selecting the rows whose backfilled value is wrong (`new IS DISTINCT FROM
   * CAST(old AS bigint)`): counted once the walk is done, and any row it selects fails the backfill,
   * so values a faulty `where` or `set` would lose are reported instead of dropped later.
   */
  readonly verify?: string
}

/** Pacing between chunks. Both may be given; the longer wait wins. */
export interface BackfillThrottle {
  /** Pause after every chunk, in ms. */
  readonly sleepMs?: number
  /** Upper bound on the average rate since the run started. */
  readonly maxRowsPerSecond?: number
}

/** A backfill spec that cannot run: bad batch size, empty SQL, unknown table or key. */
export class BackfillSpecError extends MigratorError {
  constructor(message: string) {
    super('backfill-spec', message)
  }
}

/** Throws BackfillSpecError naming the field when `spec` is malformed (before any query). */
export function validateSpec(spec: BackfillSpec, where = 'backfill'): void {
  if (typeof spec.table !== 'string' || spec.table.trim() === '') throw new BackfillSpecError(`${where}: \`table\` is required (the table to backfill)`)
  if (typeof spec.set !== 'string' || spec.set.trim() === '') {
    throw new BackfillSpecError(`${where}: \`set\` is required, an assignment list such as "name = upper(email)"`)
  }
  if (typeof spec.where !== 'string' || spec.where.trim() === '') {
    throw new BackfillSpecError(`${where}: \`where\` is required, a predicate selecting the rows still to backfill such as "name IS NULL"`)
  }
  if (!Number.isSafeInteger(spec.batch) || spec.batch < 1) {
    throw new BackfillSpecError(`${where}: \`batch\` must be a positive integer (rows per chunk); got ${String(spec.batch)}`)
  }
  if (spec.verify !== undefined && (typeof spec.verify !== 'string' || spec.verify.trim() === '')) {
    throw new BackfillSpecError(`${where}: \`verify\` must be a predicate selecting the rows whose backfilled value is wrong, such as "b IS DISTINCT FROM a"`)
  }
  if (spec.key !== undefined && (spec.key.length === 0 || spec.key.some((k) => typeof k !== 'string' || k === ''))) {
    throw new BackfillSpecError(`${where}: \`key\` must list at least one column name`)
  }
}

/**
 * A stable id for the checkpoint row: sha256 over what decides which rows are touched and how
 * (table, schema, set, where, key). `batch` and `verify` are left out: a resumed run may use
 * another chunk size, and checking the result touches no row.
 */
export function specId(spec: BackfillSpec): string {
  const canonical = JSON.stringify([spec.schema ?? null, spec.table, spec.set.trim(), spec.where.trim(), spec.key ?? null])
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32)
}
