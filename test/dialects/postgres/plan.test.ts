import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, pgAvailable } from '../../helpers/postgres.js'
import type { TestDatabase } from '../../helpers/postgres.js'
import { cases } from './cases.js'
import { expectedSql, expectedSqlOn } from './expected-sql.js'
import { openPair, runCase } from './harness.js'
import type { Pair } from './harness.js'

const available = await pgAvailable()

describe.skipIf(!available)('postgres plan: single-edit cases on a real server', () => {
  let live: TestDatabase
  let target: TestDatabase
  let pair: Pair

  beforeAll(async () => {
    live = await createTestDatabase('mt_pg_plan')
    target = await createTestDatabase('mt_pg_plan')
    pair = await openPair(live.url, target.url)
  })

  afterAll(async () => {
    await pair?.live.close()
    await pair?.target.close()
    await live?.drop()
    await target?.drop()
  })

  it('has at least 40 cases, each with its expected SQL', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40)
    for (const c of cases) expect(c.sql ?? expectedSql[c.name], c.name).toBeDefined()
  })

  for (const c of cases) {
    it(c.name, async () => {
      const sql = c.sql ?? expectedSql[c.name]
      const plan = await runCase(pair, { ...c, sql: sql === undefined ? undefined : expectedSqlOn(Number(/PostgreSQL (\d+)/.exec(pair.live.serverVersion)?.[1]), sql) })
      if (process.env.PRINT_PLAN) {
        console.log(`--- ${c.name}\n${JSON.stringify(plan.statements.map((s) => s.sql), null, 2)}`)
      }
      const risks = new Set(plan.statements.flatMap((s) => s.risks))
      for (const risk of RISKS[c.name] ?? []) expect(risks, `${c.name}: risk ${risk}`).toContain(risk)
      if (c.concurrentIndexes === true) expect(plan.transactional).toBe(false)
      else expect(plan.transactional).toBe(true)
    })
  }
})

/** Risk flags a reviewer must see in the file header. */
const RISKS: Readonly<Record<string, readonly string[]>> = {
  'drop table': ['data-loss'],
  'drop column': ['data-loss'],
  'integer to bigint': ['rewrite'],
  'text to integer with USING': ['rewrite'],
  'add column with volatile default': ['rewrite'],
  'set not null': ['long-lock'],
  'unique index': ['long-lock'],
  'enum remove value (rebuild)': ['rewrite'],
}

describe('postgres plan: risk flags that must stay off', () => {
  it('widening varchar and numeric does not claim a rewrite', async () => {
    const { plan } = await import('../../../src/dialects/postgres/plan.js')
    const col = (type: string) => ({ name: 'c', type, nullable: true })
    const table = { schema: 'public', name: 't', columns: [], indexes: [], uniques: [], foreignKeys: [], checks: [], options: {} }
    for (const [from, to] of [['character varying(20)', 'character varying(50)'], ['character varying(20)', 'text'], ['numeric(10,2)', 'numeric(12,2)']] as const) {
      const p = plan([{ kind: 'alterTable', from: table, to: table, changes: [{ kind: 'alterColumn', from: col(from), to: col(to), aspects: ['type'] }] }])
      expect(p.statements[0]?.risks, `${from} → ${to}`).toEqual([])
    }
  })
})
