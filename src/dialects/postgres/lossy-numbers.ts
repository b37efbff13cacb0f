import { powerOfTen } from '../loss-source.js'
import type { Loss, PgType } from './type-family.js'

type IntegerType = Extract<PgType, { family: 'integer' }>
type NumericType = Extract<PgType, { family: 'numeric' }>
type FloatType = Extract<PgType, { family: 'float' }>

const INTEGER_NAMES = { 16: 'smallint', 32: 'integer', 64: 'bigint' } as const
const FLOAT_NAMES = { 32: 'real', 64: 'double precision' } as const

/** The range of a PostgreSQL integer type, exactly: `[-2^(bits-1), 2^(bits-1) - 1]`. */
function range(bits: number): { readonly low: string; readonly high: string; readonly highPlusOne: string } {
  const limit = 1n << BigInt(bits - 1)
  return { low: String(-limit), high: String(limit - 1n), highPlusOne: String(limit) }
}

function outsideRange(to: IntegerType): string {
  const { low, high } = range(to.bits)
  return `outside the ${INTEGER_NAMES[to.bits]} range (${low} to ${high})`
}

/** Values an integer column of type `to` would not hold exactly (assignment casts round numerics and floats). */
export function toInteger(from: PgType, to: IntegerType, col: string): Loss[] {
  const { low, high, highPlusOne } = range(to.bits)
  switch (from.family) {
    case 'integer':
      return from.bits <= to.bits ? [] : [{ where: `${col} NOT BETWEEN ${low} AND ${high}`, reason: outsideRange(to) }]
    case 'numeric': {
      const out: Loss[] = []
      if (from.scale === undefined || from.scale > 0) out.push({ where: `${col} <> trunc(${col})`, reason: 'has a fractional part (it would be rounded)' })
      const fits = from.precision !== undefined && from.scale !== undefined && BigInt(powerOfTen(Math.max(from.precision - from.scale, 0))) <= BigInt(high)
      // NaN sorts above every number, so it counts as out of range: converting it raises.
      if (!fits) out.push({ where: `(round(${col}) < ${low} OR round(${col}) > ${high})`, reason: outsideRange(to) })
      return out
    }
    case 'float':
      // The bounds are powers of two, exact as floats; NaN and ±Infinity fall outside.
      return [
        { where: `${col} <> trunc(${col})`, reason: 'has a fractional part (it would be rounded)' },
        { where: `(${col} < ${low}::float8 OR ${col} >= ${highPlusOne}::float8)`, reason: outsideRange(to) },
      ]
    case 'string':
      // An integer reads back in one spelling only: blanks, a plus sign or leading zeros are text it drops.
      return [
        { where: `${col} !~ '${INTEGER}'`, reason: `not a valid ${INTEGER_NAMES[to.bits]}` },
        { where: whenValid(col, INTEGER, `${col}::numeric NOT BETWEEN ${low} AND ${high}`), reason: outsideRange(to) },
        { where: `${col} ~ '${INTEGER}' AND ${col} !~ '^(0|-?[1-9][0-9]*)$'`, reason: `written otherwise than the ${INTEGER_NAMES[to.bits]} reads back ('007', '+7', ' 7')` },
      ]
    default:
      return []
  }
}

/** Values a numeric(p,s) (or plain numeric) column would not hold exactly: rounding to the scale, too many digits. */
export function toNumeric(from: PgType, to: NumericType, col: string): Loss[] {
  if (from.family === 'string') {
    const parsed = toNumeric({ family: 'numeric' }, to, `${col}::numeric`)
    return [...textToNumber(col, 'numeric', DECIMAL_OR_NAN), ...parsed.map((l) => ({ where: whenValid(col, DECIMAL, l.where), reason: l.reason }))]
  }
  if (from.family !== 'integer' && from.family !== 'numeric' && from.family !== 'float') return []
  // A float converts through its 15 most significant digits; its exact value prints in full as text.
  const value = from.family === 'float' ? `${col}::numeric` : col
  const exact = from.family === 'float' ? `${col}::text::numeric` : col
  const out: Loss[] = []
  if (to.precision === undefined || to.scale === undefined) {
    if (from.family === 'float') out.push({ where: `${exact} <> ${value}`, reason: 'has more than 15 significant digits' })
    return out
  }
  const { precision, scale } = to
  const rounds = from.family === 'float' || (from.family === 'integer' ? scale < 0 : from.scale === undefined || from.scale > scale)
  if (rounds) {
    const reason = scale < 0 ? `not a multiple of ${powerOfTen(-scale)}` : `more than ${scale} decimal place${scale === 1 ? '' : 's'}`
    out.push({ where: `${exact} <> round(${value}, ${scale})`, reason })
  }
  const digits = precision - scale
  const fitsFrom =
    from.family === 'integer'
      ? BigInt(range(from.bits).highPlusOne) <= BigInt(digits >= 0 ? powerOfTen(digits) : '0')
      : from.family === 'numeric' && from.precision !== undefined && from.scale !== undefined && from.precision - from.scale <= digits && from.scale <= scale
  if (!fitsFrom) {
    const rounded = `round(${value}, ${scale})`
    const limit = powerOfTen(digits)
    // NaN fits any numeric(p,s) but sorts above every number; ±Infinity never fits.
    const notNaN = from.family === 'integer' ? '' : `${col} <> 'NaN' AND `
    out.push({ where: `(${notNaN}(${rounded} <= -${limit} OR ${rounded} >= ${limit}))`, reason: `needs more than ${precision} digits (numeric(${precision},${scale}))` })
  }
  return out
}

// FLT_MAX and the smallest float4 subnormal: beyond them a double cannot become a real at all.
const REAL_MAX = '3.4028234663852886e38'
const REAL_MIN = '1.401298464324817e-45'
const DOUBLE_MAX = '1.7976931348623157e308'
const DOUBLE_MIN = '4.9406564584124654e-324'

/** Values a real or double precision column would not hold exactly (fewer significant digits, range). */
export function toFloat(from: PgType, to: FloatType, col: string): Loss[] {
  const name = FLOAT_NAMES[to.bits]
  const reason = `not exactly representable as ${name}`
  // A float prints as the shortest text that reads back as it: a number is kept when that text is the number.
  const roundTrip = (value: string): string => `${value}::${name}::text::numeric <> ${value}::numeric`
  switch (from.family) {
    case 'integer': {
      // A real holds 24 significant bits, a double 53. An integral float converts back exactly,
      // unless it rounded up to 2^(bits-1), just outside the integer type.
      if (from.bits < (to.bits === 32 ? 24 : 53)) return []
      const back = INTEGER_NAMES[from.bits]
      const limit = range(from.bits).highPlusOne
      return [{ where: `CASE WHEN ${col}::${name} >= ${limit}::${name} THEN true ELSE ${col}::${name}::${back} <> ${col} END`, reason }]
    }
    case 'numeric': {
      const [max, min] = to.bits === 32 ? [REAL_MAX, REAL_MIN] : [DOUBLE_MAX, DOUBLE_MIN]
      return [
        {
          // As text: PostgreSQL before 14 has no numeric infinity literal.
          where: `CASE WHEN ${col}::text IN ('NaN', 'Infinity', '-Infinity') THEN false WHEN abs(${col}) > ${max} OR (${col} <> 0 AND abs(${col}) < ${min}) THEN true ELSE ${roundTrip(col)} END`,
          reason,
        },
      ]
    }
    case 'float':
      if (from.bits <= to.bits) return []
      return [
        {
          where:
            `CASE WHEN ${col} = 'NaN' OR ${col} = 'Infinity' OR ${col} = '-Infinity' THEN false ` +
            `WHEN abs(${col}) > ${REAL_MAX} OR (${col} <> 0 AND abs(${col}) < ${REAL_MIN}) THEN true ` +
            `ELSE ${col}::real::double precision <> ${col} END`,
          reason,
        },
      ]
    case 'string': {
      const parsed = toFloat({ family: 'numeric' }, to, `${col}::numeric`)
      return [...textToNumber(col, name, FLOAT), ...parsed.map((l) => ({ where: whenValid(col, DECIMAL, l.where), reason: l.reason }))]
    }
    default:
      return []
  }
}

// What the input functions accept (PostgreSQL 12–15); matched case-insensitively.
const INTEGER = '^\\s*[+-]?[0-9]+\\s*$'
const DECIMAL = '^\\s*[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)(e[+-]?[0-9]+)?\\s*$'
const DECIMAL_OR_NAN = '^\\s*([+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)(e[+-]?[0-9]+)?|nan)\\s*$'
const FLOAT = '^\\s*([+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)(e[+-]?[0-9]+)?|nan|[+-]?inf(inity)?)\\s*$'

/** `expression` for the rows whose text matches `pattern`, false for the others (it may only be evaluated on those). */
function whenValid(col: string, pattern: string, expression: string): string {
  return `CASE WHEN ${col} ~* '${pattern}' THEN ${expression} ELSE false END`
}

/**
 * Text → number (`USING col::type`): text that does not parse makes the statement fail, and
 * leading zeros are data in text (`'007'`) that the number drops.
 */
function textToNumber(col: string, name: string, pattern: string): Loss[] {
  return [
    { where: `${col} !~* '${pattern}'`, reason: `not a valid ${name}` },
    { where: `${col} ~ '^\\s*[+-]?0[0-9]'`, reason: `has leading zeros, which ${name} drops` },
  ]
}
