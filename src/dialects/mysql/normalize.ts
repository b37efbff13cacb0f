import type { Flavor } from './flavor.js'

/**
 * The normal form of types and defaults, shared by both flavors so that what the server reports and
 * what a target declares compare equal: display widths the server ignores are dropped (`int(11)` →
 * `int`, but `tinyint(1)` and ZEROFILL widths stay), `year(4)` → `year`, defaults are SQL
 * expressions with quoted literals and `CURRENT_TIMESTAMP[(n)]` upper case.
 */
export function normalizeType(columnType: string): string {
  // Lower-case keywords only: ENUM/SET values keep their case.
  const type = columnType
    .trim()
    .split(/('(?:[^'\\]|''|\\.)*')/)
    .map((piece, i) => (i % 2 === 1 ? piece : piece.toLowerCase().replace(/\s+/g, ' ')))
    .join('')
  const int = /^(tinyint|smallint|mediumint|int|integer|bigint)\((\d+)\)(.*)$/.exec(type)
  if (int) {
    const [, base, width, rest] = int as unknown as [string, string, string, string]
    if (base === 'tinyint' && width === '1') return type
    if (rest.includes('zerofill')) return type
    return `${base === 'integer' ? 'int' : base}${rest}`
  }
  if (type === 'year(4)') return 'year'
  return type
}

const NUMERIC = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint', 'decimal', 'numeric', 'float', 'double', 'real', 'bit'])
const CURRENT_TIMESTAMP = /^(?:current_timestamp|now|localtimestamp|localtime)(?:\((\d*)\))?$/i

/** `current_timestamp()`/`now()` → `CURRENT_TIMESTAMP`, `current_timestamp(3)` → `CURRENT_TIMESTAMP(3)`. */
export function normalizeTimestampExpr(text: string): string | undefined {
  const m = CURRENT_TIMESTAMP.exec(text.trim())
  if (!m) return undefined
  return m[1] !== undefined && m[1] !== '' && m[1] !== '0' ? `CURRENT_TIMESTAMP(${m[1]})` : 'CURRENT_TIMESTAMP'
}

/**
 * COLUMN_DEFAULT → normal form, or undefined for "no default" / DEFAULT NULL (the same thing for a
 * nullable column). MariaDB reports an expression (`'abc'`, `0`, `current_timestamp()`, `uuid()`);
 * MySQL reports the raw value and flags expressions with DEFAULT_GENERATED in EXTRA.
 */
export function normalizeDefault(
  raw: string | null,
  dataType: string,
  extra: string,
  flavor: Flavor,
): string | undefined {
  if (raw === null) return undefined
  if (flavor.columnDefaultIsExpression) {
    if (raw === 'NULL') return undefined
    return normalizeTimestampExpr(raw) ?? raw
  }
  if (/DEFAULT_GENERATED/i.test(extra)) {
    const ts = normalizeTimestampExpr(raw)
    if (ts !== undefined) return ts
    // MySQL reports expression defaults without their parentheses and with quotes escaped
    // (`_utf8mb4\'x\'`); unescape so the text can be written back as DEFAULT (…).
    return raw.replace(/\\'/g, "'")
  }
  const ts = normalizeTimestampExpr(raw)
  if (ts !== undefined && /^(timestamp|datetime)$/i.test(dataType)) return ts
  if (NUMERIC.has(dataType.toLowerCase())) return raw
  return literal(raw)
}

/** A string literal as MariaDB prints it in COLUMN_DEFAULT: quotes doubled, backslashes escaped. */
export function literal(value: string): string {
  return "'" + value.replace(/\\/g, '\\\\').replace(/'/g, "''") + "'"
}

/** Defaults that may follow DEFAULT as they are; anything else is an expression and needs `(…)`. */
export function isLiteralDefault(value: string): boolean {
  return (
    /^'(?:[^'\\]|''|\\.)*'$/s.test(value) ||
    /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(value) ||
    /^[bx]'[0-9a-f]*'$/i.test(value) ||
    /^0x[0-9a-f]+$/i.test(value) ||
    /^(NULL|TRUE|FALSE)$/i.test(value) ||
    /^CURRENT_TIMESTAMP(\(\d+\))?$/.test(value)
  )
}

/** ON UPDATE CURRENT_TIMESTAMP[(n)] found in EXTRA, in normal form. */
export function onUpdateOf(extra: string): string | undefined {
  const m = /on update ([a-z_]+(?:\(\d*\))?)/i.exec(extra)
  return m ? normalizeTimestampExpr(m[1] as string) : undefined
}

/** The view text with the database qualifier removed, so a scratch copy equals the live view. */
export function stripQualifier(text: string, database: string): string {
  const quoted = '`' + database.replace(/`/g, '``') + '`.'
  return text.split(quoted).join('')
}

/** information_schema text columns arrive as strings, or Buffers for some binary-collated ones. */
export function str(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (Buffer.isBuffer(value)) return value.toString('utf8')
  return String(value)
}

export function strOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : str(value)
}
