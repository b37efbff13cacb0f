import { expect } from 'vitest'
import type { DatabaseUrl } from '../../../src/config/url.js'
import type { Db } from '../../../src/db.js'
import type { Plan } from '../../../src/schema/plan.js'
import { open } from '../../../src/dialects/postgres/index.js'
import type { PostgresDriver } from '../../../src/dialects/postgres/index.js'
import { diffSchemas } from '../../../src/schema/diff.js'
import type { Schema } from '../../../src/schema/model.js'

/** One single-edit case: `before` is the live schema, `after` the target; both applied as SQL. */
export interface PlanCase {
  readonly name: string
  readonly before: string
  readonly after: string
  /** Rows inserted into the live database before the migration; their tables must keep their row count. */
  readonly seed?: string
  /** The exact forward SQL (statements, in order). */
  readonly sql?: readonly string[]
  readonly schemas?: readonly string[]
  readonly concurrentIndexes?: boolean
  /** Edits the inspected target (e.g. declares `renamedFrom`, which inspection never sets). */
  readonly desired?: (schema: Schema) => Schema
}

export async function execScript(driver: PostgresDriver, sql: string): Promise<void> {
  for (const s of driver.splitStatements(sql)) await driver.db.exec(s.sql)
}

/** Empties the database between cases: every schema but the system ones goes, public comes back empty. */
export async function reset(db: Db): Promise<void> {
  const schemas = await db.query<{ name: string }>(
    "SELECT nspname AS name FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_%'",
  )
  for (const s of schemas) await db.exec(`DROP SCHEMA "${s.name}" CASCADE`)
  const exts = await db.query<{ name: string }>("SELECT extname AS name FROM pg_extension WHERE extname <> 'plpgsql'")
  for (const e of exts) await db.exec(`DROP EXTENSION "${e.name}" CASCADE`)
  await db.exec('CREATE SCHEMA public')
}

export async function rowCounts(driver: PostgresDriver, schema: Schema): Promise<Map<string, number>> {
  const counts = new Map<string, number>()
  for (const t of schema.tables) {
    const rows = await driver.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${driver.quoteIdent(t.schema ?? 'public')}.${driver.quoteIdent(t.name)}`)
    counts.set(`${t.schema}.${t.name}`, Number(rows[0]?.n))
  }
  return counts
}

export async function applyPlan(driver: PostgresDriver, plan: Plan): Promise<void> {
  if (plan.transactional) {
    await driver.db.transaction(async (tx) => {
      for (const s of plan.statements) await tx.exec(s.sql)
    })
  } else for (const s of plan.statements) await driver.db.exec(s.sql)
}

/** Runs every statement's reverse, newest statement first, as a down migration does. */
export async function applyReverse(driver: PostgresDriver, plan: Plan): Promise<void> {
  const run = async (db: Db): Promise<void> => {
    for (const s of [...plan.statements].reverse()) for (const r of s.reverse) await db.exec(r)
  }
  if (plan.transactional) await driver.db.transaction(run)
  else await run(driver.db)
}

export interface Pair {
  readonly live: PostgresDriver
  readonly target: PostgresDriver
}

export async function openPair(liveUrl: DatabaseUrl, targetUrl: DatabaseUrl): Promise<Pair> {
  return { live: await open(liveUrl), target: await open(targetUrl) }
}

/**
 * Checks one case end to end: SQL produced, convergence (forward → inspect equals the target and a
 * second diff is empty), data preserved, and reversibility (reverse → inspect equals the original).
 */
export async function runCase(pair: Pair, c: PlanCase): Promise<Plan> {
  const { live, target } = pair
  await reset(live.db)
  await reset(target.db)
  await execScript(live, c.before)
  await execScript(target, c.after)
  const opts = { schemas: c.schemas ?? ['public'] }
  const current = await live.inspect(opts)
  const inspectedTarget = await target.inspect(opts)
  const desired = c.desired === undefined ? inspectedTarget : c.desired(inspectedTarget)
  const { changes } = diffSchemas(current, desired, { capabilities: live.capabilities })
  const plan = live.plan(changes, { current, desired, concurrentIndexes: c.concurrentIndexes })
  if (c.sql !== undefined) expect(plan.statements.map((s) => s.sql)).toEqual(c.sql)

  if (c.seed !== undefined) await execScript(live, c.seed)
  const before = await rowCounts(live, current)
  await applyPlan(live, plan)
  const after = await live.inspect(opts)
  expect(after, 'convergence: inspected schema equals the target').toEqual(inspectedTarget)
  expect(diffSchemas(after, inspectedTarget, { capabilities: live.capabilities }).changes, 'second diff is empty').toEqual([])
  const afterCounts = await rowCounts(live, after)
  for (const [table, n] of before) if (afterCounts.has(table)) expect(afterCounts.get(table), `rows of ${table}`).toBe(n)

  await applyReverse(live, plan)
  expect(await live.inspect(opts), 'reversibility: inspected schema equals the original').toEqual(current)
  const restoredCounts = await rowCounts(live, current)
  for (const [table, n] of before) if (afterCounts.has(table)) expect(restoredCounts.get(table), `rows of ${table} after reverse`).toBe(n)
  return plan
}
