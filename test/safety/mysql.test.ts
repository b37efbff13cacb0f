import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { up } from '../../src/api/migrate.js'
import type { ResolvedConfig } from '../../src/config/schema.js'
import { dialect } from '../../src/dialects/mysql/index.js'
import type { MysqlDriver } from '../../src/dialects/mysql/index.js'
import { MigratorError } from '../../src/errors.js'
import { readDirectory } from '../../src/migrations/directory.js'
import { writeSum } from '../../src/migrations/sum.js'
import type { RunEvent } from '../../src/runner/events.js'
import { runUp } from '../../src/runner/run.js'
import { restoreBackup, takeBackup } from '../../src/safety/backup.js'
import { createTestDatabase, mysqlReachable, type TestDatabase } from '../helpers/mysql.js'

const available = await mysqlReachable()

/** mysqldump of schema, routines, triggers and data, without the dump date: what "identical" means. */
async function dump(db: TestDatabase): Promise<string> {
  const { stdout } = await promisify(execFile)(
    'mysqldump',
    ['--protocol=TCP', `--host=${db.url.host}`, `--port=${db.url.port ?? 3306}`, `--user=${db.url.user}`, '--skip-dump-date', '--routines', '--triggers', '--skip-extended-insert', db.name],
    { maxBuffer: 1 << 24, env: { ...process.env, MYSQL_PWD: db.url.password ?? '' } },
  )
  // AUTO_INCREMENT counters are table options that the dump carries along: kept in the comparison.
  return stdout
}

describe.skipIf(!available)('MySQL/MariaDB safety: mysqldump backups and the lock pre-check', () => {
  let db: TestDatabase
  let driver: MysqlDriver
  let root: string
  const dir = () => path.join(root, 'migrations')

  beforeAll(async () => {
    db = await createTestDatabase('mysafe')
    driver = db.driver
    root = await mkdtemp(path.join(os.tmpdir(), 'migrator-mysafe-'))
    await mkdir(dir())
    await write({
      '20240101000001_base.up.sql': [
        'CREATE TABLE users (id int PRIMARY KEY, email varchar(50) NOT NULL) ENGINE=InnoDB;',
        'CREATE TABLE log (id int AUTO_INCREMENT PRIMARY KEY, user_id int, line varchar(20), CONSTRAINT log_user FOREIGN KEY (user_id) REFERENCES users (id)) ENGINE=InnoDB;',
        'CREATE VIEW emails AS SELECT email FROM users;',
        "INSERT INTO users VALUES (1, 'a@x'), (2, 'b@x');",
        "INSERT INTO log (user_id, line) VALUES (1, 'one'), (2, 'two');",
      ].join('\n'),
      '20240101000001_base.down.sql': 'DROP VIEW emails;\nDROP TABLE log;\nDROP TABLE users;\n',
    })
    expect((await up(config())).error).toBeUndefined()
  })
  afterAll(async () => {
    await db?.drop()
    if (root !== undefined) await rm(root, { recursive: true, force: true })
  })

  function config(patch: Partial<ResolvedConfig> = {}): ResolvedConfig {
    return { cwd: root, url: db.url.raw, dir: dir(), schemas: ['public'], historyTable: 'migrator_history', lockTimeoutMs: 2000, lockWaitMs: 5000, ...patch }
  }
  async function write(files: Record<string, string>): Promise<void> {
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir(), name), text)
    await writeSum(dir())
  }
  async function remove(...names: string[]): Promise<void> {
    for (const name of names) await rm(path.join(dir(), name))
    await writeSum(dir())
  }
  const runOptions = { historyTable: 'migrator_history', lockTimeoutMs: 5000, appliedBy: 't', toolVersion: 't' }

  it('backup → damaging migration → restore gives back identical schema, data and history (mysqldump / mysql client)', async () => {
    const before = await dump(db)
    const snapshot = await takeBackup(driver, config(), new Date('2024-03-04T05:06:07Z'))
    expect(path.basename(snapshot.file)).toBe(`${db.name}.20240304-050607.backup`)

    await write({ '20240101000002_damage.up.sql': "DROP VIEW emails;\nDROP TABLE log;\nUPDATE users SET email = 'x' WHERE id = 2;\n", '20240101000002_damage.down.sql': 'SELECT 1;\n' })
    expect((await runUp(driver, await readDirectory(dir()), runOptions)).error).toBeUndefined()
    expect(await dump(db)).not.toBe(before)

    await restoreBackup(driver, snapshot.file)
    expect(await dump(db)).toBe(before)
    expect(await driver.db.query('SELECT line FROM log ORDER BY id')).toEqual([{ line: 'one' }, { line: 'two' }])
    await remove('20240101000002_damage.up.sql', '20240101000002_damage.down.sql')
  })

  it('restore refuses a file that is not a dump; dump tools missing on PATH is a clear error and nothing runs', async () => {
    const bogus = path.join(root, 'bogus.backup')
    await writeFile(bogus, 'DROP TABLE users;')
    await expect(restoreBackup(driver, bogus)).rejects.toThrow(/is not a mysqldump\/mariadb-dump file written by `migrator backup`; nothing was restored/)
    expect(await driver.db.query('SELECT count(*) AS n FROM users')).toEqual([{ n: 2 }])

    await write({ '20240101000003_more.up.sql': 'ALTER TABLE users ADD COLUMN nick varchar(10);\n', '20240101000003_more.down.sql': 'ALTER TABLE users DROP COLUMN nick;\n' })
    const saved = process.env.PATH
    process.env.PATH = path.join(root, 'no-such-bin')
    try {
      const error = await up(config(), { backup: true }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(MigratorError)
      expect((error as Error).message).toMatch(/^(mariadb-dump|mysqldump) not found on PATH \(nor .*\): install the MySQL\/MariaDB client tools .*; nothing was run$/)
    } finally {
      process.env.PATH = saved
    }
    expect(await driver.db.query("SELECT count(*) AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'users' AND COLUMN_NAME = 'nick'")).toEqual([{ n: 0 }])
    await remove('20240101000003_more.up.sql', '20240101000003_more.down.sql')
  })

  it('lock pre-check: an open transaction on a touched table is reported; past maxTransactionAge the migration is refused naming the session', async () => {
    const other = (await dialect.open(db.url)) as MysqlDriver
    try {
      const id = Number((await other.db.query<{ id: number }>('SELECT CONNECTION_ID() AS id'))[0]!.id)
      await other.db.exec('START TRANSACTION')
      await other.db.exec("UPDATE users SET email = 'a2@x' WHERE id = 1")
      await new Promise((r) => setTimeout(r, 1100))

      await write({ '20240101000004_alter.up.sql': 'ALTER TABLE users ADD COLUMN age int;\n', '20240101000004_alter.down.sql': 'ALTER TABLE users DROP COLUMN age;\n' })
      const events: RunEvent[] = []
      const start = Date.now()
      const result = await runUp(driver, await readDirectory(dir()), { ...runOptions, preCheck: { maxTransactionAgeMs: 500 }, onEvent: (e) => events.push(e) })
      expect(Date.now() - start).toBeLessThan(10_000)
      expect(result.results.map((r) => r.status)).toEqual(['failed'])
      const report = events.find((e) => e.kind === 'pre-check')
      expect(report).toMatchObject({ blocked: true, sessions: [expect.objectContaining({ pid: id })] })
      const session = report?.kind === 'pre-check' ? report.sessions[0] : undefined
      // MariaDB without the METADATA_LOCK_INFO plugin cannot list the tables: the session might lock any.
      const what = session?.tables === undefined ? 'its tables cannot be listed on this server' : 'holds a lock on users'
      // The age is whole seconds and depends on how loaded the machine is.
      expect(result.error?.message).toContain(`lock pre-check: pid ${id} (transaction open `)
      expect(result.error?.message).toMatch(new RegExp(`\\(transaction open \\d+s, ${what}\\)`))
      expect(result.error?.message).toMatch(/; nothing was run; end that session \(or wait for it\) and run again, or raise preCheck\.maxTransactionAge$/)
      expect(await driver.db.query("SELECT count(*) AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'users' AND COLUMN_NAME = 'age'")).toEqual([{ n: 0 }])
      expect(await driver.db.query("SELECT count(*) AS n FROM migrator_history WHERE version = '20240101000004'")).toEqual([{ n: 0 }])

      // Under the age limit the run proceeds. Where metadata locks are listed the session shows up
      // (it locks users, which the migration mentions); without that, a 1 s transaction is below
      // the 60 s long-transaction report threshold and nothing is reported.
      await remove('20240101000004_alter.up.sql', '20240101000004_alter.down.sql')
      const events2: RunEvent[] = []
      await write({ '20240101000005_other.up.sql': 'CREATE VIEW other_v AS SELECT id FROM users;\n', '20240101000005_other.down.sql': 'DROP VIEW other_v;\n' })
      const ok = await runUp(driver, await readDirectory(dir()), { ...runOptions, preCheck: { maxTransactionAgeMs: 60_000 }, onEvent: (e) => events2.push(e) })
      expect(ok.error).toBeUndefined()
      const report2 = events2.find((e) => e.kind === 'pre-check')
      if (session?.tables === undefined) expect(report2).toBeUndefined()
      else expect(report2).toMatchObject({ blocked: false, sessions: [expect.objectContaining({ pid: id, tables: ['users'] })] })
      await other.db.exec('ROLLBACK')
    } finally {
      await other.close()
    }
  })
})
