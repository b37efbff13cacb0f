import { capture, expectPreserved, expectRefused } from '../outcome.js'
import type { Scenario } from '../scenario.js'
import type { Stage } from '../stage.js'
import { TEXTS } from '../values.js'

/** A database that existed before migrator: customers (3 rows), orders (5 rows) and the witness (6 rows). */
const LIVE = (s: Stage) => `CREATE TABLE customers (id ${s.t.int} PRIMARY KEY, name ${s.t.text});
CREATE TABLE orders (id ${s.t.int} PRIMARY KEY, customer_id ${s.t.int}, total ${s.t.decimal(12, 2)});
`

async function seedLive(s: Stage): Promise<void> {
  await s.db.exec(LIVE(s))
  await s.db.insert('customers', [0, 1, 2].map((i) => ({ id: i + 1, name: TEXTS[i] ?? null })))
  await s.db.insert('orders', ['0.00', '-1.50', '9999999999.99', null, '0.01'].map((total, i) => ({ id: i + 1, customer_id: (i % 3) + 1, total })))
}

async function init(s: Stage): Promise<void> {
  const result = await s.cli('init')
  s.expect(result.code, `migrator init must succeed\n${s.context()}`).toBe(0)
}

/** The README's first steps with the scaffolded schema.sql, which declares no table: the generated DROPs are refused. */
const untouchedSchema: Scenario = {
  name: 'adoption: init, schema.sql left as scaffolded, diff, up: the generated DROPs of customers, orders and witness refused',
  stage: { bare: true },
  async run(s) {
    await seedLive(s)
    await init(s)
    await s.diff('adopt')
    const before = await s.db.dump()
    await expectRefused(s, await s.cli('up'), before, { mentions: ['customers', 'orders', 'witness'], counts: { customers: 3, orders: 5, witness: 6 }, consent: true })
  },
}

/** The same steps with the live schema written into schema.sql: nothing to drop, every row kept. */
const liveSchema: Scenario = {
  name: 'adoption: init, the live schema put into schema.sql, diff, up: every value identical',
  stage: { bare: true },
  async run(s) {
    await seedLive(s)
    await init(s)
    s.target(LIVE(s))
    const diff = await s.cli('diff', 'adopt')
    s.expect(diff.code, `diff must succeed\n${s.context()}`).toBe(0)
    const before = await capture(s, [
      { table: 'customers', columns: ['id', 'name'] },
      { table: 'orders', columns: ['id', 'customer_id', 'total'] },
    ])
    await expectPreserved(s, await s.cli('up'), before)
  },
}

export const ADOPTION: readonly Scenario[] = [untouchedSchema, liveSchema]
