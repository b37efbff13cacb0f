import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MysqlDriver } from '../../../src/dialects/mysql/index.js'
import { quoteIdent } from '../../../src/dialects/mysql/quote.js'
import { diffSchemas } from '../../../src/schema/diff.js'
import type { Schema } from '../../../src/schema/model.js'
import { applyScript, createTestDatabase, mysqlServers, type TestDatabase } from '../../helpers/mysql.js'
import { BASE, CASES, forFlavor } from './cases.js'

const { servers, skipped } = await mysqlServers()
for (const reason of skipped) describe.skip(reason, () => it('needs the server', () => {}))
const PRINT = process.env.MYSQL_CASES_PRINT === '1'

async function reset(test: TestDatabase): Promise<void> {
  const name = quoteIdent(test.name)
  await test.driver.db.exec(`DROP DATABASE ${name}`)
  await test.driver.db.exec(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`)
  await test.driver.db.exec(`USE ${name}`)
}

async function rowCounts(driver: MysqlDriver, schema: Schema): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  for (const table of schema.tables) {
    const rows = await driver.db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${quoteIdent(table.name)}`)
    counts[table.name] = Number(rows[0]?.n)
  }
  return counts
}

function changesBetween(driver: MysqlDriver, from: Schema, to: Schema) {
  return diffSchemas(from, to, { capabilities: driver.capabilities }).changes
}

describe.each([...servers])('mysql plan: single-edit cases on $label', (server) => {
  let live: TestDatabase
  let target: TestDatabase

  beforeAll(async () => {
    live = await createTestDatabase('plan_live', server.url)
    target = await createTestDatabase('plan_target', server.url)
  })

  afterAll(async () => {
    await live?.drop()
    await target?.drop()
  })

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, anyFlavor) => {
    const testCase = forFlavor(anyFlavor, live.driver.flavor)
    await reset(live)
    await reset(target)
    const setup = testCase.base === undefined ? BASE : `${BASE}\n${testCase.base};`
    await applyScript(live.driver, setup)
    await applyScript(target.driver, `${setup}\n${testCase.edit};`)

    const original = await live.driver.inspect()
    const inspected = await target.driver.inspect()
    const desired = testCase.mark ? testCase.mark(inspected) : inspected
    const before = await rowCounts(live.driver, original)

    const plan = live.driver.plan(changesBetween(live.driver, original, desired))
    const sql = plan.statements.map((s) => s.sql)
    if (PRINT) console.log(JSON.stringify({ name: testCase.name, sql }, null, 2))
    else expect(sql).toEqual(testCase.sql)
    expect(sql.length).toBeGreaterThan(0)
    for (const statement of plan.statements) expect(statement.comment).not.toBe('')

    // Forward converges on the desired schema, and the rows are still there.
    for (const statement of plan.statements) await live.driver.db.exec(statement.sql)
    const after = await live.driver.inspect()
    expect(changesBetween(live.driver, after, inspected)).toEqual([])
    expect(after).toEqual(inspected)
    if (!testCase.dropsRows) {
      const renamedTables = new Map(desired.tables.flatMap((t) => (t.renamedFrom ? [[t.renamedFrom, t.name] as const] : [])))
      const afterCounts = await rowCounts(live.driver, after)
      for (const [table, count] of Object.entries(before)) {
        const now = renamedTables.get(table) ?? table
        if (now in afterCounts) expect(afterCounts[now], `rows of ${table}`).toBe(count)
      }
    }

    // Reverses, newest first, restore the original schema and keep the rows.
    for (const statement of [...plan.statements].reverse()) {
      expect(statement.reverse.length, `reverse of ${statement.sql}`).toBeGreaterThan(0)
      for (const reverse of statement.reverse) await live.driver.db.exec(reverse)
    }
    const restored = await live.driver.inspect()
    expect(changesBetween(live.driver, restored, original)).toEqual([])
    expect(restored).toEqual(original)
    if (!plan.statements.some((s) => s.risks.includes('data-loss'))) expect(await rowCounts(live.driver, restored)).toEqual(before)
  })
})
