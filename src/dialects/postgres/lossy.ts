import type { PlanOptions } from '../dialect.js'
import { columnNameBefore, tableNameBefore } from '../loss-source.js'
import { assertNever, type Change, type TableChange } from '../../schema/changes.js'
import type { ValueLoss } from '../../schema/plan.js'
import { toFloat, toInteger, toNumeric } from './lossy-numbers.js'
import { textToOther, toStringType } from './lossy-text.js'
import { label } from './plan-context.js'
import { qualify, quoteIdent } from './quote.js'
import { parseType, type Loss, type PgType } from './type-family.js'

type AlterTable = Extract<Change, { kind: 'alterTable' }>
type AlterColumn = Extract<TableChange, { kind: 'alterColumn' }>

/** The stored values a column type change would not keep (see Driver.valueLosses). */
export function columnValueLosses(change: Change, options: PlanOptions = {}): ValueLoss[] {
  if (change.kind !== 'alterTable') return []
  return change.changes.flatMap((c) => (c.kind === 'alterColumn' ? alterColumnLosses(change, c, options) : []))
}

/**
 * The values of one retyped column that `ALTER COLUMN … TYPE` would not keep exactly, named as
 * table and column are before the migration (its guards run before its first statement).
 */
export function alterColumnLosses(change: AlterTable, c: AlterColumn, options: PlanOptions = {}): ValueLoss[] {
  if (!c.aspects.includes('type')) return []
  const table = { schema: change.to.schema, name: tableNameBefore(change, options.current, (a, b) => a === b) }
  const column = columnNameBefore(change, c)
  return typeLosses(c.from.type, c.to.type, quoteIdent(column)).map((loss) => ({ table: label(table), column, from: qualify(table), ...loss }))
}

function typeLosses(fromType: string, toType: string, col: string): Loss[] {
  if (fromType === toType) return []
  const from = parseType(fromType)
  const to = parseType(toType)
  switch (to.family) {
    case 'string':
      return toStringType(from, to, col)
    case 'integer':
      return toInteger(from, to, col)
    case 'numeric':
      return toNumeric(from, to, col)
    case 'float':
      return toFloat(from, to, col)
    case 'timestamp':
    case 'time':
      return toDatetime(from, to, col, toType)
    case 'date':
      if (from.family === 'timestamp') return [{ where: `${col} <> ${col}::date`, reason: 'has a time of day (it would be dropped)' }]
      return from.family === 'string' ? textToOther(to, col) : []
    case 'boolean':
    case 'uuid':
      return from.family === 'string' ? textToOther(to, col) : []
    case 'other':
      return []
    default:
      return assertNever(to)
  }
}

/** Fewer fractional-second digits round; a time keeps nothing of a timestamp's date. */
function toDatetime(from: PgType, to: Extract<PgType, { family: 'timestamp' | 'time' }>, col: string, toType: string): Loss[] {
  if (to.family === 'time' && from.family === 'timestamp') return [{ where: `${col} IS NOT NULL`, reason: 'has a date (it would be dropped)' }]
  if (from.family !== 'timestamp' && from.family !== 'time') return []
  // Zones are compared in the session time zone, which the statement also converts in; time and
  // timetz do not compare with each other, so a zone change of a time is left to the server.
  if (from.family !== to.family || (to.family === 'time' && from.zone !== to.zone) || from.precision <= to.precision) return []
  const digits = to.precision === 0 ? 'fractional seconds' : `more than ${to.precision} fractional-second digit${to.precision === 1 ? '' : 's'}`
  return [{ where: `${col} <> ${col}::${toType}`, reason: `has ${digits} (it would be rounded)` }]
}
