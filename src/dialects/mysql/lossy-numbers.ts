import { powerOfTen } from '../loss-source.js'
import type { Loss, MysqlType } from './type-family.js'

type IntegerType = Extract<MysqlType, { family: 'integer' }>
type DecimalType = Extract<MysqlType, { family: 'decimal' }>
type FloatType = Extract<MysqlType, { family: 'float' }>

function outsideRange(to: IntegerType): string {
  return `outside the ${to.name} range (${to.low} to ${to.high})`
}

/** Values an integer column of type `to` would not hold exactly (conversions round DECIMAL and floats). */
export function toInteger(from: MysqlType, to: IntegerType, col: string): Loss[] {
  switch (from.family) {
    case 'integer':
      if (from.low >= to.low && from.high <= to.high) return []
      return [{ where: `(${col} < ${to.low} OR ${col} > ${to.high})`, reason: outsideRange(to) }]
    case 'decimal': {
      const out: Loss[] = []
      if (from.scale > 0) out.push({ where: `${col} <> TRUNCATE(${col}, 0)`, reason: 'has a fractional part (it would be rounded)' })
      // Rounded, a DECIMAL(p,s) value is at most 10^(p-s) in magnitude. ROUND on DECIMAL rounds
      // half away from zero, as the conversion does.
      const most = BigInt(powerOfTen(from.precision - from.scale))
      if (-most < to.low || most > to.high) out.push({ where: `(ROUND(${col}) < ${to.low} OR ROUND(${col}) > ${to.high})`, reason: outsideRange(to) })
      return out
    }
    case 'float':
      // Compared as doubles: the bounds low and high + 1 are powers of two (or 0), so exact.
      return [
        { where: `${col} <> TRUNCATE(${col}, 0)`, reason: 'has a fractional part (it would be rounded)' },
        { where: `(${col} < ${to.low} OR ${col} >= ${to.high + 1n})`, reason: outsideRange(to) },
      ]
    case 'string':
      return [
        { where: `${col} NOT REGEXP '${INTEGER}'`, reason: `not a valid ${to.name}` },
        { where: `CASE WHEN ${col} REGEXP '${INTEGER}' THEN CAST(${col} AS DECIMAL(65,0)) NOT BETWEEN ${to.low} AND ${to.high} ELSE 0 END`, reason: outsideRange(to) },
        // An integer reads back in one spelling only: blanks, a plus sign or leading zeros are text it drops.
        { where: `${col} REGEXP '${INTEGER}' AND ${col} NOT REGEXP '^(0|-?[1-9][0-9]*)$'`, reason: `written otherwise than the ${to.name} reads back ('007', '+7', ' 7')` },
      ]
    default:
      return []
  }
}

const INTEGER = '^[[:space:]]*[+-]?[0-9]+[[:space:]]*$'

/** Values a DECIMAL(p,s) column would not hold exactly: rounding to the scale, too many digits. */
export function toDecimal(from: MysqlType, to: DecimalType, col: string): Loss[] {
  const { precision, scale } = to
  const limit = powerOfTen(precision - scale)
  const out: Loss[] = []
  const rounds = from.family === 'float' || (from.family === 'decimal' && from.scale > scale)
  if (rounds) out.push({ where: `${col} <> ROUND(${col}, ${scale})`, reason: `more than ${scale} decimal place${scale === 1 ? '' : 's'}` })
  const fits =
    from.family === 'integer'
      ? -from.low < BigInt(limit) && from.high < BigInt(limit)
      : from.family === 'decimal' && from.precision - from.scale <= precision - scale && from.scale <= scale
  if (from.family === 'integer' || from.family === 'decimal' || from.family === 'float') {
    // Two-sided, without ABS: ABS of the smallest BIGINT overflows.
    const value = from.family === 'integer' ? col : `ROUND(${col}, ${scale})`
    if (!fits) out.push({ where: `(${value} <= -${limit} OR ${value} >= ${limit})`, reason: `needs more than ${precision} digits (decimal(${precision},${scale}))` })
  }
  return out
}

/** Values a FLOAT column would not hold exactly (a double's extra precision, its larger range). */
export function toFloat(from: MysqlType, to: FloatType, col: string): Loss[] {
  if (to.double || from.family !== 'float' || !from.double) return []
  // CAST AS FLOAT (MySQL 8.0.17, MariaDB 10.4.5) rounds to single precision and clamps the range.
  return [{ where: `${col} <> CAST(${col} AS FLOAT)`, reason: 'not exactly representable as float' }]
}
