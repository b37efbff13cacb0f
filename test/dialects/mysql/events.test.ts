import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { diff } from '../../../src/api/diff.js'
import { applyScript, createTestDatabase, mysqlServers, type TestDatabase } from '../../helpers/mysql.js'
import { configIn, roundTrip } from './round-trip.js'

const { servers, skipped } = await mysqlServers()
for (const reason of skipped) describe.skip(reason, () => it('needs the server', () => {}))

const TABLE = "CREATE TABLE t (id int PRIMARY KEY, `key` varchar(20) NULL, `order` int NULL);\nINSERT INTO t VALUES (1, 'ü', NULL), (2147483647, NULL, -1);\n"
const ROWS = ['SELECT id, `key`, `order` FROM t ORDER BY id']

const HOURLY = 'CREATE EVENT hourly ON SCHEDULE EVERY 1 HOUR DO DELETE FROM t WHERE id < 0;\n'
const WINDOWED = `CREATE EVENT windowed ON SCHEDULE EVERY '1:30' HOUR_MINUTE STARTS '2030-01-01 00:00:00' ENDS '2031-06-30 12:00:00'
  ON COMPLETION PRESERVE DISABLE COMMENT 'it''s windowed'
  DO BEGIN
    INSERT INTO t (id, \`key\`, \`order\`) VALUES (3, 'a;b', 1);
    UPDATE t SET \`order\` = \`order\` + 1 WHERE \`key\` = 'x';
  END;
`
const ONCE = "CREATE EVENT once ON SCHEDULE AT '2035-01-01 10:00:00' ON COMPLETION PRESERVE DISABLE ON SLAVE DO UPDATE t SET `order` = 0;\n"

describe.each([...servers])('MySQL ($label): scheduled events', (server) => {
  let live: TestDatabase
  beforeAll(async () => {
    live = await createTestDatabase('events', server.url)
  })
  afterAll(async () => {
    await live?.drop()
  })

  it('creates events (EVERY with and without STARTS/ENDS, AT, ENABLE/DISABLE/DISABLE ON SLAVE, PRESERVE, BEGIN…END bodies); down drops them', async () => {
    const { sql, downSql } = await roundTrip(live, {
      current: TABLE,
      desired: `${TABLE.split('\n')[0]}\n${HOURLY}${WINDOWED}${ONCE}`,
      rows: ROWS,
    })
    expect(sql).toEqual([
      'CREATE EVENT `hourly` ON SCHEDULE EVERY 1 HOUR ON COMPLETION NOT PRESERVE ENABLE DO DELETE FROM t WHERE id < 0',
      "CREATE EVENT `once` ON SCHEDULE AT CONVERT_TZ('2035-01-01 10:00:00', '+00:00', @@time_zone) ON COMPLETION PRESERVE DISABLE ON SLAVE DO UPDATE t SET `order` = 0",
      "CREATE EVENT `windowed` ON SCHEDULE EVERY '1:30' HOUR_MINUTE STARTS CONVERT_TZ('2030-01-01 00:00:00', '+00:00', @@time_zone) ENDS CONVERT_TZ('2031-06-30 12:00:00', '+00:00', @@time_zone) ON COMPLETION PRESERVE DISABLE COMMENT 'it''s windowed' DO BEGIN\n    INSERT INTO t (id, `key`, `order`) VALUES (3, 'a;b', 1);\n    UPDATE t SET `order` = `order` + 1 WHERE `key` = 'x';\n  END",
    ])
    expect(downSql).toEqual(['DROP EVENT `windowed`', 'DROP EVENT `once`', 'DROP EVENT `hourly`'])
  })

  it('an event created without STARTS stays equal to its declaration later on (the server-filled STARTS is not drift)', async () => {
    const { sql } = await roundTrip(live, {
      // Created a second earlier than the target's copy: their server-filled STARTS differ.
      current: `${TABLE}${HOURLY}DO SLEEP(1.1);\n`,
      desired: `${TABLE.split('\n')[0]}\n${HOURLY}${ONCE}`,
      rows: ROWS,
    })
    expect(sql).toEqual(["CREATE EVENT `once` ON SCHEDULE AT CONVERT_TZ('2035-01-01 10:00:00', '+00:00', @@time_zone) ON COMPLETION PRESERVE DISABLE ON SLAVE DO UPDATE t SET `order` = 0"])
  })

  it('alters schedule, completion, state, comment and body in place with ALTER EVENT; down alters it back', async () => {
    const { sql, downSql } = await roundTrip(live, {
      current: `${TABLE}${WINDOWED}${HOURLY}`,
      desired: `${TABLE.split('\n')[0]}
CREATE EVENT windowed ON SCHEDULE EVERY 2 DAY STARTS '2030-02-01 00:00:00' ENDS '2030-12-31 00:00:00' ON COMPLETION NOT PRESERVE ENABLE DO DELETE FROM t WHERE \`order\` > 100;
CREATE EVENT hourly ON SCHEDULE EVERY 1 HOUR DISABLE COMMENT 'paused' DO DELETE FROM t WHERE id < 0;
`,
      rows: ROWS,
    })
    expect(sql).toEqual([
      "ALTER EVENT `hourly` ON SCHEDULE EVERY 1 HOUR ON COMPLETION NOT PRESERVE DISABLE COMMENT 'paused' DO DELETE FROM t WHERE id < 0",
      "ALTER EVENT `windowed` ON SCHEDULE EVERY 2 DAY STARTS CONVERT_TZ('2030-02-01 00:00:00', '+00:00', @@time_zone) ENDS CONVERT_TZ('2030-12-31 00:00:00', '+00:00', @@time_zone) ON COMPLETION NOT PRESERVE ENABLE COMMENT '' DO DELETE FROM t WHERE `order` > 100",
    ])
    expect(downSql[0]).toMatch(/^ALTER EVENT `windowed` ON SCHEDULE EVERY '1:30' HOUR_MINUTE STARTS CONVERT_TZ\('2030-01-01 00:00:00', '\+00:00', @@time_zone\) ENDS CONVERT_TZ\('2031-06-30 12:00:00', '\+00:00', @@time_zone\) ON COMPLETION PRESERVE DISABLE COMMENT 'it''s windowed' DO BEGIN/)
    expect(downSql[1]).toBe("ALTER EVENT `hourly` ON SCHEDULE EVERY 1 HOUR ON COMPLETION NOT PRESERVE ENABLE COMMENT '' DO DELETE FROM t WHERE id < 0")
  })

  it('an event that loses its ENDS is dropped and created again (ALTER EVENT would keep the ENDS)', async () => {
    const { sql, downSql } = await roundTrip(live, {
      current: `${TABLE}${WINDOWED}`,
      desired: `${TABLE.split('\n')[0]}\nCREATE EVENT windowed ON SCHEDULE EVERY '1:30' HOUR_MINUTE STARTS '2030-01-01 00:00:00' DO DELETE FROM t;\n`,
      rows: ROWS,
    })
    expect(sql).toEqual([
      'DROP EVENT `windowed`',
      "CREATE EVENT `windowed` ON SCHEDULE EVERY '1:30' HOUR_MINUTE STARTS CONVERT_TZ('2030-01-01 00:00:00', '+00:00', @@time_zone) ON COMPLETION NOT PRESERVE ENABLE DO DELETE FROM t",
    ])
    expect(downSql[0]).toBe('DROP EVENT `windowed`')
    expect(downSql[1]).toMatch(/^CREATE EVENT `windowed` .* ENDS CONVERT_TZ\('2031-06-30 12:00:00', '\+00:00', @@time_zone\) /)
  })

  it('drops an event; down recreates it as it was', async () => {
    const { sql, downSql, outcome } = await roundTrip(live, {
      current: `${TABLE}${WINDOWED}${ONCE}`,
      desired: `${TABLE.split('\n')[0]}\n${ONCE}`,
      rows: ROWS,
    })
    expect(sql).toEqual(['DROP EVENT `windowed`'])
    expect(downSql).toHaveLength(1)
    expect(downSql[0]).toMatch(/^CREATE EVENT `windowed` ON SCHEDULE EVERY '1:30' HOUR_MINUTE STARTS CONVERT_TZ\('2030-01-01 00:00:00', '\+00:00', @@time_zone\)/)
    expect(outcome.lint.findings.map((f) => f.code)).toContain('DS104')
  })

  describe('schedule times are moments, whatever the session time zone that wrote them', () => {
    // The live events are created in a +05:00 session; migrator's sessions use the server default.
    const inPlus5 = (events: string): string => `SET time_zone = '+05:00';\n${TABLE}${events}SET time_zone = DEFAULT;\n`
    const LIVE = "CREATE EVENT tz ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 05:00:00' ENDS '2030-07-01 05:00:00' DISABLE DO DELETE FROM t WHERE id < 0;\n" +
      "CREATE EVENT tz_once ON SCHEDULE AT '2035-01-01 15:00:00' ON COMPLETION PRESERVE DISABLE DO DELETE FROM t WHERE id < 0;\n"
    /** `utc` as the default session of this server writes it. */
    const local = async (utc: string): Promise<string> => {
      const [row] = await live.driver.db.query<{ t: string }>("SELECT DATE_FORMAT(CONVERT_TZ(?, '+00:00', @@time_zone), '%Y-%m-%d %H:%i:%s') AS t", [utc])
      return row!.t
    }
    const target = async (starts: string, ends: string, at: string): Promise<string> =>
      `${TABLE.split('\n')[0]}\nCREATE EVENT tz ON SCHEDULE EVERY 1 DAY STARTS '${await local(starts)}' ENDS '${await local(ends)}' DISABLE DO DELETE FROM t WHERE id < 0;\n` +
      `CREATE EVENT tz_once ON SCHEDULE AT '${await local(at)}' ON COMPLETION PRESERVE DISABLE DO DELETE FROM t WHERE id < 0;\n`

    it('the same moments written in another zone are No changes; the same wall-clock times are a change', async () => {
      const name = `\`${live.name}\``
      await live.driver.db.exec(`DROP DATABASE ${name}`)
      await live.driver.db.exec(`CREATE DATABASE ${name}`)
      await live.driver.db.exec(`USE ${name}`)
      await applyScript(live.driver, inPlus5(LIVE))
      const work = await mkdtemp(path.join(os.tmpdir(), 'migrator-mysql-events-tz-'))
      try {
        const config = configIn(work, live)
        await writeFile(config.target!, await target('2030-01-01 00:00:00', '2030-07-01 00:00:00', '2035-01-01 10:00:00'))
        expect((await diff(config, { dryRun: true })).changes).toEqual([])
        // The live wall-clock times read in UTC are five hours later: both events change.
        await writeFile(config.target!, await target('2030-01-01 05:00:00', '2030-07-01 05:00:00', '2035-01-01 15:00:00'))
        const changed = await diff(config, { dryRun: true })
        expect(changed.plan.statements.map((st) => st.sql)).toEqual([
          "ALTER EVENT `tz` ON SCHEDULE EVERY 1 DAY STARTS CONVERT_TZ('2030-01-01 05:00:00', '+00:00', @@time_zone) ENDS CONVERT_TZ('2030-07-01 05:00:00', '+00:00', @@time_zone) ON COMPLETION NOT PRESERVE DISABLE COMMENT '' DO DELETE FROM t WHERE id < 0",
          "ALTER EVENT `tz_once` ON SCHEDULE AT CONVERT_TZ('2035-01-01 15:00:00', '+00:00', @@time_zone) ON COMPLETION PRESERVE DISABLE COMMENT '' DO DELETE FROM t WHERE id < 0",
        ])
      } finally {
        await rm(work, { recursive: true, force: true })
      }
    })

    it('a schedule change to events created in another zone: up, No changes, down restores the same moments, rows kept', async () => {
      const { sql, downSql } = await roundTrip(live, {
        current: inPlus5(LIVE),
        desired: await target('2030-01-01 00:00:00', '2030-08-01 00:00:00', '2035-01-01 10:00:00'),
        rows: ROWS,
      })
      expect(sql).toEqual([
        "ALTER EVENT `tz` ON SCHEDULE EVERY 1 DAY STARTS CONVERT_TZ('2030-01-01 00:00:00', '+00:00', @@time_zone) ENDS CONVERT_TZ('2030-08-01 00:00:00', '+00:00', @@time_zone) ON COMPLETION NOT PRESERVE DISABLE COMMENT '' DO DELETE FROM t WHERE id < 0",
      ])
      expect(downSql).toEqual([
        "ALTER EVENT `tz` ON SCHEDULE EVERY 1 DAY STARTS CONVERT_TZ('2030-01-01 00:00:00', '+00:00', @@time_zone) ENDS CONVERT_TZ('2030-07-01 00:00:00', '+00:00', @@time_zone) ON COMPLETION NOT PRESERVE DISABLE COMMENT '' DO DELETE FROM t WHERE id < 0",
      ])
    })
  })
})
