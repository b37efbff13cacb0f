import type { NeutralType } from './types.js'

/**
 * The common text form every copied value passes through, the same whichever engine holds it:
 * integers and decimals in plain decimal notation without trailing fraction zeros (`1.50` is
 * `1.5`), booleans `true`/`false`, dates `YYYY-MM-DD`, times `HH:MM:SS[.ffffff]`, timestamps
 * `YYYY-MM-DD HH:MM:SS[.ffffff]` (UTC when the column has a time zone), binary as lower-case hex,
 * JSON with sorted keys, UUIDs in lower case. Dialects read into it and write from it; the proof
 * hashes it.
 */

/** `1.500` → `1.5`, `2.000` → `2`, `-0.0` → `0`. */
export function decimalText(text: string): string {
  let value = text.trim()
  if (/e/i.test(value)) value = expandExponent(value)
  if (value.includes('.')) value = value.replace(/0+$/, '').replace(/\.$/, '')
  if (/^[+-]?0*$/.test(value.replace('.', ''))) return '0'
  return value.replace(/^\+/, '')
}

function expandExponent(text: string): string {
  const [mantissa = '0', exponent = '0'] = text.toLowerCase().split('e')
  const negative = mantissa.startsWith('-')
  const [whole = '', fraction = ''] = mantissa.replace(/^[+-]/, '').split('.')
  const digits = whole + fraction
  const point = whole.length + Number(exponent)
  const padded = point <= 0 ? '0'.repeat(1 - point) + digits : digits.padEnd(point, '0')
  const at = Math.max(point, 1)
  const result = `${padded.slice(0, at)}.${padded.slice(at)}`.replace(/^0+(?=\d)/, '')
  return (negative ? '-' : '') + result
}

/** A time of day's fraction without trailing zeros: `10:00:00.500000` → `10:00:00.5`. */
export function trimFraction(text: string): string {
  if (!text.includes('.')) return text
  let end = text.length
  while (text.charCodeAt(end - 1) === 48) end--
  if (text.charCodeAt(end - 1) === 46) end--
  return text.slice(0, end)
}

const STAMP = /^(\d{4,}-\d\d-\d\d)(?:[ T](\d\d:\d\d)(?::(\d\d))?(\.\d+)?)?\s*(Z|[+-]\d\d(?::?\d\d)?)?$/i

/**
 * A timestamp text (`2024-01-02T03:04:05.5+02:00`, `2024-01-02 03:04:05`, `2024-01-02`) in the
 * common form: shifted to UTC when it carries an offset, fraction trimmed. Unrecognized text
 * comes back unchanged so the proof shows the difference instead of hiding it.
 */
export function timestampText(text: string): string {
  const match = STAMP.exec(text.trim())
  if (match === null) return text
  const [, date = '', hm = '00:00', seconds = '00', fraction = '', zone] = match
  let wall = `${date} ${hm}:${seconds}`
  if (zone !== undefined && !/^(z|[+-]00(:?00)?)$/i.test(zone)) {
    const sign = zone.startsWith('-') ? -1 : 1
    const digits = zone.slice(1).replace(':', '')
    const offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'))
    const utc = new Date(Date.parse(`${date}T${hm}:${seconds}Z`) - offsetMinutes * 60_000)
    wall = utc.toISOString().slice(0, 19).replace('T', ' ')
  }
  return trimFraction(wall + fraction)
}

/**
 * `true`/`false` for what engines store as booleans (`t`, `1`, …). Anything else (a MySQL
 * tinyint(1) holding 2) stays as it is, so that it fails a real boolean column or shows in the
 * proof instead of quietly becoming `true`.
 */
function booleanText(raw: unknown): string {
  const text = String(raw).toLowerCase()
  if (raw === true || text === '1' || text === 't' || text === 'true') return 'true'
  if (raw === false || text === '0' || text === 'f' || text === 'false') return 'false'
  return String(raw)
}

/** JSON text with object keys sorted at every level and no insignificant whitespace. */
export function jsonText(value: unknown): string {
  const parsed = typeof value === 'string' ? (JSON.parse(value) as unknown) : value
  return JSON.stringify(sortKeys(parsed))
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    )
  }
  return value
}

/** A driver's value of a column of `type` in the common text form, for what every driver returns alike. */
export function commonText(raw: unknown, type: NeutralType): string | null {
  if (raw === null || raw === undefined) return null
  switch (type.kind) {
    case 'integer':
      return String(raw)
    case 'decimal':
      return decimalText(String(raw))
    case 'float':
      return String(Number(raw))
    case 'boolean':
      return booleanText(raw)
    case 'text':
      // Fixed-width columns pad with spaces on some engines and not on others.
      return type.fixed === true ? String(raw).replace(/ +$/, '') : String(raw)
    case 'binary':
      return Buffer.isBuffer(raw) ? raw.toString('hex') : Buffer.from(String(raw), 'utf8').toString('hex')
    case 'date':
      return raw instanceof Date ? raw.toISOString().slice(0, 10) : String(raw).slice(0, 10)
    case 'time':
      return trimFraction(String(raw))
    case 'timestamp':
      return timestampText(raw instanceof Date ? raw.toISOString() : String(raw))
    case 'json':
      return jsonText(raw)
    case 'uuid':
      return String(raw).toLowerCase()
    case 'enum':
    case 'other':
      return typeof raw === 'object' ? JSON.stringify(raw) : String(raw)
  }
}

/**
 * What the proof hashes for a value in the common form: floats compared at the precision the
 * source column stores (a 4-byte float copied into an 8-byte one must still match), everything
 * else as is.
 */
export function proofText(value: string, sourceType: NeutralType): string {
  if (sourceType.kind !== 'float') return value
  const number = Number(value)
  if (!Number.isFinite(number)) return String(number)
  return sourceType.bits === 24 ? String(Math.fround(number).toPrecision(7)) : number.toPrecision(15)
}
