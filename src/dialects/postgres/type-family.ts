/**
 * Column types as `format_type` prints them, sorted into the families whose conversions can lose
 * values. Anything else (arrays, enums, domains, json, …) is `other`.
 */
export type PgType =
  | { readonly family: 'string'; readonly length?: number; readonly padded: boolean }
  | { readonly family: 'integer'; readonly bits: 16 | 32 | 64 }
  | { readonly family: 'numeric'; readonly precision?: number; readonly scale?: number }
  | { readonly family: 'float'; readonly bits: 32 | 64 }
  | { readonly family: 'timestamp' | 'time'; readonly zone: boolean; readonly precision: number }
  | { readonly family: 'date' | 'boolean' | 'uuid' | 'other' }

/** One way a conversion loses values: a predicate over the column (NULL never matches) and why, for messages. */
export interface Loss {
  readonly where: string
  readonly reason: string
}

const INTEGER_BITS: Readonly<Record<string, 16 | 32 | 64>> = { smallint: 16, integer: 32, bigint: 64 }

export function parseType(type: string): PgType {
  const string = /^(text|citext|character varying|character|bpchar)(?:\((\d+)\))?$/.exec(type)
  if (string !== null) {
    const padded = string[1] === 'character' || string[1] === 'bpchar'
    return { family: 'string', padded, ...(string[2] === undefined ? {} : { length: Number(string[2]) }) }
  }
  const bits = INTEGER_BITS[type]
  if (bits !== undefined) return { family: 'integer', bits }
  const numeric = /^numeric(?:\((\d+),(-?\d+)\))?$/.exec(type)
  if (numeric !== null) {
    return numeric[1] === undefined ? { family: 'numeric' } : { family: 'numeric', precision: Number(numeric[1]), scale: Number(numeric[2]) }
  }
  if (type === 'real') return { family: 'float', bits: 32 }
  if (type === 'double precision') return { family: 'float', bits: 64 }
  // Without a declared precision, timestamps and times keep microseconds (6 digits).
  const datetime = /^(timestamp|time)(?:\((\d)\))? (with|without) time zone$/.exec(type)
  if (datetime !== null) {
    return { family: datetime[1] as 'timestamp' | 'time', zone: datetime[3] === 'with', precision: Number(datetime[2] ?? 6) }
  }
  if (type === 'date' || type === 'boolean' || type === 'uuid') return { family: type }
  return { family: 'other' }
}

/** `[]` suffixes stripped: the element type of an array type, or the type itself. */
function elementType(type: string): { readonly base: string; readonly dims: number } {
  const base = type.replace(/(\[\])+$/, '')
  return { base, dims: (type.length - base.length) / 2 }
}

/**
 * Whether `ALTER COLUMN … TYPE` from `from` to `to` needs a USING clause. Only conversions out of a
 * string type do (PostgreSQL has no assignment cast from text to anything but text): they parse
 * the text and raise on values that do not parse. Every other conversion goes without USING, so
 * PostgreSQL applies its assignment cast, which raises on a value too long or out of range where
 * an explicit cast would truncate (`'hello'::varchar(3)` is `'hel'`); and where no assignment
 * cast exists (integer → boolean, whose explicit cast maps 2 to true) the statement fails instead
 * of converting lossily. boolean → integer is the one lossless explicit cast kept.
 */
export function needsUsing(from: string, to: string): boolean {
  const f = elementType(from)
  const t = elementType(to)
  if (f.dims === 0 && t.dims === 0 && from === 'boolean' && to === 'integer') return true
  if (parseType(f.base).family !== 'string') return false
  return parseType(t.base).family !== 'string' || f.dims !== t.dims
}
