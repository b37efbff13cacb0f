import type { SchemaObject } from '../../schema/model.js'
import { str } from './normalize.js'
import { quoteIdent as q, quoteString } from './quote.js'

type Row = Record<string, unknown>

/**
 * One query reading the settings of every MariaDB sequence (each is a one-row table holding
 * them), or undefined when there is none. The next value is left out: it is data, not structure.
 */
export function sequenceQuery(database: string, names: readonly string[]): string | undefined {
  if (names.length === 0) return undefined
  return names
    .map(
      (name) =>
        `SELECT ${quoteString(name)} AS name, minimum_value AS minimum, maximum_value AS maximum, start_value AS startValue, ` +
        `increment, cache_size AS cacheSize, cycle_option AS cycle FROM ${q(database)}.${q(name)}`,
    )
    .join(' UNION ALL ')
}

/** Sequences as objects of kind 'sequence', defined by a CREATE SEQUENCE in normal form. */
export function parseSequences(rows: readonly Row[]): SchemaObject[] {
  return rows.map((row) => ({ kind: 'sequence', name: str(row.name), definition: `CREATE SEQUENCE ${q(str(row.name))} ${settings(row)}` }))
}

function settings(row: Row): string {
  const cache = str(row.cacheSize)
  return (
    `START WITH ${str(row.startValue)} MINVALUE ${str(row.minimum)} MAXVALUE ${str(row.maximum)} INCREMENT BY ${str(row.increment)} ` +
    `${cache === '0' ? 'NOCACHE' : `CACHE ${cache}`} ${Number(row.cycle) === 1 ? 'CYCLE' : 'NOCYCLE'}`
  )
}

/** The ALTER SEQUENCE giving an existing sequence `to`'s settings (its current value stays). */
export function alterSequence(to: SchemaObject): string {
  return to.definition.replace(/^CREATE SEQUENCE /, 'ALTER SEQUENCE ')
}
