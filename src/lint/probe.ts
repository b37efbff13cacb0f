import type { Driver } from '../dialects/dialect.js'
import type { Schema, Table } from '../schema/model.js'
import type { RowLoss, ValueLoss } from '../schema/plan.js'
import { qualifiedName } from '../schema/model.js'

/**
 * Questions the data-dependent analyzers ask the live database. Every answer is undefined when the
 * table or column does not exist there (yet): a pending migration after the first may touch tables
 * that only earlier pending migrations create.
 */
export interface DataProbe {
  rows(table: string): Promise<number | undefined>
  nulls(table: string, column: string): Promise<number | undefined>
  /** Rows beyond the first of each group of equal non-NULL values of `columns`. */
  duplicates(table: string, columns: readonly string[]): Promise<number | undefined>
  /** Rows whose non-NULL `columns` match no row of `refTable` (`refColumns`): a new foreign key fails on them. */
  orphans(table: string, columns: readonly string[], refTable: string, refColumns: readonly string[]): Promise<number | undefined>
  /** Rows for which the boolean SQL `expression` is false: a new CHECK fails on them. */
  violations(table: string, expression: string): Promise<number | undefined>
  /** Exact row count of a table a change would drop. */
  lostRows(table: string): Promise<LossCount>
  /** Non-NULL values of a column a change would drop. */
  lostValues(table: string, column: string): Promise<LossCount>
  /** Non-NULL values of `column` that `keptIn` (a copy of it) lacks. */
  uncopied(table: string, column: string, keptIn: string): Promise<LossCount>
  /** Rows matching a ValueLoss (values a conversion would not keep). */
  lostByConversion(loss: ValueLoss): Promise<LossCount>
  /** Rows a RowLoss names (the rows of a dropped partition). */
  lostRowsOf(loss: RowLoss): Promise<LossCount>
}

/**
 * What a change would destroy on the live database: a count; undefined when the table or column
 * does not exist there (nothing to lose); 'unknown' when it exists but could not be counted (a lock
 * held by another session), which consent treats as a loss.
 */
export type LossCount = number | 'unknown' | undefined

/**
 * A probe over the live database through neutral SQL: identifiers through `driver.quoteIdent`,
 * values as parameters, answers cached per question. `live` is the schema inspected there.
 */
export function liveProbe(driver: Driver, live: Schema, lockTimeoutMs = 5000): DataProbe {
  const tables = new Map(live.tables.map((t) => [qualifiedName(t), t]))
  const cache = new Map<string, Promise<LossCount>>()
  const name = (t: Table) => (t.schema === undefined ? driver.quoteIdent(t.name) : `${driver.quoteIdent(t.schema)}.${driver.quoteIdent(t.name)}`)
  const tally = (key: string, table: string, columns: readonly string[], sql: (t: string, cols: string[]) => string): Promise<LossCount> => {
    const cached = cache.get(key)
    if (cached !== undefined) return cached
    const t = tables.get(table)
    const result: Promise<LossCount> =
      t === undefined || !columns.every((c) => t.columns.some((col) => col.name === c))
        ? Promise.resolve(undefined)
        : driver.db
            // Bounded by the lock timeout: a table locked by another session makes the count
            // unknown instead of hanging lint (or the `up` it runs before).
            .transaction(async (tx) => {
              await driver.applyLockTimeout(tx, lockTimeoutMs)
              return tx.query<Record<string, unknown>>(sql(name(t), columns.map((c) => driver.quoteIdent(c))))
            })
            .then((rows) => Number(Object.values(rows[0] ?? {})[0] ?? 0))
            .catch((): LossCount => 'unknown')
    cache.set(key, result)
    return result
  }
  // The might-fail analyzers only warn when a count is unknown.
  const count = (...args: Parameters<typeof tally>): Promise<number | undefined> => tally(...args).then((n) => (n === 'unknown' ? undefined : n))
  return {
    rows: (table) => {
      // Statistics when the dialect has them (cheap on big tables), else an exact count.
      const estimate = driver.estimateRows
      if (estimate === undefined || !tables.has(table)) return count(`rows ${table}`, table, [], (t) => `SELECT count(*) AS n FROM ${t}`)
      const key = `rows ${table}`
      const cached = cache.get(key) ?? estimate.call(driver, [table]).then((m) => m.get(table))
      cache.set(key, cached)
      return cached.then((n) => (n === 'unknown' ? undefined : n))
    },
    nulls: (table, column) => count(`nulls ${table} ${column}`, table, [column], (t, [c]) => `SELECT count(*) AS n FROM ${t} WHERE ${c} IS NULL`),
    duplicates: (table, columns) =>
      count(`dup ${table} ${columns.join(',')}`, table, columns, (t, cols) => {
        const list = cols.join(', ')
        const notNull = cols.map((c) => `${c} IS NOT NULL`).join(' AND ')
        return `SELECT coalesce(sum(n - 1), 0) AS n FROM (SELECT count(*) AS n FROM ${t} WHERE ${notNull} GROUP BY ${list} HAVING count(*) > 1) d`
      }),
    orphans: (table, columns, refTable, refColumns) => {
      const ref = tables.get(refTable)
      if (ref === undefined || !refColumns.every((c) => ref.columns.some((col) => col.name === c))) return Promise.resolve(undefined)
      return count(`orphans ${table} ${columns.join(',')} ${refTable}`, table, columns, (t, cols) => {
        const matches = cols.map((c, i) => `p.${driver.quoteIdent(refColumns[i] ?? '')} = c.${c}`).join(' AND ')
        return `SELECT count(*) AS n FROM ${t} c WHERE ${cols.map((c) => `c.${c} IS NOT NULL`).join(' AND ')} AND NOT EXISTS (SELECT 1 FROM ${name(ref)} p WHERE ${matches})`
      })
    },
    violations: (table, expression) => count(`check ${table} ${expression}`, table, [], (t) => `SELECT count(*) AS n FROM ${t} WHERE NOT (${expression})`),
    // Exact counts: a statistics estimate can say 0 for a table that holds rows, and consent hangs on it.
    lostRows: (table) => tally(`exact ${table}`, table, [], (t) => `SELECT count(*) AS n FROM ${t}`),
    lostValues: (table, column) => tally(`values ${table} ${column}`, table, [column], (t, [c]) => `SELECT count(*) AS n FROM ${t} WHERE ${c} IS NOT NULL`),
    uncopied: (table, column, keptIn) =>
      tally(`uncopied ${table} ${column} ${keptIn}`, table, [column, keptIn], (t, [c, k]) => `SELECT count(*) AS n FROM ${t} WHERE ${c} IS NOT NULL AND ${k} IS NULL`),
    lostRowsOf: (loss) => tally(`rows of ${loss.from}`, loss.table, [], () => `SELECT count(*) AS n FROM ${loss.from}`),
    lostByConversion: (loss) => tally(`loss ${loss.from} ${loss.where}`, loss.table, [loss.column], () => `SELECT count(*) AS n FROM ${loss.from} WHERE ${loss.where}`),
  }
}
