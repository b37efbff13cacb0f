import type { Db } from '../db.js'

/** Default name of the table holding one checkpoint row per backfill spec. */
export const CHECKPOINT_TABLE = 'migrator_backfill'

/** Where a backfill stands: the last key it finished, how many rows it has done, which pass. */
export interface Checkpoint {
  readonly id: string
  /** Key values of the last row of the last committed chunk; undefined at the start of a pass. */
  readonly lastKey?: readonly unknown[]
  readonly rowsDone: number
  /** 1 for the first walk over the table; later passes pick up rows written behind the cursor. */
  readonly pass: number
  /** The previous run finished and verified; a new run starts over. */
  readonly done: boolean
}

/**
 * The checkpoint store. Its DDL uses only types every dialect has (varchar, text, bigint, integer),
 * so it needs no dialect code; identifiers go through the driver's quoteIdent.
 */
export class CheckpointStore {
  private readonly table: string

  constructor(
    private readonly db: Db,
    private readonly quoteIdent: (name: string) => string,
    table: string = CHECKPOINT_TABLE,
  ) {
    this.table = quoteIdent(table)
  }

  async ensure(): Promise<void> {
    const q = this.quoteIdent
    await this.db.exec(
      `CREATE TABLE IF NOT EXISTS ${this.table} (\n` +
        `  ${q('id')} varchar(64) NOT NULL PRIMARY KEY,\n` +
        `  ${q('table_name')} varchar(255) NOT NULL,\n` +
        `  ${q('last_key')} text NULL,\n` +
        `  ${q('rows_done')} bigint NOT NULL,\n` +
        `  ${q('pass')} integer NOT NULL,\n` +
        `  ${q('done')} integer NOT NULL,\n` +
        `  ${q('updated_at')} varchar(40) NOT NULL\n` +
        ')',
    )
  }

  /** The stored checkpoint of `id`, or undefined. */
  async read(id: string, db: Db = this.db): Promise<Checkpoint | undefined> {
    const q = this.quoteIdent
    const rows = await db.query<Record<string, unknown>>(
      `SELECT ${q('last_key')} AS last_key, ${q('rows_done')} AS rows_done, ${q('pass')} AS pass, ${q('done')} AS done FROM ${this.table} WHERE ${q('id')} = ?`,
      [id],
    )
    const row = rows[0]
    if (row === undefined) return undefined
    const lastKey = row.last_key == null ? undefined : (JSON.parse(String(row.last_key)) as unknown[])
    return { id, ...(lastKey === undefined ? {} : { lastKey }), rowsDone: Number(row.rows_done), pass: Number(row.pass), done: Number(row.done) === 1 }
  }

  /** Inserts the row of a fresh run, or resets a finished one. */
  async start(id: string, tableName: string): Promise<void> {
    const q = this.quoteIdent
    await this.db.transaction(async (tx) => {
      const existing = await this.read(id, tx)
      if (existing === undefined) {
        await tx.exec(
          `INSERT INTO ${this.table} (${q('id')}, ${q('table_name')}, ${q('last_key')}, ${q('rows_done')}, ${q('pass')}, ${q('done')}, ${q('updated_at')}) VALUES (?, ?, NULL, 0, 1, 0, ?)`,
          [id, tableName, now()],
        )
      } else {
        await this.write(tx, { id, rowsDone: 0, pass: 1, done: false })
      }
    })
  }

  /** Writes `checkpoint` through `tx`: callers pass the chunk's own transaction, so both commit or neither. */
  async write(tx: Db, checkpoint: Checkpoint): Promise<void> {
    const q = this.quoteIdent
    await tx.exec(
      `UPDATE ${this.table} SET ${q('last_key')} = ?, ${q('rows_done')} = ?, ${q('pass')} = ?, ${q('done')} = ?, ${q('updated_at')} = ? WHERE ${q('id')} = ?`,
      [
        checkpoint.lastKey === undefined ? null : JSON.stringify(checkpoint.lastKey),
        checkpoint.rowsDone,
        checkpoint.pass,
        checkpoint.done ? 1 : 0,
        now(),
        checkpoint.id,
      ],
    )
  }
}

// Stored as text: a portable column type, and readable in any client.
function now(): string {
  return new Date().toISOString().replace('T', ' ').replace('Z', '')
}
