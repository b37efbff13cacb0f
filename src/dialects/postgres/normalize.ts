import type { Index, IndexPart, ReferentialAction } from '../../schema/model.js'
import type { SequenceValues } from './identity.js'
import { quoteIdent, quoteLiteral } from './quote.js'

/**
 * The parse step of inspection: turns catalog rows into the model's normal form. Both sides of a
 * diff pass through the server (the target is applied to a scratch database), so most text is
 * already canonical; this file only removes spellings the server keeps apart although they mean
 * the same thing.
 */

/** `CURRENT_TIMESTAMP` and `now()` are the same function; the server deparses them differently. */
export function normalizeDefault(expr: string | null | undefined): string | undefined {
  if (expr === null || expr === undefined) return undefined
  const text = expr.trim()
  if (/^(CURRENT_TIMESTAMP|transaction_timestamp\(\))$/i.test(text)) return 'now()'
  return text
}

const ACTIONS: Readonly<Record<string, ReferentialAction>> = {
  a: 'NO ACTION',
  r: 'RESTRICT',
  c: 'CASCADE',
  n: 'SET NULL',
  d: 'SET DEFAULT',
}

export function referentialAction(code: string): ReferentialAction {
  return ACTIONS[code] ?? 'NO ACTION'
}

/** `CHECK ((a > 0)) NOT VALID` → `(a > 0)`: the expression as pg_get_constraintdef prints it. */
export function checkExpression(definition: string): string {
  const body = definition.replace(/\s+NOT VALID$/, '').replace(/\s+NO INHERIT$/, '')
  const match = /^CHECK \((.*)\)$/s.exec(body)
  return match?.[1] ?? body
}

/** serial/bigserial/smallserial for a column whose default is nextval() of a sequence it owns. */
export function serialKind(type: string): string {
  if (type === 'bigint') return 'bigserial'
  if (type === 'smallint') return 'smallserial'
  return 'serial'
}

export interface IndexRow {
  readonly name: string
  readonly is_unique: boolean
  readonly method: string
  readonly key_count: number
  readonly count: number
  readonly predicate: string | null
  readonly columns: readonly (string | null)[]
  readonly exprs: readonly string[]
  readonly flags: readonly number[]
  readonly opclasses: readonly (string | null)[]
  readonly collations?: readonly (string | null)[]
  readonly reloptions: string | null
  readonly nulls_not_distinct: boolean
  readonly comment?: string | null
}

// pg_index.indoption bits (catalog/pg_index.h).
const INDOPTION_DESC = 1
const INDOPTION_NULLS_FIRST = 2

/** Key parts, DESC/NULLS (only when not the default for the direction), opclass, INCLUDE, WHERE. */
export function parseIndex(row: IndexRow): Index {
  const parts: IndexPart[] = []
  for (let k = 0; k < row.key_count; k++) {
    const column = row.columns[k] ?? null
    const flags = row.flags[k] ?? 0
    const desc = (flags & INDOPTION_DESC) !== 0
    const nullsFirst = (flags & INDOPTION_NULLS_FIRST) !== 0
    const options: Record<string, string> = {}
    if (desc !== nullsFirst) options.nulls = nullsFirst ? 'first' : 'last'
    const opclass = row.opclasses[k]
    if (opclass !== null && opclass !== undefined) options.opclass = opclass
    const collation = row.collations?.[k]
    parts.push({
      ...(column === null ? { expression: row.exprs[k] ?? '' } : { column }),
      ...(collation === null || collation === undefined ? {} : { collation }),
      ...(desc ? { desc: true } : {}),
      ...(Object.keys(options).length > 0 ? { options } : {}),
    })
  }
  const include = row.columns.slice(row.key_count, row.count).filter((c): c is string => c !== null)
  const options: Record<string, string | boolean> = {}
  if (include.length > 0) options.include = include.map(quoteIdent).join(', ')
  if (row.reloptions) options.with = row.reloptions
  if (row.nulls_not_distinct) options.nullsNotDistinct = true
  if (typeof row.comment === 'string') options.comment = row.comment
  return {
    name: row.name,
    parts,
    unique: row.is_unique,
    method: row.method,
    ...(row.predicate === null ? {} : { where: row.predicate }),
    ...(Object.keys(options).length > 0 ? { options } : {}),
  }
}

export interface SequenceRow extends SequenceValues {
  readonly comment?: string | null
  readonly schema: string
  readonly name: string
  readonly type: string
}

/**
 * Every option spelled out, so that the text is canonical and `ALTER SEQUENCE` can take the same
 * clauses (the planner swaps the verb).
 */
export function sequenceDefinition(row: SequenceRow): string {
  return (
    `CREATE SEQUENCE ${quoteIdent(row.schema)}.${quoteIdent(row.name)} AS ${row.type} INCREMENT BY ${row.increment} ` +
    `MINVALUE ${row.min} MAXVALUE ${row.max} START WITH ${row.start} CACHE ${row.cache} ${row.cycle ? 'CYCLE' : 'NO CYCLE'}`
  )
}

export function enumDefinition(schema: string, name: string, labels: readonly string[]): string {
  return `CREATE TYPE ${quoteIdent(schema)}.${quoteIdent(name)} AS ENUM (${labels.map(quoteLiteral).join(', ')})`
}

/** The labels of an enum definition made by enumDefinition. */
export function enumLabels(definition: string): string[] {
  const list = /AS ENUM \((.*)\)$/s.exec(definition)?.[1] ?? ''
  const labels: string[] = []
  const re = /'((?:[^']|'')*)'/g
  for (let m = re.exec(list); m !== null; m = re.exec(list)) labels.push(m[1]!.replace(/''/g, "'"))
  return labels
}
