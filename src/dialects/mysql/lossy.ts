import type { PlanOptions } from '../dialect.js'
import { columnNameBefore, tableNameBefore } from '../loss-source.js'
import { assertNever, type Change, type TableChange } from '../../schema/changes.js'
import type { ValueLoss } from '../../schema/plan.js'
import { toDecimal, toFloat, toInteger } from './lossy-numbers.js'
import { quoteIdent } from './quote.js'
import { parseType, type Loss, type MysqlType } from './type-family.js'

type AlterTable = Extract<Change, { kind: 'alterTable' }>
type AlterColumn = Extract<TableChange, { kind: 'alterColumn' }>

/**
 * The stored values a column change would not keep (see Driver.valueLosses): a type change's
 * (also the guards of its statement), and a regular column becoming generated, whose values the
 * expression replaces (lint counts them and asks consent; no guard, replacing them is the point).
 */
export function columnValueLosses(change: Change, options: PlanOptions = {}): ValueLoss[] {
  if (change.kind !== 'alterTable') return []
  return change.changes.flatMap((c) => (c.kind === 'alterColumn' ? [...alterColumnLosses(change, c, options), ...generatedLosses(change, c, options)] : []))
}

function generatedLosses(change: AlterTable, c: AlterColumn, options: PlanOptions): ValueLoss[] {
  if (c.from.generated !== undefined || c.to.generated === undefined) return []
  const table = tableNameBefore(change, options.current, (a, b) => a === b)
  const column = columnNameBefore(change, c)
  // The expression names columns as the target does; a column renamed in the same change is
  // read under its new name, so only count where the names agree.
  if (column !== c.to.name) return []
  const where = `NOT (${quoteIdent(column)} <=> (${c.to.generated.expression}))`
  return [{ table, column, from: quoteIdent(table), where, reason: 'hold values the generation expression replaces' }]
}

/**
 * The values of one retyped column that `MODIFY`/`CHANGE COLUMN` would not keep exactly, named as
 * table and column are before the migration (its guards run before its first statement). Strict
 * mode already fails the statement on most of them; these also cover what it only warns about
 * (DECIMAL rounding, fractional seconds, float → integer) and let lint count them beforehand.
 */
export function alterColumnLosses(change: AlterTable, c: AlterColumn, options: PlanOptions = {}): ValueLoss[] {
  if (!c.aspects.includes('type')) return []
  const table = tableNameBefore(change, options.current, (a, b) => a === b)
  const column = columnNameBefore(change, c)
  return typeLosses(c.from.type, c.to.type, quoteIdent(column)).map((loss) => ({ table, column, from: quoteIdent(table), ...loss }))
}

function typeLosses(fromType: string, toType: string, col: string): Loss[] {
  if (fromType === toType) return []
  const from = parseType(fromType)
  const to = parseType(toType)
  switch (to.family) {
    case 'string':
      return toString(from, to, col)
    case 'integer':
      return toInteger(from, to, col)
    case 'decimal':
      return toDecimal(from, to, col)
    case 'float':
      return toFloat(from, to, col)
    case 'datetime':
    case 'time':
      if (to.family === 'time' && from.family === 'datetime') return [{ where: `${col} IS NOT NULL`, reason: 'has a date (it would be dropped)' }]
      if (from.family !== to.family || from.precision <= to.precision) return []
      return [
        {
          where: `MICROSECOND(${col}) % ${10 ** (6 - to.precision)} <> 0`,
          reason: `has ${to.precision === 0 ? 'fractional seconds' : `more than ${to.precision} fractional-second digits`} (they would be rounded or cut)`,
        },
      ]
    case 'date':
      return from.family === 'datetime' ? [{ where: `TIME(${col}) <> '00:00:00'`, reason: 'has a time of day (it would be dropped)' }] : []
    case 'enum':
    case 'set':
      return from.family === to.family ? removedMembers(from.members, to, col, fromType) : []
    case 'other':
      return []
    default:
      return assertNever(to)
  }
}

/**
 * Values longer than a char/varchar (characters) or text/binary column (bytes) holds. Strict mode
 * fails on most; excess trailing spaces it cuts with a note only, so they count too.
 */
function toString(from: MysqlType, to: Extract<MysqlType, { family: 'string' }>, col: string): Loss[] {
  if (to.chars !== undefined) {
    if (from.family === 'string' && from.chars !== undefined && from.chars <= to.chars) return []
    return [{ where: `CHAR_LENGTH(${col}) > ${to.chars}`, reason: `longer than ${to.chars} character${to.chars === 1 ? '' : 's'}` }]
  }
  if (to.bytes === undefined) return []
  // A character takes at most 4 bytes (utf8mb4).
  const most = from.family === 'string' ? (from.bytes ?? (from.chars === undefined ? undefined : from.chars * 4)) : undefined
  if (most !== undefined && most <= to.bytes) return []
  return [{ where: `LENGTH(${col}) > ${to.bytes}`, reason: `longer than ${to.bytes} bytes` }]
}

/**
 * ENUM/SET members the new type lacks (compared as written, so a change of case counts): rows
 * holding one. Matched by the member's number, which does not depend on collations.
 */
function removedMembers(before: readonly string[], to: Extract<MysqlType, { family: 'enum' | 'set' }>, col: string, fromType: string): Loss[] {
  return before.flatMap((member, i) => {
    if (to.members.includes(member)) return []
    // An ENUM in numeric context is its member number (1-based); a SET, the bitmap of its members.
    const where = to.family === 'enum' ? `${col} + 0 = ${i + 1}` : `(${col} + 0) & ${1n << BigInt(i)} <> 0`
    return [{ where, reason: `member ${member} removed from ${fromType}` }]
  })
}
