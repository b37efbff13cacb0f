import type { CliResult } from '../cli/helpers.js'
import type { TextRow } from './raw.js'
import type { Stage } from './stage.js'
import { WITNESS_COLUMNS } from './values.js'

/**
 * How a retyped column's text is compared. The value is the same but its text shows the declared
 * scale or precision: DECIMAL(12,4) prints 1.2300 where DECIMAL(12,2) prints 1.23, and MariaDB's
 * DATETIME(6) prints .123000 where DATETIME(3) prints .123. Only trailing fractional zeros go.
 */
export type Canonical = 'decimal' | 'timestamp'

/** A column to compare: its name before and after (a rename or retype) and how its text compares. */
export type Column = string | { readonly from: string; readonly to: string; readonly canonical?: Canonical }

/** A table whose listed columns must keep every value; the witness table is always added. */
export interface Watch {
  readonly table: string
  readonly columns: readonly Column[]
}

/** What must be gone after an allowed drop. */
export interface Gone {
  readonly table: string
  readonly column?: string
}

/** Rows captured before the command, under the columns' old names. */
export interface Captured {
  readonly watches: readonly Watch[]
  readonly rows: readonly (readonly TextRow[])[]
}

/** What a refusal must say on its one error line. */
export interface Refusal {
  /** Table and column names that must appear. */
  readonly mentions: readonly string[]
  /** Row counts (the values that would be lost), each next to the name it belongs to. */
  readonly counts?: Counts
  /** The line must point to `--allow-data-loss` (data-loss refusals, not might-fail errors). */
  readonly consent: boolean
}

/** A count per table or column name: `{ entry: 4 }` wants "entry" with the number 4 close by. */
export type Counts = Readonly<Record<string, number>>

const WITNESS: Watch = { table: 'witness', columns: WITNESS_COLUMNS }
const from = (c: Column) => (typeof c === 'string' ? c : c.from)
const to = (c: Column) => (typeof c === 'string' ? c : c.to)

function canonical(value: string | null, how: Canonical | undefined): string | null {
  if (value === null || how === undefined || !value.includes('.')) return value
  return value.replace(/0+$/, '').replace(/\.$/, '')
}

function canonicalRows(rows: readonly TextRow[], columns: readonly Column[]): string[] {
  const how = columns.map((c) => (typeof c === 'string' ? undefined : c.canonical))
  return rows.map((row) => JSON.stringify(row.map((value, i) => canonical(value, how[i]))))
}

/** Lines of `a` missing from `b`, at most 12, each cut to 240 characters. */
function missing(a: readonly string[], b: readonly string[]): string {
  const other = new Set(b)
  const lines = a.filter((line) => !other.has(line))
  return lines.slice(0, 12).map((l) => `  ${l.length > 240 ? `${l.slice(0, 240)}…` : l}`).join('\n') + (lines.length > 12 ? `\n  … ${lines.length - 12} more` : '')
}

/** Reads the watched tables (and the witness) under their current column names. */
export async function capture(stage: Stage, watches: readonly Watch[] = []): Promise<Captured> {
  const all = [WITNESS, ...watches]
  return { watches: all, rows: await Promise.all(all.map((w) => stage.db.rows(w.table, w.columns.map(from)))) }
}

/** One line of the output (matching `line`) naming every mention, with each count next to its name. */
export function expectLine(stage: Stage, what: string, output: string, line: RegExp | undefined, mentions: readonly string[], counts: Counts = {}): void {
  const lines = output.split('\n').filter((l) =>
    (line === undefined || line.test(l)) && mentions.every((m) => l.includes(m)) && Object.entries(counts).every(([name, n]) => countNear(l, name, n)))
  const wanted = [...mentions, ...Object.entries(counts).map(([name, n]) => `${n} next to ${name}`)]
  stage.expect.soft(lines.length, `${what}: expected a line naming ${wanted.join(', ')}\n${stage.context()}`).toBeGreaterThan(0)
}

/** Characters either side of a name where its count may stand ("ledger.entry (4 values)", "4 rows of sessions"). */
const NEAR = 24

/**
 * Whether `n` (1234 or 1,234) stands as a whole number near an occurrence of `name`, so a count is
 * not read off other numbers of the line, such as the 3 of varchar(3).
 */
function countNear(line: string, name: string, n: number): boolean {
  const pattern = new RegExp(`(^|[^0-9.,])(${n}|${n.toLocaleString('en-US')})([^0-9]|$)`)
  for (let at = line.indexOf(name); at !== -1; at = line.indexOf(name, at + 1)) {
    if (pattern.test(line.slice(Math.max(0, at - NEAR), at + name.length + NEAR))) return true
  }
  return false
}

/**
 * The `preserved` outcome: the command succeeded and did its job (after `up`, history records every
 * migration of the directory as applied; `applied` says otherwise, e.g. `[]` after a down), every
 * watched value is identical (as text, under its new name), the witness table is untouched, and
 * what was dropped with consent is gone.
 */
export async function expectPreserved(stage: Stage, result: CliResult, before: Captured, gone: readonly Gone[] = [], applied = stage.versions()): Promise<void> {
  stage.expect.soft(result.code, `the command must succeed\n${stage.context()}`).toBe(0)
  stage.expect.soft(await stage.applied(), `history must record exactly these migrations as applied\n${stage.context()}`).toEqual(applied)
  await expectValuesKept(stage, before)
  for (const g of gone) {
    const columns = await stage.db.columns(g.table)
    if (g.column === undefined) stage.expect.soft(columns, `table ${g.table} must be gone\n${stage.context()}`).toEqual([])
    else stage.expect.soft(columns, `column ${g.table}.${g.column} must be gone\n${stage.context()}`).not.toContain(g.column)
  }
}

/** Every captured value is still there, identical as text, under its column's new name. */
export async function expectValuesKept(stage: Stage, before: Captured): Promise<void> {
  for (const [index, watch] of before.watches.entries()) {
    const after = await stage.db.rows(watch.table, watch.columns.map(to)).catch((error: unknown) => {
      throw new Error(`${watch.table} (${watch.columns.map(to).join(', ')}) cannot be read afterwards: ${String(error)}\n${stage.context()}`)
    })
    const was = canonicalRows(before.rows[index]!, watch.columns)
    const now = canonicalRows(after, watch.columns)
    const diff = `rows only before:\n${missing(was, now)}\nrows only after:\n${missing(now, was)}`
    stage.expect.soft(now, `${watch.table}: every value must be identical (${was.length} rows before, ${now.length} after)\n${diff}\n${stage.context()}`).toEqual(was)
  }
}

/**
 * The `refused` outcome: exit 1, the database exactly as `before` (schema, rows, history), and one
 * clear error line naming what would be lost, with no stack trace. The error is the last line of
 * stderr: a risk report printed before it may hold lines of its own (`error: MF104: …`).
 */
export async function expectRefused(stage: Stage, result: CliResult, before: string, refusal: Refusal): Promise<void> {
  const after = await stage.db.dump()
  const was = before.split('\n')
  const now = after.split('\n')
  stage.expect.soft(after === before, `the database must be unchanged\ndump lines only before:\n${missing(was, now)}\ndump lines only after:\n${missing(now, was)}\n${stage.context()}`).toBe(true)
  stage.expect.soft(result.code, `the command must exit 1\n${stage.context()}`).toBe(1)
  const output = `${result.stdout}\n${result.stderr}`
  stage.expect.soft(/\n\s+at .+:\d+:\d+\)?$/m.test(output), `no stack trace\n${stage.context()}`).toBe(false)
  const message = result.stderr.trimEnd().split('\n').at(-1) ?? ''
  stage.expect.soft(message, `the last line of stderr must be the one-line error\n${stage.context()}`).toMatch(/^error: \S/)
  const mentions = refusal.consent ? [...refusal.mentions, '--allow-data-loss'] : refusal.mentions
  expectLine(stage, 'the error line', message, undefined, mentions, refusal.counts)
}
