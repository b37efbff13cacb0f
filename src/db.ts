import type { Knex } from 'knex'

/**
 * What dialect code, the runner and the history store may do with a connection. Bindings are `?`.
 * `exec` runs exactly one statement (callers split scripts with `Driver.splitStatements`).
 */
export interface Db {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>
  exec(sql: string, params?: readonly unknown[]): Promise<void>
  /** Runs `fn` in a transaction; a throw rolls back. Nested calls run inside the outer transaction. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>
  /** The underlying knex (or knex transaction), for `.ts` migrations only. */
  readonly knex?: Knex
}

/** One SQL text recorded by a dry run, with transaction boundaries as their own entries. */
export interface RecordedStatement {
  readonly sql: string
}

/**
 * A Db that reads through `inner` and records every write instead of executing it.
 * `--dry-run` uses it so that reads (history, inspection) happen and writes never do.
 */
export class RecordingDb implements Db {
  readonly recorded: RecordedStatement[] = []

  constructor(
    private readonly inner: Db,
    private readonly txBoundaries: { begin: string; commit: string } = { begin: 'BEGIN;', commit: 'COMMIT;' },
  ) {}

  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]> {
    return this.inner.query<Row>(sql, params)
  }

  async exec(sql: string): Promise<void> {
    this.recorded.push({ sql })
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    this.recorded.push({ sql: this.txBoundaries.begin })
    const result = await fn(this)
    this.recorded.push({ sql: this.txBoundaries.commit })
    return result
  }
}

/**
 * A Db over a driver's own query function, without knex: for connections that run only migrator's
 * own SQL (OpenOptions.queriesOnly), which then start without loading knex. `run` gets `?`
 * bindings as callers wrote them. No `knex`: no `.ts` migration runs on such a connection.
 */
export class ClientDb implements Db {
  private inTransaction = false

  constructor(private readonly run: (sql: string, params: readonly unknown[]) => Promise<Record<string, unknown>[]>) {}

  async query<Row = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return (await this.run(sql, params)) as Row[]
  }

  async exec(sql: string, params: readonly unknown[] = []): Promise<void> {
    await this.run(sql, params)
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this)
    this.inTransaction = true
    try {
      await this.run('BEGIN', [])
      const result = await fn(this)
      await this.run('COMMIT', [])
      return result
    } catch (error) {
      await this.run('ROLLBACK', []).catch(() => undefined)
      throw error
    } finally {
      this.inTransaction = false
    }
  }
}

/** Extracts result rows from a `knex.raw` result, whose shape differs per driver. */
export type RawRows = (result: unknown) => Record<string, unknown>[]

/** A Db over a knex instance or transaction (PostgreSQL and MySQL). */
export class KnexDb implements Db {
  constructor(
    readonly knex: Knex,
    private readonly rows: RawRows,
  ) {}

  async query<Row = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    const result = params.length > 0 ? await this.knex.raw(sql, params as readonly Knex.RawBinding[]) : await this.knex.raw(sql)
    return this.rows(result) as Row[]
  }

  async exec(sql: string, params: readonly unknown[] = []): Promise<void> {
    if (params.length > 0) await this.knex.raw(sql, params as readonly Knex.RawBinding[])
    else await this.knex.raw(sql)
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (this.knex.isTransaction) return fn(this)
    return this.knex.transaction((trx) => fn(new KnexDb(trx, this.rows)))
  }
}
