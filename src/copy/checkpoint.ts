import type { Db } from '../db.js'

/** The table on the target that records how far each table's copy got; dropped when the copy ends. */
export const COPY_CHECKPOINT_TABLE = 'migrator_copy_progress'

/** Where one table's copy stands: the last copied key (or row offset) and the rows copied. */
export interface TablePosition {
  /** Common-text-form key values of the last copied row; `offset` for tables without a primary key. */
  readonly key?: readonly string[]
  readonly offset?: number
  readonly copied: number
  readonly done: boolean
}

/**
 * The checkpoint rows, one per table. Each batch of rows and its checkpoint row commit in one
 * transaction, so after a kill the target holds exactly the rows the checkpoint says. The DDL uses
 * only types every dialect has.
 */
export class CopyCheckpoint {
  private readonly table: string

  constructor(
    private readonly db: Db,
    private readonly quoteIdent: (name: string) => string,
  ) {
    this.table = quoteIdent(COPY_CHECKPOINT_TABLE)
  }

  async create(): Promise<void> {
    const q = this.quoteIdent
    await this.db.exec(
      `CREATE TABLE ${this.table} (${q('table_name')} varchar(255) NOT NULL PRIMARY KEY, ${q('position')} text NULL, ${q('copied')} bigint NOT NULL, ${q('done')} integer NOT NULL)`,
    )
  }

  async read(): Promise<Map<string, TablePosition>> {
    const q = this.quoteIdent
    const rows = await this.db.query<Record<string, unknown>>(`SELECT ${q('table_name')} AS t, ${q('position')} AS p, ${q('copied')} AS c, ${q('done')} AS d FROM ${this.table}`)
    return new Map(
      rows.map((row) => {
        const position = row.p == null ? {} : (JSON.parse(String(row.p)) as { key?: string[]; offset?: number })
        return [String(row.t), { ...position, copied: Number(row.c), done: Number(row.d) === 1 }]
      }),
    )
  }

  /** Records `position` for `name` through `tx`, the transaction that inserted its rows. */
  async save(tx: Db, name: string, position: TablePosition): Promise<void> {
    const q = this.quoteIdent
    const stored = JSON.stringify({ ...(position.key === undefined ? {} : { key: position.key }), ...(position.offset === undefined ? {} : { offset: position.offset }) })
    await tx.exec(`DELETE FROM ${this.table} WHERE ${q('table_name')} = ?`, [name])
    await tx.exec(`INSERT INTO ${this.table} (${q('table_name')}, ${q('position')}, ${q('copied')}, ${q('done')}) VALUES (?, ?, ?, ?)`, [name, stored, position.copied, position.done ? 1 : 0])
  }

  async drop(): Promise<void> {
    await this.db.exec(`DROP TABLE ${this.table}`)
  }
}
