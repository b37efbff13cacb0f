import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, mysqlServers, type TestDatabase } from '../../helpers/mysql.js'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { diff } from '../../../src/api/diff.js'
import { down, up } from '../../../src/api/migrate.js'
import { applyScript } from '../../helpers/mysql.js'
import { configIn, roundTrip } from './round-trip.js'

const { servers, skipped } = await mysqlServers()
for (const reason of skipped) describe.skip(reason, () => it('needs the server', () => {}))

/** Every unique key holds the partitioning columns (a server rule), so one key serves every scheme. */
const TABLE = `CREATE TABLE m (
  id int NOT NULL, d date NOT NULL, region varchar(10) NOT NULL, note text NULL, amount decimal(12,2) NULL,
  PRIMARY KEY (id, d, region)
)`
const SEED = `
INSERT INTO m VALUES
  (1, '1999-12-31', 'eu', NULL, -9999999999.99),
  (2, '2000-01-01', 'us', 'ünïcödé ✓', 0),
  (3, '2009-06-15', 'eu', REPEAT('x', 5000), 9999999999.99),
  (4, '1970-01-01', 'uk', '', NULL),
  (2147483647, '2005-05-05', 'us', 'it''s', 0.01);
`
const ROWS = ['SELECT id, CAST(d AS CHAR) AS d, region, note, CAST(amount AS CHAR) AS amount FROM m ORDER BY id']
const RANGE = (partitions: string): string => `${TABLE} PARTITION BY RANGE (year(d)) (${partitions});`

describe.each([...servers])('MySQL ($label): partitioning', (server) => {
  let live: TestDatabase
  beforeAll(async () => {
    live = await createTestDatabase('partitions', server.url)
  })
  afterAll(async () => {
    await live?.drop()
  })

  it('partitions a table by RANGE and removes the partitioning on down, keeping every row', async () => {
    const { sql, downSql } = await roundTrip(live, {
      current: `${TABLE};${SEED}`,
      desired: RANGE('PARTITION p0 VALUES LESS THAN (2000), PARTITION p1 VALUES LESS THAN (2010), PARTITION pmax VALUES LESS THAN MAXVALUE'),
      rows: ROWS,
    })
    expect(sql).toEqual([
      'ALTER TABLE `m` PARTITION BY RANGE (year(`d`)) (PARTITION `p0` VALUES LESS THAN (2000), PARTITION `p1` VALUES LESS THAN (2010), PARTITION `pmax` VALUES LESS THAN MAXVALUE)',
    ])
    expect(downSql).toEqual(['ALTER TABLE `m` REMOVE PARTITIONING'])
  })

  it('adds a RANGE partition at the end with ADD PARTITION', async () => {
    const { sql, downSql } = await roundTrip(live, {
      current: `${RANGE('PARTITION p0 VALUES LESS THAN (2000), PARTITION p1 VALUES LESS THAN (2010)')}${SEED}`,
      desired: RANGE('PARTITION p0 VALUES LESS THAN (2000), PARTITION p1 VALUES LESS THAN (2010), PARTITION p2 VALUES LESS THAN (2020)'),
      rows: ROWS,
    })
    expect(sql).toEqual(['ALTER TABLE `m` ADD PARTITION (PARTITION `p2` VALUES LESS THAN (2020))'])
    expect(downSql).toEqual(['ALTER TABLE `m` DROP PARTITION `p2`'])
  })

  it('a down that drops a partition its up added, now holding rows, needs consent too', async () => {
    const work = await mkdtemp(path.join(os.tmpdir(), 'migrator-mysql-partition-down-'))
    try {
      await live.driver.db.exec(`DROP DATABASE \`${live.name}\``)
      await live.driver.db.exec(`CREATE DATABASE \`${live.name}\``)
      await live.driver.db.exec(`USE \`${live.name}\``)
      await mkdir(path.join(work, 'migrations'))
      const config = configIn(work, live)
      await applyScript(live.driver, `${RANGE('PARTITION p0 VALUES LESS THAN (2000), PARTITION p1 VALUES LESS THAN (2010)')}${SEED}`)
      await writeFile(config.target!, RANGE('PARTITION p0 VALUES LESS THAN (2000), PARTITION p1 VALUES LESS THAN (2010), PARTITION p2 VALUES LESS THAN (2020)'))
      await diff(config, { name: 'add_p2' })
      expect((await up(config)).error).toBeUndefined()
      await live.driver.db.exec("INSERT INTO m VALUES (7, '2015-03-03', 'eu', 'new', 1)")
      await expect(down(config)).rejects.toThrow(/refusing to revert: it would destroy stored data: m \(1 row\): drops partition p2/)
      expect(await live.driver.db.query('SELECT id FROM m WHERE id = 7')).toEqual([{ id: 7 }])
      expect((await down(config, { allowDataLoss: true })).error).toBeUndefined()
      expect(await live.driver.db.query('SELECT id FROM m WHERE id = 7')).toEqual([])
    } finally {
      await rm(work, { recursive: true, force: true })
    }
  })

  it('dropping a partition that holds rows is a counted data loss: refused without consent, applied with it', async () => {
    const { sql, outcome } = await roundTrip(live, {
      current: `${RANGE('PARTITION p0 VALUES LESS THAN (2000), PARTITION p1 VALUES LESS THAN (2010)')}${SEED}`,
      desired: RANGE('PARTITION p1 VALUES LESS THAN (2010)'),
      rows: ROWS,
      // Rows 1 and 4 lived in p0 (years before 2000).
      rowsAfterUp: [[
        { id: 2, d: '2000-01-01', region: 'us', note: 'ünïcödé ✓', amount: '0.00' },
        { id: 3, d: '2009-06-15', region: 'eu', note: 'x'.repeat(5000), amount: '9999999999.99' },
        { id: 2147483647, d: '2005-05-05', region: 'us', note: "it's", amount: '0.01' },
      ]],
      rowsLost: true,
      refusedWithoutConsent: /refusing to apply: it would destroy stored data: m \(2 rows\): drops partition p0/,
      upOptions: { allowDataLoss: true },
    })
    expect(sql).toEqual(['ALTER TABLE `m` DROP PARTITION `p0`'])
    const ds106 = outcome.lint.findings.filter((f) => f.code === 'DS106')
    expect(ds106.map((f) => [f.severity, f.message, f.rows])).toEqual([['error', 'drops partition p0 of m with 2 rows', 2]])
    expect(outcome.plan.statements[0]?.risks).toContain('data-loss')
  })

  it('LIST COLUMNS: adds and drops (empty) partitions', async () => {
    const list = (partitions: string): string => `${TABLE} PARTITION BY LIST COLUMNS (region) (${partitions});`
    const { sql, downSql } = await roundTrip(live, {
      current: `${list("PARTITION pe VALUES IN ('eu', 'uk'), PARTITION pus VALUES IN ('us'), PARTITION pasia VALUES IN ('jp', 'cn')")}${SEED}`,
      desired: list("PARTITION pe VALUES IN ('eu', 'uk'), PARTITION pus VALUES IN ('us'), PARTITION pla VALUES IN ('br', 'ar')"),
      rows: ROWS,
    })
    expect(sql).toEqual(['ALTER TABLE `m` DROP PARTITION `pasia`', "ALTER TABLE `m` ADD PARTITION (PARTITION `pla` VALUES IN ('br','ar'))"])
    expect(downSql[0]).toBe('ALTER TABLE `m` DROP PARTITION `pla`')
  })

  it('moving a RANGE bound or splitting a partition reorganizes just those partitions (every row moved, none lost)', async () => {
    const moved = await roundTrip(live, {
      current: `${RANGE('PARTITION p0 VALUES LESS THAN (2000), PARTITION p1 VALUES LESS THAN MAXVALUE')}${SEED}`,
      desired: RANGE('PARTITION p0 VALUES LESS THAN (2005), PARTITION p1 VALUES LESS THAN MAXVALUE'),
      rows: ROWS,
    })
    expect(moved.sql).toEqual(['ALTER TABLE `m` REORGANIZE PARTITION `p0`, `p1` INTO (PARTITION `p0` VALUES LESS THAN (2005), PARTITION `p1` VALUES LESS THAN MAXVALUE)'])
    const split = await roundTrip(live, {
      current: `${RANGE('PARTITION p0 VALUES LESS THAN (2000), PARTITION p1 VALUES LESS THAN MAXVALUE')}${SEED}`,
      desired: RANGE('PARTITION p0 VALUES LESS THAN (2000), PARTITION p1 VALUES LESS THAN (2006), PARTITION p2 VALUES LESS THAN MAXVALUE'),
      rows: ROWS,
    })
    expect(split.sql).toEqual(['ALTER TABLE `m` REORGANIZE PARTITION `p1` INTO (PARTITION `p1` VALUES LESS THAN (2006), PARTITION `p2` VALUES LESS THAN MAXVALUE)'])
    expect(split.downSql).toEqual(['ALTER TABLE `m` REORGANIZE PARTITION `p1`, `p2` INTO (PARTITION `p1` VALUES LESS THAN MAXVALUE)'])
  })

  it('shrinking the last RANGE re-partitions the whole table (REORGANIZE cannot shrink it)', async () => {
    const { sql } = await roundTrip(live, {
      current: `${RANGE('PARTITION p0 VALUES LESS THAN (2000), PARTITION p1 VALUES LESS THAN (2100)')}${SEED}`,
      desired: RANGE('PARTITION p0 VALUES LESS THAN (2000), PARTITION p1 VALUES LESS THAN (2010)'),
      rows: ROWS,
    })
    expect(sql).toEqual(['ALTER TABLE `m` PARTITION BY RANGE (year(`d`)) (PARTITION `p0` VALUES LESS THAN (2000), PARTITION `p1` VALUES LESS THAN (2010))'])
  })

  it('LINEAR HASH partition count, then another scheme (KEY), then RANGE COLUMNS', async () => {
    const hash = await roundTrip(live, {
      current: `${TABLE} PARTITION BY LINEAR HASH (id) PARTITIONS 3;${SEED}`,
      desired: `${TABLE} PARTITION BY LINEAR HASH (id) PARTITIONS 5;`,
      rows: ROWS,
    })
    expect(hash.sql).toEqual(['ALTER TABLE `m` PARTITION BY LINEAR HASH (`id`) (PARTITION `p0`, PARTITION `p1`, PARTITION `p2`, PARTITION `p3`, PARTITION `p4`)'])
    const key = await roundTrip(live, {
      current: `${TABLE} PARTITION BY HASH (id) PARTITIONS 2;${SEED}`,
      desired: `${TABLE} PARTITION BY KEY (region) PARTITIONS 2;`,
      rows: ROWS,
    })
    expect(key.sql).toEqual(['ALTER TABLE `m` PARTITION BY KEY (`region`) (PARTITION `p0`, PARTITION `p1`)'])
    const columns = await roundTrip(live, {
      current: `${TABLE} PARTITION BY LINEAR KEY (id) PARTITIONS 2;${SEED}`,
      desired: `${TABLE} PARTITION BY RANGE COLUMNS (d, region) (PARTITION p0 VALUES LESS THAN ('2000-01-01', 'eu'), PARTITION p1 VALUES LESS THAN (MAXVALUE, MAXVALUE));`,
      rows: ROWS,
    })
    expect(columns.sql).toHaveLength(1)
    expect(columns.sql[0]).toMatch(/^ALTER TABLE `m` PARTITION BY RANGE COLUMNS \(`d`,`region`\) \(PARTITION `p0` VALUES LESS THAN \('2000-01-01','eu'\), PARTITION `p1` VALUES LESS THAN \(MAXVALUE,MAXVALUE\)\)$/)
  })

  it('removes partitioning (subpartitioned table), keeping every row; down puts the subpartitions back', async () => {
    const { sql, downSql } = await roundTrip(live, {
      current: `${TABLE} PARTITION BY RANGE (year(d)) SUBPARTITION BY HASH (id) SUBPARTITIONS 2 (PARTITION p0 VALUES LESS THAN (2000), PARTITION p1 VALUES LESS THAN MAXVALUE);${SEED}`,
      desired: `${TABLE};`,
      rows: ROWS,
    })
    expect(sql).toEqual(['ALTER TABLE `m` REMOVE PARTITIONING'])
    expect(downSql).toEqual([
      'ALTER TABLE `m` PARTITION BY RANGE (year(`d`)) SUBPARTITION BY HASH (`id`) SUBPARTITIONS 2 (PARTITION `p0` VALUES LESS THAN (2000), PARTITION `p1` VALUES LESS THAN MAXVALUE)',
    ])
  })

  it('creates and drops a partitioned table whole', async () => {
    const { sql } = await roundTrip(live, {
      current: `${TABLE};${SEED}`,
      desired: `${TABLE};\nCREATE TABLE n (id int PRIMARY KEY) PARTITION BY HASH (id) PARTITIONS 2;`,
      rows: ROWS,
    })
    expect(sql).toEqual(['CREATE TABLE `n` (\n  `id` int NOT NULL,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci\nPARTITION BY HASH (`id`) (PARTITION `p0`, PARTITION `p1`)'])
  })

  it('KEY partitioning keeps its ALGORITHM: a declared ALGORITHM=2 (the default) is No changes, ALGORITHM=1 re-partitions', async () => {
    const { sql, downSql } = await roundTrip(live, {
      current: `${TABLE} PARTITION BY KEY ALGORITHM=2 (id) PARTITIONS 3;${SEED}`,
      desired: `${TABLE} PARTITION BY LINEAR KEY ALGORITHM=1 (id) PARTITIONS 3;`,
      rows: ROWS,
    })
    expect(sql).toEqual(['ALTER TABLE `m` PARTITION BY LINEAR KEY ALGORITHM = 1 (`id`) (PARTITION `p0`, PARTITION `p1`, PARTITION `p2`)'])
    expect(downSql).toEqual(['ALTER TABLE `m` PARTITION BY KEY (`id`) (PARTITION `p0`, PARTITION `p1`, PARTITION `p2`)'])
  })
})
