/**
 * Column types in their normal form (normalize.ts), sorted into the families whose conversions
 * can lose values. Anything else (bit, json, spatial, year, `float(m,d)`, …) is `other`.
 */
export type MysqlType =
  /** `chars`: a character limit (char/varchar); `bytes`: a byte limit (text and binary types). */
  | { readonly family: 'string'; readonly chars?: number; readonly bytes?: number }
  | { readonly family: 'integer'; readonly low: bigint; readonly high: bigint; readonly name: string }
  | { readonly family: 'decimal'; readonly precision: number; readonly scale: number }
  | { readonly family: 'float'; readonly double: boolean }
  | { readonly family: 'datetime' | 'time'; readonly precision: number }
  | { readonly family: 'date' | 'other' }
  /** ENUM and SET members as written in the type (quoted literals), in order. */
  | { readonly family: 'enum' | 'set'; readonly members: readonly string[] }

/** One way a conversion loses values: a predicate over the column (NULL never matches) and why. */
export interface Loss {
  readonly where: string
  readonly reason: string
}

const INTEGER_BITS: Readonly<Record<string, number>> = { tinyint: 8, smallint: 16, mediumint: 24, int: 32, bigint: 64 }
const TEXT_BYTES: Readonly<Record<string, number>> = {
  tinytext: 255, text: 65_535, mediumtext: 16_777_215, longtext: 4_294_967_295,
  tinyblob: 255, blob: 65_535, mediumblob: 16_777_215, longblob: 4_294_967_295,
}

export function parseType(type: string): MysqlType {
  const chars = /^(?:var)?char\((\d+)\)$/.exec(type)
  if (chars !== null) return { family: 'string', chars: Number(chars[1]) }
  const binary = /^(?:var)?binary\((\d+)\)$/.exec(type)
  if (binary !== null) return { family: 'string', bytes: Number(binary[1]) }
  const bytes = TEXT_BYTES[type]
  if (bytes !== undefined) return { family: 'string', bytes }
  const int = /^(tinyint|smallint|mediumint|int|bigint)(?:\(\d+\))?( unsigned)?( zerofill)?$/.exec(type)
  if (int !== null) {
    const bits = BigInt(INTEGER_BITS[int[1]!]!)
    // ZEROFILL implies UNSIGNED.
    const unsigned = int[2] !== undefined || int[3] !== undefined
    return unsigned
      ? { family: 'integer', low: 0n, high: (1n << bits) - 1n, name: `${int[1]} unsigned` }
      : { family: 'integer', low: -(1n << (bits - 1n)), high: (1n << (bits - 1n)) - 1n, name: int[1]! }
  }
  const decimal = /^decimal\((\d+),(\d+)\)$/.exec(type)
  if (decimal !== null) return { family: 'decimal', precision: Number(decimal[1]), scale: Number(decimal[2]) }
  if (type === 'float' || type === 'double') return { family: 'float', double: type === 'double' }
  const datetime = /^(datetime|timestamp|time)(?:\((\d)\))?$/.exec(type)
  if (datetime !== null) return { family: datetime[1] === 'time' ? 'time' : 'datetime', precision: Number(datetime[2] ?? 0) }
  if (type === 'date') return { family: 'date' }
  const members = /^(enum|set)\((.*)\)$/s.exec(type)
  if (members !== null) return { family: members[1] as 'enum' | 'set', members: members[2]!.match(/'(?:[^'\\]|''|\\.)*'/gs) ?? [] }
  return { family: 'other' }
}
