import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, mysqlServers, type TestDatabase } from '../../helpers/mysql.js'
import { roundTrip } from './round-trip.js'

const { servers, skipped } = await mysqlServers()
for (const reason of skipped) describe.skip(reason, () => it('needs the server', () => {}))
const mariadb = servers.filter((s) => s.label.includes('MariaDB'))
for (const s of servers.filter((s) => !mariadb.includes(s))) describe.skip(`${s.label}: system versioning is MariaDB's`, () => it('needs MariaDB', () => {}))

const TABLE = 'CREATE TABLE v (id int PRIMARY KEY, note varchar(300) NULL, amount decimal(12,2) NULL)'
const SEED = `INSERT INTO v VALUES (1, NULL, -9999999999.99), (2, 'ünïcödé ✓', 0), (2147483647, REPEAT('x', 300), NULL);\n`
const ROWS = ['SELECT id, note, CAST(amount AS CHAR) AS amount FROM v ORDER BY id']
const INTERVAL = "PARTITION BY SYSTEM_TIME INTERVAL 1 MONTH STARTS '2024-01-01 00:00:00' (PARTITION p0 HISTORY, PARTITION p1 HISTORY, PARTITION pn CURRENT)"

/**
 * MariaDB system-versioned tables (`WITH SYSTEM VERSIONING`) and their `PARTITION BY SYSTEM_TIME`
 * (INTERVAL … STARTS …, LIMIT n): inspected, diffed and planned with a working down, rows kept.
 */
describe.each([...mariadb])('MySQL ($label): system versioning and SYSTEM_TIME partitioning', (server) => {
  let live: TestDatabase
  beforeAll(async () => {
    live = await createTestDatabase('versioning', server.url)
  })
  afterAll(async () => {
    await live?.drop()
  })

  it('adds system versioning to a table with rows; down drops it', async () => {
    const { sql, downSql } = await roundTrip(live, { current: `${TABLE};${SEED}`, desired: `${TABLE} WITH SYSTEM VERSIONING;`, rows: ROWS })
    expect(sql).toEqual(['ALTER TABLE `v` ADD SYSTEM VERSIONING'])
    expect(downSql).toEqual(['ALTER TABLE `v` DROP SYSTEM VERSIONING'])
  })

  it('versioning and SYSTEM_TIME INTERVAL partitioning together: versioning first, partitioning removed first on down', async () => {
    const { sql, downSql } = await roundTrip(live, { current: `${TABLE};${SEED}`, desired: `${TABLE} WITH SYSTEM VERSIONING ${INTERVAL};`, rows: ROWS })
    expect(sql).toEqual([
      'ALTER TABLE `v` ADD SYSTEM VERSIONING',
      "ALTER TABLE `v` PARTITION BY SYSTEM_TIME INTERVAL 1 MONTH STARTS TIMESTAMP'2024-01-01 00:00:00' (PARTITION `p0` HISTORY, PARTITION `p1` HISTORY, PARTITION `pn` CURRENT)",
    ])
    expect(downSql).toEqual(['ALTER TABLE `v` REMOVE PARTITIONING', 'ALTER TABLE `v` DROP SYSTEM VERSIONING'])
  })

  it('SYSTEM_TIME LIMIT with PARTITIONS n to INTERVAL: one re-partitioning each way', async () => {
    const { sql, downSql } = await roundTrip(live, {
      current: `${TABLE} WITH SYSTEM VERSIONING PARTITION BY SYSTEM_TIME LIMIT 1000 PARTITIONS 3;${SEED}`,
      desired: `${TABLE} WITH SYSTEM VERSIONING ${INTERVAL};`,
      rows: ROWS,
    })
    expect(sql).toEqual([
      "ALTER TABLE `v` PARTITION BY SYSTEM_TIME INTERVAL 1 MONTH STARTS TIMESTAMP'2024-01-01 00:00:00' (PARTITION `p0` HISTORY, PARTITION `p1` HISTORY, PARTITION `pn` CURRENT)",
    ])
    expect(downSql).toEqual(['ALTER TABLE `v` PARTITION BY SYSTEM_TIME LIMIT 1000 (PARTITION `p0` HISTORY, PARTITION `p1` HISTORY, PARTITION `pn` CURRENT)'])
  })

  it('dropping versioning deletes the history rows: up refuses without consent, counting them; down adds it back', async () => {
    const { sql, downSql, outcome } = await roundTrip(live, {
      current: `${TABLE} WITH SYSTEM VERSIONING;${SEED}UPDATE v SET note = 'changed' WHERE id = 1;\nUPDATE v SET note = NULL WHERE id = 1;\n`,
      desired: `${TABLE};`,
      rows: ROWS,
      refusedWithoutConsent: /it would destroy stored data: v \(2 rows\): drops system versioning/,
      upOptions: { allowDataLoss: true },
    })
    expect(sql).toEqual(['ALTER TABLE `v` DROP SYSTEM VERSIONING'])
    expect(downSql).toEqual(['ALTER TABLE `v` ADD SYSTEM VERSIONING'])
    expect(outcome.plan.statements[0]!.risks).toContain('data-loss')
  })

  it('creates a versioned, SYSTEM_TIME-partitioned table whole', async () => {
    const { sql } = await roundTrip(live, { current: `${TABLE};${SEED}`, desired: `${TABLE};\nCREATE TABLE h (id int PRIMARY KEY) WITH SYSTEM VERSIONING ${INTERVAL};`, rows: ROWS })
    expect(sql).toEqual([
      "CREATE TABLE `h` (\n  `id` int NOT NULL,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci WITH SYSTEM VERSIONING\nPARTITION BY SYSTEM_TIME INTERVAL 1 MONTH STARTS TIMESTAMP'2024-01-01 00:00:00' (PARTITION `p0` HISTORY, PARTITION `p1` HISTORY, PARTITION `pn` CURRENT)",
    ])
  })
})
