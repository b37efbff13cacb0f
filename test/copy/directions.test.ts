import { describe, expect, it } from 'vitest'
import { parseUrl } from '../../src/config/url.js'
import { openDriver } from '../../src/dialects/registry.js'
import type { CopyReport } from '../../src/copy/run.js'
import type { Column } from '../../src/schema/model.js'
import { runCli } from '../cli/helpers.js'
import { availableDialects } from '../cli/dialect-databases.js'
import { EXPECTED_TYPES } from './expected-types.js'
import { ORDER_ROWS, SOURCES } from './sources.js'
import { copyTestbed } from './testbed.js'

const available = await availableDialects()
const dialects = (['postgres', 'mariadb', 'sqlite'] as const).filter((d) => available[d])
const { cwd, database } = copyTestbed('copy')

/** Column name → type of `table` as the database at `url` inspects. */
async function inspectColumns(url: string, table: string): Promise<Record<string, Column['type']>> {
  const driver = await openDriver(parseUrl(url))
  try {
    const schema = await driver.inspect()
    const found = schema.tables.find((t) => t.name === table)
    return Object.fromEntries((found?.columns ?? []).map((c) => [c.name, c.type]))
  } finally {
    await driver.close()
  }
}

describe('migrator copy between engines', () => {
  for (const from of dialects) {
    for (const to of dialects) {
      if (from === to) continue
      it(`${from} → ${to}: copies every mapped type and proves it`, { timeout: 180_000 }, async () => {
        const source = await database(from, `cp_src_${from.slice(0, 2)}`, SOURCES[from])
        const target = await database(to, `cp_dst_${to.slice(0, 2)}`)

        const copy = await runCli(['copy', '--from', source.url, '--to', target.url, '--json', '--batch', '700'], { cwd })
        expect(copy.stderr).not.toMatch(/error/)
        expect(copy.code, copy.stdout + copy.stderr).toBe(0)
        // Off a terminal, progress is a log line per tenth of a table, with rate and ETA.
        expect(copy.stderr).toMatch(/^(public\.)?orders: [\d,]+\/3,000 rows · [\d,]+ rows\/s · ETA \d+s$/m)
        const report = JSON.parse(copy.stdout) as CopyReport
        expect(report.ok).toBe(true)
        expect(report.proof.map((p) => [p.table.split('.').pop(), p.sourceRows, p.targetRows, p.match])).toEqual([
          ['customers', 3, 3, true],
          ['orders', ORDER_ROWS, ORDER_ROWS, true],
        ])
        for (const row of report.proof) expect(row.targetChecksum).toBe(row.sourceChecksum)

        // The target's own inspection shows the mapped types.
        expect(await inspectColumns(target.url, 'customers')).toEqual(EXPECTED_TYPES[`${from}→${to}`])

        // Values read back natively on the target, not through the copy's own reader.
        const [first] = await target.query<Record<string, unknown>>(`SELECT name, email FROM customers WHERE email = 'a@example.com'`)
        expect(first?.name).toBe('Zoë ☃ 日本')
        const [nulls] = await target.query<Record<string, unknown>>(`SELECT name, tier, born FROM customers WHERE email = 'b@example.com'`)
        expect(nulls).toEqual({ name: null, tier: null, born: null })
        const [huge] = await target.query<Record<string, unknown>>(`SELECT ${to === 'sqlite' ? 'CAST(huge AS TEXT)' : to === 'postgres' ? 'huge::text' : 'CAST(huge AS CHAR)'} AS huge FROM customers WHERE email = 'c@example.com'`)
        expect(huge?.huge).toBe('-9223372036854775808')

        // Keys keep counting past the copied maximum.
        await target.exec(`INSERT INTO orders (customer_id, total) VALUES (1, 1)`)
        const [last] = await target.query<{ id: unknown }>(`SELECT max(id) AS id FROM orders`)
        expect(Number(last?.id)).toBe(ORDER_ROWS + 1)
      })
    }
  }
})
