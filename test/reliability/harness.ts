import { spawn } from 'node:child_process'
import path from 'node:path'
import { expect } from 'vitest'
import type { HistoryRow } from '../../src/runner/history.js'
import { ROOT, runCli, type CliResult } from '../cli/helpers.js'
import type { Migration } from './migrations.js'
import { stateOf, type Target } from './targets.js'

const BIN = path.join(ROOT, 'bin', 'migrator')

/** Runs the built CLI in `cwd` against `target` (`--url`), other flags in `args`. */
export function cli(cwd: string, target: Target, args: readonly string[]): Promise<CliResult> {
  return runCli([...args, '--url', target.url], { cwd })
}

/** Where a run is killed: `delayMs` after the CLI announced statement number `statement` (0: after it started). */
export interface KillPoint {
  readonly statement: number
  readonly delayMs: number
}

/**
 * `migrator up -v --force` (or `command`, e.g. `['down', '--allow-data-loss']`) in `cwd`, killed
 * with SIGKILL at `at` (counting the statements its verbose output announces before running each).
 * Resolves once the process is gone.
 */
export function killedAt(
  cwd: string,
  target: Target,
  at: KillPoint,
  command: readonly string[] = ['up', '--force'],
): Promise<{ readonly killed: boolean; readonly code: number | null; readonly stderr: string }> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env }
    for (const key of ['DATABASE_URL', 'NO_COLOR', 'FORCE_COLOR']) delete env[key]
    const child = spawn(process.execPath, [BIN, ...command, '-v', '--url', target.url], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    let seen = 0
    let armed = false
    let killed = false
    const arm = (): void => {
      if (armed) return
      armed = true
      setTimeout(() => {
        killed = child.exitCode === null && child.signalCode === null
        child.kill('SIGKILL')
      }, at.delayMs)
    }
    if (at.statement === 0) arm()
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
      // `  20240101000001:3 INSERT …`: the runner's statement event under --verbose, printed before it runs.
      seen = (stderr.match(/^\s+\d{14}:\d+ /gm) ?? []).length
      if (seen >= at.statement) arm()
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ killed, code, stderr }))
  })
}

/** The states an uninterrupted application passes through: before[j] before migration j, within[j][k] after its k-th statement. */
export interface Reference {
  readonly before: readonly string[]
  readonly within: readonly (readonly string[])[]
  readonly final: string
}

/** Applies `set` statement by statement to an empty `target` outside migrator, recording every state. */
export async function referenceStates(target: Target, set: readonly Migration[]): Promise<Reference> {
  const driver = await target.open()
  try {
    const before: string[] = []
    const within: string[][] = []
    for (const migration of set) {
      before.push(await stateOf(driver))
      const states = [before.at(-1)!]
      for (const statement of migration.statements) {
        await driver.db.exec(statement)
        states.push(await stateOf(driver))
      }
      within.push(states)
    }
    const final = await stateOf(driver)
    before.push(final)
    return { before, within, final }
  } finally {
    await driver.close()
  }
}

/** What history and database say after a kill, once checked against each other. */
export interface Verdict {
  /** Migrations applied. */
  readonly applied: number
  /** The migration a row says is part-way, with the statements really in the database. */
  readonly partial?: { readonly index: number; readonly row: HistoryRow; readonly inDatabase: number }
}

/**
 * History and schema agree: applied rows form a prefix of the set with every statement counted,
 * and the database is in the state they say; at most one more row, an interrupted one (never a
 * plain `failed` row: nothing failed), whose count is exactly what is in the database, or one less
 * when the row says the next statement may have been running and that statement could not share
 * a transaction with its record (`inDoubt`). Never more than the row counts: no overcount; never
 * fewer unless flagged: no undercount.
 */
export function checkAgreement(rows: readonly HistoryRow[], state: string, set: readonly Migration[], ref: Reference, inDoubt: (index: number, statement: number) => boolean, context: string): Verdict {
  let applied = 0
  while (applied < rows.length && rows[applied]!.status === 'applied') {
    expect(rows[applied]!.version, context).toBe(set[applied]!.version)
    expect(rows[applied]!.statementsApplied, context).toBe(set[applied]!.statements.length)
    applied++
  }
  const rest = rows.slice(applied)
  expect(rest.length, `${context}: rows after the applied ones ${JSON.stringify(rest)}`).toBeLessThanOrEqual(1)
  const row = rest[0]
  if (row === undefined) {
    expect(state === ref.before[applied], `${context}: ${applied} migrations applied, but the database is not in that state`).toBe(true)
    return { applied }
  }
  expect(row.version, context).toBe(set[applied]!.version)
  expect(row.interrupted, `${context}: a failed row without a failure ${JSON.stringify(row)}`).toBe(true)
  const k = row.statementsApplied
  const states = ref.within[applied]!
  if (state === states[k]) return { applied, partial: { index: applied, row, inDatabase: k } }
  const doubt = k < set[applied]!.statements.length && inDoubt(applied, k + 1)
  expect(doubt && state === states[k + 1], `${context}: row says ${k} statements of ${row.version} are in, and the database matches neither that nor a statement in doubt after it (row ${JSON.stringify(row)})`).toBe(true)
  return { applied, partial: { index: applied, row, inDatabase: k + 1 } }
}

/** A deterministic PRNG (mulberry32), so a failing trial can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
