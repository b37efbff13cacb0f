import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { dialect, type MysqlDriver } from '../../src/dialects/mysql/index.js'
import { quoteIdent } from '../../src/dialects/mysql/quote.js'
import { hostTag } from '../../src/dialects/scratch-name.js'
import { tempProject, type TempProject } from '../cli/helpers.js'
import { applyScript, createTestDatabase, MYSQL_URL, mysqlReachable, type TestDatabase } from '../helpers/mysql.js'
import { startCli, waitUntil } from './scratch-hygiene-cli.js'

// Issues 11 and 17 on the real MariaDB server, through the built CLI: a devUrl serves any number
// of commands and is left exactly as found, temporary scratch databases never outlive a run that
// ends by itself, SIGINT or SIGTERM (before, only a normal end dropped them), and the next run
// drops the one a SIGKILLed run left.
const available = await mysqlReachable()

// Every kind of object the clean-up must take away again: FK-linked tables, a view, a trigger,
// routines, an event and a sequence (these last two the old clean-up left behind).
const TARGET = `
CREATE TABLE users (
  id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email varchar(200) NOT NULL,
  score int NULL,
  UNIQUE KEY uq_email (email)
) ENGINE=InnoDB;
CREATE TABLE orders (
  id int NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id bigint NULL,
  note text NULL,
  total decimal(12,2) NULL,
  CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB;
CREATE VIEW user_emails AS SELECT id, email FROM users;
CREATE TRIGGER users_lower BEFORE INSERT ON users FOR EACH ROW SET NEW.email = LOWER(NEW.email);
CREATE FUNCTION plus_one(a int) RETURNS int DETERMINISTIC RETURN a + 1;
CREATE PROCEDURE noop() SELECT 1;
CREATE EVENT nightly ON SCHEDULE EVERY 1 DAY DO DELETE FROM orders WHERE id < 0;
CREATE SEQUENCE invoice_no;
`

// The target stops in the scratch database long enough to be killed there.
const SLOW_TARGET = `${TARGET}\nSELECT SLEEP(600);\n`

let admin: MysqlDriver

/** What a database holds, from the catalogs: enough to see any object a target leaves. */
async function catalog(database: string): Promise<unknown> {
  const names = async (sql: string) => (await admin.db.query<{ name: string }>(sql, [database])).map((r) => r.name)
  return {
    tables: await names('SELECT CONCAT(TABLE_TYPE, " ", TABLE_NAME) AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1'),
    routines: await names('SELECT ROUTINE_NAME AS name FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? ORDER BY 1'),
    events: await names('SELECT EVENT_NAME AS name FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ? ORDER BY 1'),
    triggers: await names('SELECT TRIGGER_NAME AS name FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? ORDER BY 1'),
    defaults: await names('SELECT CONCAT(DEFAULT_CHARACTER_SET_NAME, " ", DEFAULT_COLLATION_NAME) AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?'),
  }
}

async function databases(): Promise<string[]> {
  return (await admin.db.query<{ name: string }>('SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA')).map((r) => r.name)
}

/** The temporary scratch databases the CLI process `pid` created on this host. */
async function scratchesOf(pid: number): Promise<string[]> {
  return (await databases()).filter((name) => name.startsWith(`migrator_scratch_${hostTag()}_${pid}_`))
}

/** Whether the target's SLEEP runs in `database` (or in a scratch database of `pid`). */
async function sleepingIn(database: string | { pid: number }): Promise<boolean> {
  const rows = await admin.db.query<{ db: string | null }>("SELECT DB AS db FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP(600)%'")
  const prefix = typeof database === 'string' ? undefined : `migrator_scratch_${hostTag()}_${database.pid}_`
  return rows.some((r) => (prefix === undefined ? r.db === database : (r.db ?? '').startsWith(prefix)))
}

describe.skipIf(!available)('MariaDB dev and scratch databases are always left clean (built CLI)', () => {
  let live: TestDatabase
  let dev: TestDatabase
  let project: TempProject
  // The fresh dev database: its charset and collation, no objects.
  let EMPTY: unknown

  beforeAll(async () => {
    admin = (await dialect.open(MYSQL_URL)) as MysqlDriver
    live = await createTestDatabase('hyg')
    dev = await createTestDatabase('hygdev')
    EMPTY = await catalog(dev.name)
    expect(EMPTY).toEqual({ tables: [], routines: [], events: [], triggers: [], defaults: ['utf8mb4 utf8mb4_general_ci'] })
  })
  afterAll(async () => {
    await live?.drop()
    await dev?.drop()
    await admin?.close()
  })
  afterEach(() => project?.remove())

  const config = (devUrl: boolean) =>
    JSON.stringify({ url: live.url.raw, ...(devUrl ? { devUrl: dev.url.raw } : {}), dir: './migrations', target: './schema.sql' })

  it('one devUrl serves diff, status, lint, up, diff --dry-run and down in a row and is empty after each', { timeout: 600_000 }, async () => {
    project = tempProject({ 'migrator.config.json': config(true), 'schema.sql': TARGET })
    const steps: [readonly string[], number][] = [
      [['diff', '--dry-run'], 0],
      [['diff', 'init'], 0],
      [['status'], 0],
      [['lint'], 0],
      [['up'], 0],
      [['diff', '--dry-run'], 0],
      [['status'], 0],
    ]
    for (const [args, code] of steps) {
      const result = await project.run(args)
      expect({ args, code: result.code, stderr: result.stderr }).toEqual({ args, code, stderr: expect.not.stringMatching(/^error/m) })
      expect({ args, dev: await catalog(dev.name) }).toEqual({ args, dev: EMPTY })
    }
    expect((await project.run(['diff', '--dry-run'])).stdout).toContain('No changes')

    // down analyzes its data loss on the scratch database too; it refuses, and nothing moves.
    await applyScript(
      live.driver,
      `INSERT INTO users (email, score) VALUES ('A@X', 2147483647), ('Ünïcode 🐘', NULL), ('${'long'.repeat(50)}', -2147483648);
       INSERT INTO orders (user_id, note, total) VALUES (1, NULL, 9999999999.99), (2, 'ß', -0.01), (NULL, '${'n'.repeat(5000)}', NULL);`,
    )
    const rows = async () => [await live.driver.db.query('SELECT * FROM users ORDER BY id'), await live.driver.db.query('SELECT * FROM orders ORDER BY id')]
    const before = await rows()
    expect(before[0]).toHaveLength(3)
    const down = await project.run(['down'])
    expect(down.code).toBe(1)
    expect(down.stderr).toMatch(/users \(3 rows\)/)
    expect(await rows()).toEqual(before)
    expect(await catalog(dev.name)).toEqual(EMPTY)
  })

  it('a devUrl that holds objects is refused in one line naming them, and left untouched', { timeout: 300_000 }, async () => {
    project = tempProject({ 'migrator.config.json': config(true), 'schema.sql': TARGET })
    await applyScript(dev.driver, "CREATE TABLE users (id int, name varchar(20)); INSERT INTO users VALUES (1, 'kept'), (2, NULL); CREATE VIEW v AS SELECT id FROM users;")
    try {
      const held = await catalog(dev.name)
      for (const args of [['diff', '--dry-run'], ['status'], ['diff', 'x']]) {
        const result = await project.run(args)
        expect(result.code).toBe(1)
        expect(result.stderr.trim().split('\n')).toEqual([
          `error: dev database ${dev.url.redacted} is not empty: table users, view v; point devUrl at an empty database`,
        ])
        expect(await catalog(dev.name)).toEqual(held)
        expect(await dev.driver.db.query('SELECT * FROM users ORDER BY id')).toEqual([{ id: 1, name: 'kept' }, { id: 2, name: null }])
      }
      expect(project.exists('migrations')).toBe(false)
    } finally {
      await applyScript(dev.driver, 'DROP VIEW v; DROP TABLE users;')
    }
  })

  it('drop() empties a devUrl of every kind of object, restores its charset, and never touches the database a USE switched to', { timeout: 300_000 }, async () => {
    const other = await createTestDatabase('hygother')
    const driver = (await dialect.open(live.url)) as MysqlDriver
    try {
      // Named like a table of the target: a clean-up that did not name its database would drop this one.
      await applyScript(other.driver, "CREATE TABLE users (id int PRIMARY KEY, v varchar(10)); INSERT INTO users VALUES (1, 'kept'), (2, NULL);")
      const untouched = await catalog(other.name)
      for (let round = 0; round < 2; round++) {
        const scratch = await driver.openScratch(dev.url)
        await applyScript(scratch as unknown as MysqlDriver, `${TARGET}
          CREATE TABLE a (id int PRIMARY KEY, b_id int) ENGINE=InnoDB;
          CREATE TABLE b (id int PRIMARY KEY, a_id int, CONSTRAINT fk_b_a FOREIGN KEY (a_id) REFERENCES a (id)) ENGINE=InnoDB;
          ALTER TABLE a ADD CONSTRAINT fk_a_b FOREIGN KEY (b_id) REFERENCES b (id);
          CREATE TABLE versioned (id int PRIMARY KEY, v int) WITH SYSTEM VERSIONING;
          CREATE TABLE plain (id int) ENGINE=MyISAM;
          CREATE VIEW view_of_view AS SELECT id FROM user_emails;
          INSERT INTO users (email) VALUES ('x@y');
          ALTER DATABASE ${quoteIdent(dev.name)} CHARACTER SET latin1 COLLATE latin1_swedish_ci;
          USE ${quoteIdent(other.name)};`)
        expect(await catalog(dev.name)).not.toEqual(EMPTY)
        await scratch.drop()
        expect(await catalog(dev.name)).toEqual(EMPTY)
        expect(await catalog(other.name)).toEqual(untouched)
        expect(await other.driver.db.query('SELECT * FROM users ORDER BY id')).toEqual([{ id: 1, v: 'kept' }, { id: 2, v: null }])
      }
    } finally {
      await driver.close()
      await other.drop()
    }
  })

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} in the middle of diff leaves the devUrl empty`, { timeout: 300_000 }, async () => {
      project = tempProject({ 'migrator.config.json': config(true), 'schema.sql': SLOW_TARGET })
      const run = startCli(['diff', 'killed'], project.dir)
      await waitUntil('the target sleeps in the dev database', () => sleepingIn(dev.name), run)
      expect(((await catalog(dev.name)) as { events: string[] }).events).toEqual(['nightly'])
      run.kill(signal)
      const end = await run.done
      expect(end.signal).toBe(signal)
      expect(await catalog(dev.name)).toEqual(EMPTY)
      expect(await sleepingIn(dev.name)).toBe(false)
      expect(project.exists('migrations')).toBe(false)
    })

    it(`${signal} in the middle of diff leaves no temporary scratch database`, { timeout: 300_000 }, async () => {
      project = tempProject({ 'migrator.config.json': config(false), 'schema.sql': SLOW_TARGET })
      const run = startCli(['diff', 'killed'], project.dir)
      await waitUntil('the target sleeps in a scratch database', () => sleepingIn({ pid: run.pid }), run)
      const [name] = await scratchesOf(run.pid)
      expect(name).toMatch(new RegExp(`^migrator_scratch_${hostTag()}_${run.pid}_\\d{10}_[0-9a-f]{6}$`))
      run.kill(signal)
      const end = await run.done
      expect(end.signal).toBe(signal)
      // Dropped before the process ended, not by something that may still be running.
      expect(await scratchesOf(run.pid)).toEqual([])
      expect(await sleepingIn({ pid: run.pid })).toBe(false)
      expect(project.exists('migrations')).toBe(false)
    })
  }

  it('after SIGKILL the next run drops the scratch database left behind, and only what is stale', { timeout: 300_000 }, async () => {
    project = tempProject({ 'migrator.config.json': config(false), 'schema.sql': SLOW_TARGET })
    const run = startCli(['diff', 'killed'], project.dir)
    await waitUntil('the target sleeps in a scratch database', () => sleepingIn({ pid: run.pid }), run)
    run.kill('SIGKILL')
    expect((await run.done).signal).toBe('SIGKILL')
    const [left] = await scratchesOf(run.pid)
    expect(left).toBeDefined()

    const now = Math.floor(Date.now() / 1000)
    const other = hostTag() === 'otherhost' ? 'elsewhere' : 'otherhost'
    const keep = [
      `migrator_scratch_${hostTag()}_${process.pid}_${now}_aaaaaa`, // this test process: alive
      `migrator_scratch_${other}_4242_${now - 3600}_bbbbbb`, // another host, an hour old
      `migrator_scratch_${hostTag()}_${run.pid}_${now}_zz`, // not our format
      `mt_migrator_scratch_${hostTag()}_${run.pid}_${now}`, // not our prefix
    ]
    const stale = `migrator_scratch_${other}_4242_${now - 25 * 3600}_dddddd` // another host, older than a day
    for (const name of [...keep, stale]) await admin.db.exec(`CREATE DATABASE ${quoteIdent(name)}`)
    try {
      project.write('schema.sql', TARGET)
      const next = await project.run(['diff', '--dry-run'])
      expect(next.code).toBe(0)
      const after = await databases()
      expect(after).not.toContain(left)
      // The killed run's statement kept running on the server; its session was ended too.
      expect(await sleepingIn({ pid: run.pid })).toBe(false)
      expect(after).not.toContain(stale)
      for (const name of keep) expect(after).toContain(name)
    } finally {
      for (const name of [...keep, stale, left!]) await admin.db.exec(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`)
    }
  })
})
