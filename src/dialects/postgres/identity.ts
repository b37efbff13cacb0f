/**
 * The sequence options of identity columns (`GENERATED … AS IDENTITY (START WITH 100 INCREMENT BY 5)`).
 * Inspection keeps only the options that differ from what PostgreSQL picks for the column's type,
 * in one order, as `Column.options.identity`; the planner writes them into the column definition
 * and turns a change into `ALTER COLUMN … SET …` clauses.
 */

export interface SequenceValues {
  readonly start: string
  readonly increment: string
  readonly min: string
  readonly max: string
  readonly cache: string
  readonly cycle: boolean
}

const BOUNDS: Readonly<Record<string, readonly [string, string]>> = {
  smallint: ['-32768', '32767'],
  integer: ['-2147483648', '2147483647'],
  bigint: ['-9223372036854775808', '9223372036854775807'],
}

const ascending = (increment: string): boolean => !increment.startsWith('-')

/** What PostgreSQL gives an identity sequence of `type` by default, for the given increment. */
function defaults(type: string, increment = '1', min?: string, max?: string): SequenceValues {
  const [low, high] = BOUNDS[type] ?? BOUNDS.bigint!
  const up = ascending(increment)
  const lo = min ?? (up ? '1' : low)
  const hi = max ?? (up ? high : '-1')
  return { start: up ? lo : hi, increment, min: lo, max: hi, cache: '1', cycle: false }
}

/** The options of `values` that are not the defaults, in canonical order; undefined when none. */
export function identityOptions(type: string, values: SequenceValues): string | undefined {
  const base = defaults(type, values.increment)
  const start = defaults(type, values.increment, values.min, values.max).start
  const parts: string[] = []
  if (values.start !== start) parts.push(`START WITH ${values.start}`)
  if (values.increment !== '1') parts.push(`INCREMENT BY ${values.increment}`)
  if (values.min !== base.min) parts.push(`MINVALUE ${values.min}`)
  if (values.max !== base.max) parts.push(`MAXVALUE ${values.max}`)
  if (values.cache !== '1') parts.push(`CACHE ${values.cache}`)
  if (values.cycle) parts.push('CYCLE')
  return parts.length === 0 ? undefined : parts.join(' ')
}

/** Reads back what identityOptions wrote, filling in the defaults. */
function parse(type: string, options: string | undefined): SequenceValues {
  const get = (re: RegExp): string | undefined => re.exec(options ?? '')?.[1]
  const increment = get(/INCREMENT BY (-?\d+)/) ?? '1'
  const min = get(/MINVALUE (-?\d+)/)
  const max = get(/MAXVALUE (-?\d+)/)
  const base = defaults(type, increment, min, max)
  return { ...base, start: get(/START WITH (-?\d+)/) ?? base.start, cache: get(/CACHE (\d+)/) ?? '1', cycle: /(^| )CYCLE/.test(options ?? '') }
}

/**
 * `SET …` clauses of `ALTER COLUMN` that give the identity sequence exactly the options `options`
 * (every option spelled out, so options that go back to their default are reset too).
 */
export function identitySetClauses(type: string, options: string | undefined): string {
  const v = parse(type, options)
  return `SET INCREMENT BY ${v.increment} SET MINVALUE ${v.min} SET MAXVALUE ${v.max} SET START WITH ${v.start} SET CACHE ${v.cache} SET ${v.cycle ? 'CYCLE' : 'NO CYCLE'}`
}
