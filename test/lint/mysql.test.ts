import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { lintWithDriver, type LintReport } from '../../src/api/lint.js'
import type { ResolvedConfig } from '../../src/config/schema.js'
import { dialect } from '../../src/dialects/mysql/index.js'
import type { MysqlDriver } from '../../src/dialects/mysql/index.js'
import { liveProbe } from '../../src/lint/probe.js'
import { readDirectory } from '../../src/migrations/directory.js'
import { writeSum } from '../../src/migrations/sum.js'
import { runUp } from '../../src/runner/run.js'
import { createTestDatabase, mysqlReachable, type TestDatabase } from '../helpers/mysql.js'

const available = await mysqlReachable()

const BASE = [
  'CREATE TABLE users (id int PRIMARY KEY, email varchar(20), bio varchar(100), kind enum(\'a\',\'b\'), age int) ENGINE=InnoDB;',
  'CREATE TABLE orders (id int PRIMARY KEY, user_id int) ENGINE=InnoDB;',
  'CREATE TABLE empty (id int PRIMARY KEY, n int) ENGINE=InnoDB;',
].join('\n')

describe.skipIf(!available)('MySQL/MariaDB lint hook (LK201), estimateRows and the lock-bounded data probe', () => {
  let db: TestDatabase
  let driver: MysqlDriver
  let root: string
  let version = 1

  beforeAll(async () => {
    db = await createTestDatabase('mylint')
    driver = db.driver
    root = await mkdtemp(path.join(os.tmpdir(), 'migrator-mylint-'))
    await writeFile(path.join(root, '20240101000001_base.up.sql'), BASE)
    await writeFile(path.join(root, '20240101000001_base.down.sql'), 'DROP TABLE empty;\nDROP TABLE orders;\nDROP TABLE users;')
    await writeSum(root)
    const run = await runUp(driver, await readDirectory(root), { historyTable: 'migrator_history', lockTimeoutMs: 5000, appliedBy: 't', toolVersion: 't' })
    expect(run.error).toBeUndefined()
    await driver.db.exec("INSERT INTO users VALUES (1, 'a@x', 'x', 'a', 1), (2, NULL, 'y', 'b', 2), (3, 'a@x', 'z', 'a', 3)")
    await driver.db.exec('INSERT INTO orders VALUES (1, 1), (2, 3)')
  })
  afterAll(async () => {
    await db?.drop()
    if (root !== undefined) await rm(root, { recursive: true, force: true })
  })

  const config = (): ResolvedConfig => ({ cwd: root, url: db.url.raw, dir: root, schemas: ['public'], historyTable: 'migrator_history', lockTimeoutMs: 2000, lockWaitMs: 5000 })

  async function lintOne(up: string): Promise<LintReport> {
    const name = `20240101${String(++version).padStart(6, '0')}_change`
    await writeFile(path.join(root, `${name}.up.sql`), up)
    await writeFile(path.join(root, `${name}.down.sql`), 'SELECT 1;')
    await writeSum(root)
    try {
      return await lintWithDriver(driver, config(), await readDirectory(root))
    } finally {
      await rm(path.join(root, `${name}.up.sql`))
      await rm(path.join(root, `${name}.down.sql`))
      await writeSum(root)
    }
  }
  const lk = (report: LintReport) => report.migrations.flatMap((m) => m.findings).filter((f) => f.code.startsWith('LK'))

  it('estimateRows: counts from information_schema.TABLES (exact for small tables); unknown tables are left out', async () => {
    expect(await driver.estimateRows(['users', 'orders', 'empty', 'nope'])).toEqual(new Map([['users', 3], ['orders', 2], ['empty', 0]]))
  })

  it('LK201: a column type change copies the table; widening a VARCHAR within its length byte and appending an ENUM member do not', async () => {
    const found = lk(await lintOne('ALTER TABLE users MODIFY age bigint;'))
    expect(found).toEqual([
      expect.objectContaining({ code: 'LK201', severity: 'warning', table: 'users', rows: 3, message: `changes column users.age from int to bigint: ${driver.serverVersion} cannot do this INSTANT or INPLACE, so it copies all 3 rows of users while writes wait` }),
    ])
    // varchar(20) utf8mb4 = 80 bytes → varchar(60) = 240 bytes: still a one-byte length prefix.
    expect(lk(await lintOne('ALTER TABLE users MODIFY email varchar(60);'))).toEqual([])
    expect(lk(await lintOne("ALTER TABLE users MODIFY kind enum('a','b','c');"))).toEqual([])
    // varchar(20) → varchar(100): crosses 255 bytes.
    expect(lk(await lintOne('ALTER TABLE users MODIFY email varchar(100);'))[0]?.message).toMatch(/^changes column users\.email from varchar\(20\) to varchar\(100\)/)
  })

  it('LK201: primary key dropped, foreign key added, charset conversion; an empty table or an added column are not flagged', async () => {
    expect(lk(await lintOne('ALTER TABLE orders DROP PRIMARY KEY;'))[0]?.message).toMatch(/^drops the primary key of orders without adding one/)
    expect(lk(await lintOne('ALTER TABLE orders DROP PRIMARY KEY, ADD PRIMARY KEY (id, user_id);'))).toEqual([])
    expect(lk(await lintOne('ALTER TABLE orders ADD CONSTRAINT orders_user FOREIGN KEY (user_id) REFERENCES users (id);'))[0]?.message).toMatch(/^adds foreign key orders_user on orders/)
    expect(lk(await lintOne('ALTER TABLE users CONVERT TO CHARACTER SET latin1;'))[0]?.message).toMatch(/converts users to character set latin1/)
    expect(lk(await lintOne('ALTER TABLE empty MODIFY n bigint;'))).toEqual([])
    expect(lk(await lintOne('ALTER TABLE users ADD COLUMN note text;'))).toEqual([])
  })

  it('data probe: a table write-locked by another session makes counts unknown instead of hanging', async () => {
    const live = await driver.inspect()
    expect(await liveProbe(driver, live, 1000).duplicates('users', ['email'])).toBe(1)
    const other = (await dialect.open(db.url)) as MysqlDriver
    try {
      await other.db.exec('LOCK TABLES users WRITE')
      const start = Date.now()
      expect(await liveProbe(driver, live, 1000).nulls('users', 'email')).toBeUndefined()
      expect(Date.now() - start).toBeLessThan(5000)
      // estimateRows falls back to the statistic instead of waiting.
      expect((await driver.estimateRows(['users'])).has('users')).toBe(true)
    } finally {
      await other.db.exec('UNLOCK TABLES')
      await other.close()
    }
    expect(await liveProbe(driver, live, 1000).nulls('users', 'email')).toBe(1)
  })
})
