import type { Types } from './dialects.js'
import type { Value } from './raw.js'

/** 10,000 code points: ASCII, a precomposed accent, an astral emoji and Hebrew (4 + 2 + 4 + 2 bytes in UTF-8). */
export const LONG = 'abcdefghij'.repeat(400) + 'é'.repeat(2000) + '😀'.repeat(2000) + 'ש'.repeat(2000)
/** A ZWJ sequence: one visible glyph, seven code points. */
export const FAMILY = '👩\u200d👩\u200d👧\u200d👦'
/** Combining marks: e + acute, a + diaeresis + dot below. */
export const COMBINING = 'e\u0301 a\u0308\u0323'
/** Right-to-left scripts with a neutral dash between them. */
export const RTL = 'שלום עולם — مرحبا بالعالم'

/** Texts a column under test holds in most scenarios: long, unicode, empty and NULL. */
export const TEXTS: readonly (string | null)[] = [LONG, `${FAMILY} family, 🎉 party`, COMBINING, RTL, '', null]

/**
 * The witness table every scenario creates by hand next to the table it changes. It is in every
 * target unchanged, so every outcome must leave its rows exactly as seeded.
 */
export function witnessDdl(t: Types): string {
  return `CREATE TABLE witness (
  id ${t.int} PRIMARY KEY,
  i ${t.int},
  b ${t.bigint},
  n ${t.decimal(30, 15)},
  f ${t.double},
  s ${t.text},
  d ${t.text} DEFAULT 'dflt',
  ts ${t.timestamp(6)}
);
`
}

export const WITNESS_COLUMNS = ['id', 'i', 'b', 'n', 'f', 's', 'd', 'ts'] as const

/** Boundary numbers, NULLs, defaults (row 2 leaves `d` out), long and unicode text, fractional seconds. */
export const WITNESS_ROWS: readonly Readonly<Record<string, Value>>[] = [
  { id: 1, i: -2147483648, b: -9223372036854775808n, n: '-99999999999999.999999999999999', f: -1.7976931348623157e308, s: LONG, d: 'explicit', ts: '1970-01-01 00:00:00.000001' },
  { id: 2, i: 2147483647, b: 9223372036854775807n, n: '12345678901234.123456789012345', f: 0.1 + 0.2, s: `${FAMILY} family, 🎉 party`, ts: '2024-02-29 23:59:59.123456' },
  { id: 3, i: 0, b: 0n, n: '0', f: 0, s: COMBINING, d: null, ts: '1999-12-31 23:59:59.999999' },
  { id: 4, i: null, b: null, n: null, f: null, s: null, d: null, ts: null },
  { id: 5, i: -1, b: -1n, n: '-0.000000000000001', f: -2.5e-300, s: RTL, d: '', ts: '2000-01-01 12:00:00.5' },
  { id: 6, i: 1, b: 1n, n: '0.000000000000001', f: 2.2250738585072014e-308, s: '', ts: '2038-01-19 03:14:08.000001' },
]

/** Rows `{ id: 1.., [column]: value, ...extra }` for a list of values. */
export function rowsOf(column: string, values: readonly Value[], extra: (index: number) => Readonly<Record<string, Value>> = () => ({})): Record<string, Value>[] {
  return values.map((value, index) => ({ id: index + 1, [column]: value, ...extra(index) }))
}
