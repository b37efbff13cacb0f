import { decimalText } from './values.js'
import type { NeutralDefault, NeutralType } from './types.js'

/**
 * A default in the forms all three dialects share once their own decoration is removed (casts,
 * parentheses): a quoted string, a number, TRUE/FALSE, or the current time. Anything else (a
 * function call, an expression) does not translate: undefined.
 */
export function parseCommonDefault(text: string, type: NeutralType): NeutralDefault | undefined {
  const value = text.trim()
  if (/^(now\(\)|current_timestamp(\(\d*\))?|localtimestamp(\(\d*\))?)$/i.test(value)) return { kind: 'now' }
  const quoted = /^'((?:[^']|'')*)'$/s.exec(value)
  if (quoted !== null) return literal(quoted[1]!.replace(/''/g, "'"), type)
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(value)) return literal(value, type)
  if (/^(true|false)$/i.test(value)) return { kind: 'literal', value: value.toLowerCase() }
  return undefined
}

function literal(value: string, type: NeutralType): NeutralDefault | undefined {
  switch (type.kind) {
    case 'integer':
    case 'decimal':
    case 'float':
      return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(value) ? { kind: 'literal', value: decimalText(value) } : undefined
    case 'boolean':
      return /^(1|true|t)$/i.test(value) ? { kind: 'literal', value: 'true' } : /^(0|false|f)$/i.test(value) ? { kind: 'literal', value: 'false' } : undefined
    case 'text':
    case 'enum':
    case 'uuid':
    case 'date':
    case 'time':
    case 'timestamp':
      return { kind: 'literal', value }
    default:
      return undefined
  }
}

/** The SQL literal of a common-form default: numbers bare, everything else quoted. */
export function sqlLiteral(value: string, type: NeutralType): string {
  if (type.kind === 'integer' || type.kind === 'decimal' || type.kind === 'float') return value
  return `'${value.replace(/'/g, "''")}'`
}
