import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { diff } from '../../../src/api/diff.js'
import { down, up } from '../../../src/api/migrate.js'
import type { ResolvedConfig } from '../../../src/config/schema.js'
import { quoteIdent } from '../../../src/dialects/mysql/quote.js'
import { guardOf } from '../../../src/schema/plan.js'
import { createTestDatabase, mysqlServers, type TestDatabase } from '../../helpers/mysql.js'

const { servers, skipped } = await mysqlServers()
for (const reason of skipped) describe.skip(reason, () => it('needs the server', () => {}))

/**
 * A narrowing type change of column `c` of `t (id int PRIMARY KEY, c <from>)`. `rows` are SQL
 * literals by id; `lost` the ids whose value the new type cannot keep exactly.
 */
interface Narrowing {
  readonly from: string
  readonly to: string
  readonly rows: Readonly<Record<number, string>>
  readonly lost: readonly number[]
  /** The forward type-change statement, exactly. */
  readonly sql: string
  /** Values compared as bytes (strings) rather than with `<=>` (numbers, dates). */
  readonly text?: boolean
}

const MODIFY = 'ALTER TABLE `t` MODIFY COLUMN `c`'

const CASES: readonly Narrowing[] = [
  {
    from: 'varchar(10)',
    to: 'varchar(3)',
    rows: { 1: "'abc'", 2: "'hello'", 3: "'ab  '", 4: "'ñäé'", 5: "'日本語x'", 6: "''", 7: 'NULL', 8: "'🙂🙂🙂'", 9: "'abc '" },
    lost: [2, 3, 5, 9],
    sql: `${MODIFY} varchar(3) NULL`,
    text: true,
  },
  {
    from: 'text',
    to: 'varchar(3)',
    rows: { 1: "'abc'", 2: "'hello'", 3: 'NULL', 4: "'ü'", 5: "REPEAT('x', 5000)", 6: "'a\\\\b'", 7: "'it''s'" },
    lost: [2, 5, 7],
    sql: `${MODIFY} varchar(3) NULL`,
    text: true,
  },
  {
    from: 'decimal(10,4)',
    to: 'decimal(10,2)',
    rows: { 1: '1.5', 2: '1.2345', 3: '-0.005', 4: '123456.78', 5: '0', 6: 'NULL', 7: '999999.9999', 8: '-999999.99', 9: '0.0001' },
    lost: [2, 3, 7, 9],
    sql: `${MODIFY} decimal(10,2) NULL`,
  },
  {
    from: 'bigint',
    to: 'int',
    rows: { 1: '2147483647', 2: '-2147483648', 3: '2147483648', 4: '-9223372036854775808', 5: '0', 6: 'NULL', 7: '9223372036854775807' },
    lost: [3, 4, 7],
    sql: `${MODIFY} int NULL`,
  },
  {
    from: 'int',
    to: 'smallint',
    rows: { 1: '32767', 2: '-32768', 3: '32768', 4: '-32769', 5: 'NULL', 6: '2147483647', 7: '-2147483648' },
    lost: [3, 4, 6, 7],
    sql: `${MODIFY} smallint NULL`,
  },
  {
    from: 'smallint',
    to: 'tinyint',
    rows: { 1: '127', 2: '-128', 3: '128', 4: '-129', 5: 'NULL', 6: '32767', 7: '0' },
    lost: [3, 4, 6],
    sql: `${MODIFY} tinyint NULL`,
  },
  {
    from: 'int',
    to: 'int unsigned',
    rows: { 1: '0', 2: '2147483647', 3: '-1', 4: '-2147483648', 5: 'NULL', 6: '42' },
    lost: [3, 4],
    sql: `${MODIFY} int unsigned NULL`,
  },
  {
    from: 'double',
    to: 'int',
    rows: { 1: '1.0', 2: '1.5', 3: '2.5', 4: '2147483647', 5: '2147483648', 6: '-2147483648', 7: '-2147483648.5', 8: '1e10', 9: 'NULL', 10: '0.000001', 11: '-0.5' },
    lost: [2, 3, 5, 7, 8, 10, 11],
    sql: `${MODIFY} int NULL`,
  },
  {
    from: 'datetime(6)',
    to: 'datetime',
    rows: {
      1: "'2024-01-05 13:45:00'", 2: "'2024-01-05 13:45:00.5'", 3: "'2024-01-05 13:45:00.000001'", 4: 'NULL', 5: "'1999-12-31 23:59:59.999999'",
      6: "'1000-01-01 00:00:00'", 7: "'9999-12-31 23:59:59'",
    },
    lost: [2, 3, 5],
    sql: `${MODIFY} datetime NULL`,
  },
  {
    from: "enum('a','b','c')",
    to: "enum('a','b')",
    rows: { 1: "'a'", 2: "'b'", 3: "'c'", 4: 'NULL', 5: "'c'", 6: "'a'" },
    lost: [3, 5],
    sql: `${MODIFY} enum('a','b') NULL`,
    text: true,
  },
  {
    from: "set('x','y','z')",
    to: "set('x','z')",
    rows: { 1: "'x'", 2: "'x,y'", 3: "'y'", 4: "''", 5: 'NULL', 6: "'x,z'", 7: "'x,y,z'" },
    lost: [2, 3, 7],
    sql: `${MODIFY} set('x','z') NULL`,
    text: true,
  },
  {
    from: 'text',
    to: 'int',
    rows: { 1: "'42'", 2: "'-7'", 3: "'007'", 4: "'abc'", 5: "'1.5'", 6: "''", 7: "'2147483648'", 8: 'NULL', 9: "' 8'", 10: "'-2147483648'" },
    lost: [3, 4, 5, 6, 7, 9],
    sql: `${MODIFY} int NULL`,
  },
]

describe.each([...servers])('MySQL ($label): generated type changes never convert lossily', (server) => {
  let live: TestDatabase
  let snap: TestDatabase
  let work: string
  let config: ResolvedConfig

  beforeAll(async () => {
    live = await createTestDatabase('lossless', server.url)
    snap = await createTestDatabase('lossless_snap', server.url)
  })
  afterAll(async () => {
    if (work !== undefined) await rm(work, { recursive: true, force: true })
    await live?.drop()
    await snap?.drop()
  })
  beforeEach(async () => {
    for (const table of ['t', 'migrator_history']) await live.driver.db.exec(`DROP TABLE IF EXISTS ${table}`)
    await snap.driver.db.exec('DROP TABLE IF EXISTS t')
    if (work !== undefined) await rm(work, { recursive: true, force: true })
    work = await mkdtemp(path.join(os.tmpdir(), 'migrator-mysql-lossless-'))
    await mkdir(path.join(work, 'migrations'))
    config = {
      cwd: work, url: live.url.raw, dir: path.join(work, 'migrations'), target: path.join(work, 'schema.sql'), schemas: [],
      historyTable: 'migrator_history', lockTimeoutMs: 5000, lockWaitMs: 10_000,
    }
  })

  async function rows(sql: string): Promise<Record<string, unknown>[]> {
    return live.driver.db.query(sql)
  }

  /** Every row's value (as the server prints it, and its bytes) and the column's type. */
  async function snapshot(): Promise<{ type: unknown; values: unknown }> {
    return {
      type: await rows(`SELECT COLUMN_TYPE AS type FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't' AND COLUMN_NAME = 'c'`),
      values: await rows('SELECT id, CAST(c AS CHAR) AS c, HEX(c) AS bytes FROM t ORDER BY id'),
    }
  }

  /** Rows of t whose value differs from the copy in the snapshot database. */
  async function changedRows(c: Narrowing): Promise<unknown[]> {
    const same = c.text === true ? 'CAST(a.c AS BINARY) <=> CAST(b.c AS BINARY)' : 'a.c <=> b.c'
    const copy = `${quoteIdent(snap.name)}.t`
    return rows(
      `SELECT b.id, CAST(a.c AS CHAR) AS now, CAST(b.c AS CHAR) AS was FROM ${copy} b LEFT JOIN t a ON a.id = b.id WHERE a.id IS NULL OR NOT (${same})
       UNION ALL SELECT a.id, CAST(a.c AS CHAR), NULL FROM t a LEFT JOIN ${copy} b ON b.id = a.id WHERE b.id IS NULL`,
    )
  }

  async function setUp(c: Narrowing, ids: readonly number[]): Promise<void> {
    await live.driver.db.exec(`CREATE TABLE t (id int PRIMARY KEY, c ${c.from})`)
    for (const id of ids) await live.driver.db.exec(`INSERT INTO t VALUES (${id}, ${c.rows[id]!})`)
    await live.driver.db.exec(`CREATE TABLE ${quoteIdent(snap.name)}.t AS SELECT * FROM t`)
    await writeFile(config.target!, `CREATE TABLE t (id int PRIMARY KEY, c ${c.to});\n`)
  }

  for (const c of CASES) {
    it(`${c.from} → ${c.to}: guards count exactly the rows that do not fit; up fails with them and keeps every value, applies without them`, async () => {
      await setUp(c, Object.keys(c.rows).map(Number))
      const outcome = await diff(config, { name: 'narrow' })
      const typeChange = outcome.plan.statements.filter((s) => s.comment.startsWith('alter column'))
      expect(typeChange.map((s) => s.sql)).toEqual([c.sql])
      // (a) the losses the driver reports match exactly the non-fitting rows, and each is a guard of the file.
      const current = await live.driver.inspect()
      const losses = outcome.changes.flatMap((change) => live.driver.valueLosses(change, { current }))
      expect(losses.length).toBeGreaterThan(0)
      for (const loss of losses) {
        expect(loss).toMatchObject({ table: 't', column: 'c', from: '`t`' })
        expect(outcome.up).toContain(`-- migrator:check-before ${guardOf(loss)}\n`)
      }
      const matched = await rows(`SELECT id FROM t WHERE ${losses.map((l) => `(${l.where})`).join(' OR ')} ORDER BY id`)
      expect(matched.map((r) => r.id)).toEqual([...c.lost])
      expect(typeChange[0]!.guards).toEqual(losses.map(guardOf))

      // (b) with the non-fitting rows, up fails on a guard and every value stays. Consent and lint
      // are overridden, so nothing but the migration's own guards stands in the way.
      const before = await snapshot()
      const failed = await up(config, { force: true, allowDataLoss: true })
      expect(failed.error?.message).toMatch(/check-before `SELECT count\(\*\) = 0 FROM `t` WHERE .*` failed/)
      expect(await snapshot()).toEqual(before)

      // (c) with only fitting rows it applies and every value is kept; the down restores them.
      const lost = c.lost.join(', ')
      await live.driver.db.exec(`DELETE FROM t WHERE id IN (${lost})`)
      await live.driver.db.exec(`DELETE FROM ${quoteIdent(snap.name)}.t WHERE id IN (${lost})`)
      const kept = await snapshot()
      const applied = await up(config)
      expect(applied.error).toBeUndefined()
      expect(await changedRows(c)).toEqual([])
      const reverted = await down(config)
      expect(reverted.error).toBeUndefined()
      expect(await snapshot()).toEqual(kept)
    })
  }

  it('widening changes carry no guard', async () => {
    await setUp({ from: 'varchar(3)', to: 'text', rows: { 1: "'abc'" }, lost: [], sql: '' }, [1])
    const outcome = await diff(config, { dryRun: true })
    expect(outcome.plan.statements.map((s) => [s.sql, s.guards])).toEqual([[`${MODIFY} text NULL`, undefined]])
    expect(outcome.up).not.toContain('check-before')
  })

  it('a renamed and narrowed column (CHANGE COLUMN) is guarded under its old name', async () => {
    await live.driver.db.exec('CREATE TABLE t (id int PRIMARY KEY, old_c varchar(10))')
    await live.driver.db.exec("INSERT INTO t VALUES (1, 'abc'), (2, 'hello')")
    await writeFile(config.target!, '-- migrator:rename column t.old_c to c\nCREATE TABLE t (id int PRIMARY KEY, c varchar(3));\n')
    const outcome = await diff(config, { name: 'rename' })
    expect(outcome.plan.statements.map((s) => s.sql)).toEqual(['ALTER TABLE `t` CHANGE COLUMN `old_c` `c` varchar(3) NULL'])
    expect(outcome.up).toContain('-- migrator:check-before SELECT count(*) = 0 FROM `t` WHERE CHAR_LENGTH(`old_c`) > 3\n')
    const failed = await up(config, { force: true, allowDataLoss: true })
    expect(failed.error?.message).toMatch(/check-before .* failed/)
    expect(await rows('SELECT id, old_c FROM t ORDER BY id')).toEqual([{ id: 1, old_c: 'abc' }, { id: 2, old_c: 'hello' }])
    await live.driver.db.exec('DELETE FROM t WHERE id = 2')
    // Only fitting values left: lint reads the CHANGE COLUMN as a rename, so no consent is needed.
    expect((await up(config)).error).toBeUndefined()
    expect(await rows('SELECT id, c FROM t ORDER BY id')).toEqual([{ id: 1, c: 'abc' }])
  })
})
