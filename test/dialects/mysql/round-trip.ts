import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { expect } from 'vitest'
import { diff, type DiffOutcome } from '../../../src/api/diff.js'
import { down, up, type UpOptions } from '../../../src/api/migrate.js'
import type { ResolvedConfig } from '../../../src/config/schema.js'
import { quoteIdent } from '../../../src/dialects/mysql/quote.js'
import type { Schema } from '../../../src/schema/model.js'
import { applyScript, type TestDatabase } from '../../helpers/mysql.js'
import { ownTables } from '../../../src/runner/snapshots.js'

/**
 * One end-to-end case through the public API, as a user runs it: the live database holds
 * `current` (DDL and seed rows), the target file says `desired`; `diff` writes a migration, `up`
 * applies it, a second `diff` finds no changes, `down` restores the original schema.
 */
export interface RoundTrip {
  readonly current: string
  readonly desired: string
  /**
   * Queries over the seeded rows: each must give the same rows before `up`, after it (unless
   * `rowsAfterUp` says otherwise) and after `down`. Compare values, not counts.
   */
  readonly rows?: readonly string[]
  /** The same queries as they must be written after `up`, where it renames a table they read. */
  readonly rowsUp?: readonly string[]
  /** What `rows` give after `up`, where the change alters them on purpose (a dropped partition). */
  readonly rowsAfterUp?: readonly unknown[]
  /** The down cannot bring rows back (they were dropped): `rows` are not compared after it. */
  readonly rowsLost?: boolean
  /** The down drops values the up created (a new column): it runs with consent, `rows` still compared. */
  readonly downDropsValues?: boolean
  readonly upOptions?: UpOptions
  /** `up` without consent must refuse with this message and change nothing (then `upOptions` apply). */
  readonly refusedWithoutConsent?: RegExp
}

export interface RoundTripResult {
  readonly outcome: DiffOutcome
  /** The forward statements of the written migration. */
  readonly sql: readonly string[]
  /** The statements of the written down file, in execution order. */
  readonly downSql: readonly string[]
}

/** Drops and recreates the test database, then runs the case; returns the first diff for SQL checks. */
export async function roundTrip(live: TestDatabase, c: RoundTrip): Promise<RoundTripResult> {
  const name = quoteIdent(live.name)
  await live.driver.db.exec(`DROP DATABASE ${name}`)
  await live.driver.db.exec(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`)
  await live.driver.db.exec(`USE ${name}`)
  const work = await mkdtemp(path.join(os.tmpdir(), 'migrator-mysql-fidelity-'))
  try {
    await mkdir(path.join(work, 'migrations'))
    const config = configIn(work, live)
    await applyScript(live.driver, c.current)
    const original = await live.driver.inspect({ exclude: ownTables('migrator_history') })
    const seeded = await readRows(live, c.rows)
    await writeFile(config.target!, c.desired)

    const outcome = await diff(config, { name: 'change' })
    expect(outcome.changes.length, 'the first diff finds the change').toBeGreaterThan(0)
    expect(outcome.written, 'the first diff writes a migration').toBeDefined()

    if (c.refusedWithoutConsent !== undefined) {
      await expect(up(config), 'up without consent').rejects.toThrow(c.refusedWithoutConsent)
      expect(withoutHistory(await live.driver.inspect()), 'the schema after a refused up').toEqual(original)
      expect(await readRows(live, c.rows), 'rows after a refused up').toEqual(seeded)
    }
    const applied = await up(config, c.upOptions)
    expect(applied.error, 'up applies').toBeUndefined()
    const second = await diff(config, { dryRun: true })
    expect(second.plan.statements.map((s) => s.sql), 'a second diff says No changes').toEqual([])
    expect(second.changes).toEqual([])
    expect(await readRows(live, c.rowsUp ?? c.rows), 'rows after up').toEqual(c.rowsAfterUp ?? seeded)

    const reverted = await down(config, c.rowsLost === true || c.downDropsValues === true ? { allowDataLoss: true } : {})
    expect(reverted.error, 'down reverts').toBeUndefined()
    expect(withoutHistory(await live.driver.inspect()), 'the schema after down').toEqual(original)
    if (c.rowsLost !== true) expect(await readRows(live, c.rows), 'rows after down').toEqual(seeded)
    return {
      outcome,
      sql: outcome.plan.statements.map((s) => s.sql),
      downSql: [...outcome.plan.statements].reverse().flatMap((s) => s.reverse),
    }
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

/** A project in directory `work` (migrations/, schema.sql) on the test database. */
export function configIn(work: string, live: TestDatabase): ResolvedConfig {
  return {
    cwd: work, url: live.url.raw, dir: path.join(work, 'migrations'), target: path.join(work, 'schema.sql'), schemas: [],
    historyTable: 'migrator_history', lockTimeoutMs: 5000, lockWaitMs: 10_000,
  }
}

function withoutHistory(schema: Schema): Schema {
  const own = ownTables('migrator_history')
  return { ...schema, tables: schema.tables.filter((t) => !own.includes(t.name)) }
}

async function readRows(live: TestDatabase, queries: readonly string[] = []): Promise<unknown[]> {
  const out: unknown[] = []
  for (const sql of queries) out.push(await live.driver.db.query(sql))
  return out
}
