import type { Db } from '../db.js'
import type { Driver } from '../dialects/dialect.js'

/** One row of the history table (SPEC "History table"). */
export interface HistoryRow {
  readonly version: string
  /** The migration's slug. */
  readonly name: string
  /** sha256 of the up file (CRLF → LF); empty for rows written by `baseline` without a file. */
  readonly checksum: string
  readonly downChecksum?: string
  /** `failed`: a partial migration that could not be undone (non-transactional DDL); see `repair`. */
  readonly status: 'applied' | 'failed'
  /**
   * The row of a migration a run is applying statement by statement (stored with status
   * `running`; `status` is then 'failed', so everything but the runner treats it as a failed row):
   * statements 1..statementsApplied are in the database, and statement statementsApplied+1 may
   * have been running. Left behind by a run that was killed, the next `up` resumes it
   * (src/runner/interrupted.ts).
   */
  readonly interrupted?: boolean
  /**
   * The row of an applied migration whose down a run is reverting statement by statement (stored
   * `reverting`; `status` is then 'failed'): statementsApplied counts the statements of its DOWN
   * in the database, and the next one may have been running. Left behind by a killed `down`, the
   * next `down` finishes it (src/runner/down.ts); `up` refuses until then.
   */
  readonly reverting?: boolean
  /**
   * Recorded by `baseline` or `init --from-live` (stored with status `baseline`; `status` is then
   * 'applied'): the database already had what the migration makes, nothing of it was run, and
   * `down` does not revert it. With an empty checksum it marks a baseline version without a file.
   */
  readonly baseline?: boolean
  /** ISO 8601 timestamp. */
  readonly appliedAt: string
  readonly executionMs: number
  readonly appliedBy: string
  readonly statementsApplied: number
  readonly toolVersion: string
}

const COLUMNS = [
  'version',
  'name',
  'checksum',
  'down_checksum',
  'status',
  'applied_at',
  'execution_ms',
  'applied_by',
  'statements_applied',
  'tool_version',
] as const

// Messages the three supported servers give for a table that does not exist. Matching words, not a
// dialect name, lets `list()` answer "nothing applied yet" without creating the table (dry runs).
const MISSING_TABLE = /no such table|does not exist|doesn't exist|undefined table|unknown table/i

/**
 * The history table, through the driver: DDL from `driver.historyTableDdl`, every identifier through
 * `driver.quoteIdent`, values as `?` parameters. `write`/`remove` take the Db to use, which is the
 * migration's own transaction whenever there is one, so the row commits or rolls back with it.
 */
export class HistoryStore {
  constructor(
    private readonly driver: Driver,
    readonly tableName: string,
  ) {}

  /** Creates the table when missing (`IF NOT EXISTS`). */
  async ensure(): Promise<void> {
    await this.driver.db.exec(this.driver.historyTableDdl(this.tableName))
  }

  /** Whether the table exists. */
  async exists(): Promise<boolean> {
    try {
      await this.driver.db.query(`SELECT ${this.q('version')} FROM ${this.table()} WHERE 1 = 0`)
      return true
    } catch (error) {
      if (error instanceof Error && MISSING_TABLE.test(error.message)) return false
      throw error
    }
  }

  /** Drops the table: only a run that created it and recorded nothing in it does this. */
  async drop(): Promise<void> {
    await this.driver.db.exec(`DROP TABLE ${this.table()}`)
  }

  /** All rows sorted by version; [] when the table does not exist yet (it is not created here). */
  async list(db: Db = this.driver.db): Promise<HistoryRow[]> {
    let rows: Record<string, unknown>[]
    try {
      rows = await db.query(`SELECT ${this.columns()} FROM ${this.table()} ORDER BY ${this.q('version')}`)
    } catch (error) {
      if (error instanceof Error && MISSING_TABLE.test(error.message)) return []
      throw error
    }
    return rows.map(toRow).sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0))
  }

  /** The row for `version`, read through `db` (inside a migration's transaction: sees concurrent commits). */
  async find(db: Db, version: string): Promise<HistoryRow | undefined> {
    const rows = await db.query(`SELECT ${this.columns()} FROM ${this.table()} WHERE ${this.q('version')} = ?`, [version])
    return rows[0] === undefined ? undefined : toRow(rows[0])
  }

  /**
   * Inserts `row` unless its version has a row already, which is returned instead. One transaction:
   * of two runners claiming one version, one inserts and the other sees that row.
   */
  async claim(db: Db, row: HistoryRow): Promise<HistoryRow | undefined> {
    return db.transaction(async (tx) => {
      const found = await this.find(tx, row.version)
      if (found === undefined) await this.insert(tx, row)
      return found
    })
  }

  /** Inserts or replaces the row for `row.version`. */
  async write(db: Db, row: HistoryRow): Promise<void> {
    // Delete + insert is portable upsert; the nested transaction keeps the pair atomic when `db` is
    // not already a transaction (non-transactional DDL records progress between statements).
    await db.transaction(async (tx) => {
      await tx.exec(`DELETE FROM ${this.table()} WHERE ${this.q('version')} = ?`, [row.version])
      await this.insert(tx, row)
    })
  }

  /**
   * Overwrites the row for `row.version`, which must exist (a run's own claimed or resumed row):
   * one statement instead of write's delete + insert in a transaction, which matters where every
   * applied statement records its progress.
   */
  async update(db: Db, row: HistoryRow): Promise<void> {
    const [version, ...values] = this.values(row)
    await db.exec(`UPDATE ${this.table()} SET ${COLUMNS.slice(1).map((c) => `${this.q(c)} = ?`).join(', ')} WHERE ${this.q('version')} = ?`, [...values, version])
  }

  /**
   * Rewrites the row of a migration this runner holds (claimed, resuming or reverting it). Under an
   * exclusive runner lock no one else writes it, so one UPDATE does (per statement on MySQL, where
   * it counts the progress); otherwise write's delete + insert, which also restores a row removed
   * meanwhile.
   */
  rewrite(db: Db, row: HistoryRow): Promise<void> {
    return this.driver.capabilities.exclusiveRunnerLock ? this.update(db, row) : this.write(db, row)
  }

  /** Inserts the row for a version that has none. */
  async insert(db: Db, row: HistoryRow): Promise<void> {
    await db.exec(`INSERT INTO ${this.table()} (${this.columns()}) VALUES (${COLUMNS.map(() => '?').join(', ')})`, this.values(row))
  }

  async remove(db: Db, version: string): Promise<void> {
    await db.exec(`DELETE FROM ${this.table()} WHERE ${this.q('version')} = ?`, [version])
  }

  /** The row's values in COLUMNS order. */
  private values(row: HistoryRow): unknown[] {
    return [
      row.version,
      row.name,
      row.checksum,
      row.downChecksum ?? null,
      storedStatus(row),
      row.appliedAt,
      Math.round(row.executionMs),
      row.appliedBy,
      row.statementsApplied,
      row.toolVersion,
    ]
  }

  private table(): string {
    return this.q(this.tableName)
  }

  private columns(): string {
    return COLUMNS.map((c) => this.q(c)).join(', ')
  }

  private q(name: string): string {
    return this.driver.quoteIdent(name)
  }
}

/** The stored status of an interrupted row (HistoryRow.interrupted). */
const RUNNING = 'running'
/** The stored status of a row whose down was interrupted (HistoryRow.reverting). */
const REVERTING = 'reverting'
/** The stored status of a row recorded without running anything (HistoryRow.baseline). */
const BASELINE = 'baseline'

function storedStatus(row: HistoryRow): string {
  if (row.status === 'failed') return row.interrupted === true ? RUNNING : row.reverting === true ? REVERTING : 'failed'
  return row.baseline === true ? BASELINE : 'applied'
}

/**
 * Driver values → HistoryRow: numbers may arrive as strings (bigint) and timestamps as Date. Only
 * `applied` and `baseline` read as applied: any other stored status (`failed`, `running`, `reverting`, one a later version
 * may write) is not a migration anyone may build on.
 */
function toRow(raw: Record<string, unknown>): HistoryRow {
  const text = (value: unknown): string => (value === null || value === undefined ? '' : value instanceof Date ? value.toISOString() : String(value))
  const downChecksum = text(raw['down_checksum'])
  const status = text(raw['status'])
  return {
    version: text(raw['version']),
    name: text(raw['name']),
    // A fixed-width column pads the empty checksum of a baseline marker row.
    checksum: text(raw['checksum']).trim(),
    downChecksum: downChecksum === '' ? undefined : downChecksum,
    status: status === 'applied' || status === BASELINE ? 'applied' : 'failed',
    ...(status === RUNNING ? { interrupted: true } : {}),
    ...(status === REVERTING ? { reverting: true } : {}),
    ...(status === BASELINE ? { baseline: true } : {}),
    appliedAt: text(raw['applied_at']),
    executionMs: Number(raw['execution_ms'] ?? 0),
    appliedBy: text(raw['applied_by']),
    statementsApplied: Number(raw['statements_applied'] ?? 0),
    toolVersion: text(raw['tool_version']),
  }
}
