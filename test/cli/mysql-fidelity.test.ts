import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, mysqlReachable, type TestDatabase } from '../helpers/mysql.js'
import { tempProject, type TempProject } from './helpers.js'

const mariadb = await mysqlReachable()

/**
 * The issue-11 kinds through the built CLI, as a user meets them: a case-only column rename, a
 * dropped partition holding rows, and an event, in one migration; `diff` then says `No changes`.
 */
describe.skipIf(!mariadb)('CLI on MariaDB: case-only names, partitions and events converge', () => {
  let database: TestDatabase
  let project: TempProject

  beforeAll(async () => {
    database = await createTestDatabase('clifidelity')
    await database.driver.db.exec(
      'CREATE TABLE m (id int NOT NULL, y int NOT NULL, email varchar(50) NULL, PRIMARY KEY (id, y)) ' +
        'PARTITION BY RANGE (y) (PARTITION p0 VALUES LESS THAN (2000), PARTITION p1 VALUES LESS THAN (3000))',
    )
    await database.driver.db.exec("INSERT INTO m VALUES (1, 1999, 'a@b'), (2, 2024, 'ü@x'), (3, 2999, NULL)")
    project = tempProject({
      'schema.sql':
        'CREATE TABLE m (id int NOT NULL, y int NOT NULL, Email varchar(50) NULL, PRIMARY KEY (id, y))\n' +
        '  PARTITION BY RANGE (y) (PARTITION p1 VALUES LESS THAN (3000), PARTITION p2 VALUES LESS THAN MAXVALUE);\n' +
        'CREATE EVENT purge_old ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE FROM m WHERE y < 2000;\n',
    })
  })

  afterAll(async () => {
    project?.remove()
    await database?.drop()
  })

  it('diff, up (refused without consent, then allowed), diff says No changes, down', { timeout: 180_000 }, async () => {
    const url = ['--url', database.url.raw, '--to', 'schema.sql']
    const diff = await project.run(['diff', 'fidelity', ...url])
    expect(diff.code, diff.stderr).toBe(0)

    const refused = await project.run(['up', '--url', database.url.raw])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('m (1 row): drops partition p0')
    expect(await database.driver.db.query('SELECT id FROM m ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }])

    const applied = await project.run(['up', '--allow-data-loss', '--url', database.url.raw])
    expect(applied.code, applied.stderr).toBe(0)
    expect(await database.driver.db.query('SELECT id, y, Email AS e FROM m ORDER BY id')).toEqual([
      { id: 2, y: 2024, e: 'ü@x' },
      { id: 3, y: 2999, e: null },
    ])

    const again = await project.run(['diff', 'again', ...url])
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toContain('No changes')

    const reverted = await project.run(['down', '--url', database.url.raw])
    expect(reverted.code, reverted.stderr).toBe(0)
    const columns = await database.driver.db.query<{ name: string }>(
      "SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'm' ORDER BY ORDINAL_POSITION",
    )
    expect(columns.map((c) => c.name)).toEqual(['id', 'y', 'email'])
    expect(await database.driver.db.query("SELECT count(*) AS n FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE()")).toEqual([{ n: 0 }])
    expect(await database.driver.db.query('SELECT id, y, email FROM m ORDER BY id')).toEqual([
      { id: 2, y: 2024, email: 'ü@x' },
      { id: 3, y: 2999, email: null },
    ])
  })
})
