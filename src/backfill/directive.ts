import { DirectoryError } from '../errors.js'
import type { BackfillSpec, BackfillThrottle } from './spec.js'
import { validateSpec } from './spec.js'

/** A `-- migrator:backfill …` directive: what to backfill and how fast. */
export interface BackfillDirective {
  readonly spec: BackfillSpec
  readonly throttle: BackfillThrottle
  /** 1-based line of the directive in its file. */
  readonly line: number
}

const PREFIX = /^--\s*migrator:backfill(?=\s|$)/i
const ANY_DIRECTIVE = /^--\s*migrator:/i
const KEYS = ['table', 'schema', 'set', 'where', 'verify', 'batch', 'key', 'sleep', 'rate'] as const
type Key = (typeof KEYS)[number]

/**
 * The `-- migrator:backfill` directives of an up file's leading comment block (comment and blank
 * lines before the first statement), in file order. Other `-- migrator:` directives are left to
 * parseDirectives. Syntax, one directive per line:
 *
 *   -- migrator:backfill table=users set="name = upper(email)" where="name IS NULL" batch=1000
 *
 * Values are bare (no spaces) or double-quoted, where `\"` is a double quote and `\\` a backslash.
 * Keys: table, set, where, batch (required); schema, key (comma-separated key columns), verify
 * (predicate selecting wrongly backfilled rows, checked at the end), sleep (ms between chunks),
 * rate (max rows per second). Throws DirectoryError naming `file:line` for an unknown or repeated
 * key, a missing required key, a bad number or quote.
 */
export function parseBackfillDirectives(text: string, file: string): BackfillDirective[] {
  const out: BackfillDirective[] = []
  const lines = text.replace(/\r\n/g, '\n').split('\n')
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim()
    if (line === '') continue
    if (!line.startsWith('--')) break
    if (!ANY_DIRECTIVE.test(line) || !PREFIX.test(line)) continue
    out.push(parseBackfillDirective(line.replace(PREFIX, ''), `${file}:${index + 1}`, index + 1))
  }
  return out
}

/** Parses the text after `-- migrator:backfill`; `where` (`file:line`) prefixes every error. */
export function parseBackfillDirective(body: string, where: string, line = 0): BackfillDirective {
  const values = new Map<Key, string>()
  for (const [name, value] of tokenize(body, where)) {
    const key = KEYS.find((k) => k === name.toLowerCase())
    if (key === undefined) throw new DirectoryError(`${where}: unknown backfill option "${name}"; expected ${KEYS.join(', ')}`)
    if (values.has(key)) throw new DirectoryError(`${where}: backfill option "${key}" given twice`)
    values.set(key, value)
  }
  for (const key of ['table', 'set', 'where', 'batch'] as const) {
    if (!values.has(key)) {
      throw new DirectoryError(
        `${where}: backfill needs ${key}=…; e.g. -- migrator:backfill table=users set="name = upper(email)" where="name IS NULL" batch=1000`,
      )
    }
  }
  const keyList = values.get('key')
  const spec: BackfillSpec = {
    table: values.get('table')!,
    set: values.get('set')!,
    where: values.get('where')!,
    batch: integer(values.get('batch')!, 'batch', where, 1),
    ...(values.has('schema') ? { schema: values.get('schema')! } : {}),
    ...(values.has('verify') ? { verify: values.get('verify')! } : {}),
    ...(keyList === undefined ? {} : { key: keyList.split(',').map((k) => k.trim()) }),
  }
  try {
    validateSpec(spec, where)
  } catch (error) {
    throw new DirectoryError((error as Error).message)
  }
  const sleep = values.get('sleep')
  const rate = values.get('rate')
  const throttle: BackfillThrottle = {
    ...(sleep === undefined ? {} : { sleepMs: integer(sleep, 'sleep', where, 0) }),
    ...(rate === undefined ? {} : { maxRowsPerSecond: integer(rate, 'rate', where, 1) }),
  }
  return { spec, throttle, line }
}

/** The directive line for `spec` (what the zero-downtime planner writes); parses back to the same spec. */
export function renderBackfillDirective(spec: BackfillSpec, throttle: BackfillThrottle = {}): string {
  const parts: [string, string][] = [['table', spec.table]]
  if (spec.schema !== undefined) parts.push(['schema', spec.schema])
  parts.push(['set', spec.set], ['where', spec.where])
  if (spec.verify !== undefined) parts.push(['verify', spec.verify])
  parts.push(['batch', String(spec.batch)])
  if (spec.key !== undefined) parts.push(['key', spec.key.join(',')])
  if (throttle.sleepMs !== undefined) parts.push(['sleep', String(throttle.sleepMs)])
  if (throttle.maxRowsPerSecond !== undefined) parts.push(['rate', String(throttle.maxRowsPerSecond)])
  return `-- migrator:backfill ${parts.map(([k, v]) => `${k}=${quote(v)}`).join(' ')}`
}

function quote(value: string): string {
  if (/^[^\s"\\]+$/.test(value)) return value
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
}

function integer(text: string, key: string, where: string, min: number): number {
  const value = Number(text)
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min) {
    throw new DirectoryError(`${where}: backfill option ${key} must be an integer ≥ ${min}; got "${text}"`)
  }
  return value
}

/** `k=v k="quoted \" value"` → [[k, v], …]. */
function tokenize(body: string, where: string): [string, string][] {
  const out: [string, string][] = []
  let i = 0
  const n = body.length
  while (i < n) {
    while (i < n && /\s/.test(body[i]!)) i++
    if (i >= n) break
    const start = i
    while (i < n && body[i] !== '=' && !/\s/.test(body[i]!)) i++
    const name = body.slice(start, i)
    if (body[i] !== '=' || name === '') {
      throw new DirectoryError(`${where}: expected key=value in backfill directive, got "${body.slice(start, i) || body.slice(start)}"`)
    }
    i++
    let value = ''
    if (body[i] === '"') {
      i++
      let closed = false
      while (i < n) {
        const ch = body[i]!
        if (ch === '\\' && i + 1 < n) {
          value += body[i + 1]
          i += 2
        } else if (ch === '"') {
          i++
          closed = true
          break
        } else {
          value += ch
          i++
        }
      }
      if (!closed) throw new DirectoryError(`${where}: unterminated quote in backfill option ${name}; close it with "`)
      if (i < n && !/\s/.test(body[i]!)) throw new DirectoryError(`${where}: expected a space after the quoted value of ${name}`)
    } else {
      const from = i
      while (i < n && !/\s/.test(body[i]!)) i++
      value = body.slice(from, i)
    }
    out.push([name, value])
  }
  return out
}
