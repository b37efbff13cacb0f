import { writeFileSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import mysql from 'mysql2/promise'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseUrl } from '../../src/config/url.js'
import { dialect } from '../../src/dialects/mysql/index.js'
import { quoteIdent } from '../../src/dialects/mysql/quote.js'
import { writeSum } from '../../src/migrations/sum.js'
import { tempProject, type CliResult, type TempProject } from '../cli/helpers.js'
import { createTestDatabase, mysqlReachable, type TestDatabase } from '../helpers/mysql.js'

// Issue 9 on the real MariaDB server, through the built CLI: without transactional DDL a failed
// migration is undone only with SQL known to reverse what ran, every message says what was undone
// and what stayed, and no session converts values non-strictly.
const available = await mysqlReachable()

const V = '20240301000000'

// The statement that fails is 3 (duplicate emails in the seeded rows); 4 would upper-case names.
const UP = [
  'CREATE TABLE audit (id int NOT NULL PRIMARY KEY, email varchar(100) NOT NULL) ENGINE=InnoDB;',
  'ALTER TABLE users ADD COLUMN nickname varchar(50) NULL;',
  'ALTER TABLE users ADD UNIQUE INDEX uq_email (email);',
  'UPDATE users SET name = UPPER(name);',
  '',
].join('\n')

// The usual hand-written "revert everything" down: run whole after statement 3 failed, its first
// statement would lower-case every name, undoing an UPDATE that never ran.
const UNPAIRED_DOWN = ['UPDATE users SET name = LOWER(name);', 'ALTER TABLE users DROP INDEX uq_email, DROP COLUMN nickname;', 'DROP TABLE audit;', ''].join('\n')

// One statement per up statement, newest first: provably pairs.
const PAIRED_DOWN = [
  'UPDATE users SET name = LOWER(name);',
  'ALTER TABLE users DROP INDEX uq_email;',
  'ALTER TABLE users DROP COLUMN nickname;',
  'DROP TABLE audit;',
  '',
].join('\n')

const USERS_DDL =
  'CREATE TABLE users (\n' +
  '  id int NOT NULL PRIMARY KEY,\n' +
  '  email varchar(100) NOT NULL,\n' +
  '  name varchar(50) NOT NULL,\n' +
  '  bio text NULL,\n' +
  '  score decimal(20,6) NULL DEFAULT 0,\n' +
  '  big bigint NULL,\n' +
  '  tiny tinyint NULL,\n' +
  "  created datetime(3) NOT NULL DEFAULT '2000-01-01 00:00:00.000'\n" +
  ') ENGINE=InnoDB'

const COLUMNS = ['id', 'email', 'name', 'bio', 'score', 'big', 'tiny', 'created'] as const

describe.skipIf(!available)('mysql: failed migrations say what was undone and what stayed; sessions are strict', () => {
  let test: TestDatabase
  let raw: mysql.Connection
  let project: TempProject

  beforeEach(async () => {
    test = await createTestDatabase('honesty')
    // Seeding and reading go through a connection of their own, not through the driver under test.
    raw = await mysql.createConnection({ ...connectionOf(test.url.raw), database: test.name, charset: 'utf8mb4', supportBigNumbers: true, bigNumberStrings: true, dateStrings: true })
    await raw.query(USERS_DDL)
    await raw.query(
      'INSERT INTO users (id, email, name, bio, score, big, tiny, created) VALUES ' +
        "(1, 'a@example.com', 'Ångström Ünïcødé 😀', NULL, 123456789.123456, 9223372036854775807, -128, DEFAULT), " +
        "(2, 'dup@example.com', 'Mixed Case', REPEAT('long text ', 1000), -0.000001, -9223372036854775808, 127, '2024-02-29 23:59:59.999'), " +
        "(3, 'dup@example.com', '', '', NULL, 0, 0, DEFAULT)",
    )
    project = tempProject()
  })

  afterEach(async () => {
    await raw?.end()
    await test?.drop()
    project?.remove()
  })

  /** SHOW CREATE of every table but the history, and every row as the server prints it. */
  async function dump(): Promise<Record<string, { ddl: string; rows: unknown[] }>> {
    const [tables] = (await raw.query(
      "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME NOT IN ('migrator_history', 'migrator_history_snapshots') ORDER BY TABLE_NAME",
    )) as [{ name: string }[], unknown]
    const out: Record<string, { ddl: string; rows: unknown[] }> = {}
    for (const { name } of tables) {
      const [[show]] = (await raw.query(`SHOW CREATE TABLE ${quoteIdent(name)}`)) as [Record<string, string>[], unknown]
      const [rows] = (await raw.query(`SELECT * FROM ${quoteIdent(name)} ORDER BY 1`)) as [unknown[], unknown]
      out[name] = { ddl: show?.['Create Table'] ?? '', rows }
    }
    return out
  }

  /** A checksum of the seeded columns of users, computed by the server over every value. */
  async function usersChecksum(): Promise<string> {
    const parts = COLUMNS.map((c) => `IFNULL(HEX(${quoteIdent(c)}), 'NULL')`).join(', ')
    await raw.query('SET SESSION group_concat_max_len = 1048576')
    const [[row]] = (await raw.query(`SELECT MD5(GROUP_CONCAT(CONCAT_WS('|', ${parts}) ORDER BY id SEPARATOR '\\n')) AS sum FROM users`)) as [{ sum: string }[], unknown]
    return row!.sum
  }

  async function seededUsers(): Promise<unknown[]> {
    const [rows] = (await raw.query(`SELECT ${COLUMNS.map(quoteIdent).join(', ')} FROM users ORDER BY id`)) as [unknown[], unknown]
    return rows
  }

  /** The history rows, or 'no history table' (a run that records nothing leaves none behind). */
  async function history(): Promise<unknown[] | 'no history table'> {
    const [tables] = (await raw.query("SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'migrator_history'")) as [unknown[], unknown]
    if (tables.length === 0) return 'no history table'
    const [rows] = (await raw.query('SELECT version, status, statements_applied FROM migrator_history ORDER BY version')) as [unknown[], unknown]
    return rows
  }

  async function migrations(files: Record<string, string>): Promise<void> {
    const dir = path.join(project.dir, 'migrations')
    await mkdir(dir, { recursive: true })
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text)
    await writeSum(dir)
  }

  function cli(args: readonly string[], url = test.url.raw): Promise<CliResult> {
    return project.run([...args, '--url', url, '--dir', 'migrations', '--no-color'])
  }

  it('a 4-statement hand-written migration failing at 3 whose down does not pair: nothing is undone, the row counts 2, the message says so', async () => {
    const before = await dump()
    const checksum = await usersChecksum()
    await migrations({ [`${V}_audit.up.sql`]: UP, [`${V}_audit.down.sql`]: UNPAIRED_DOWN })

    // --force: past the lint gate, which sees the duplicate emails; the runner is what is tested.
    const run = await cli(['up', '--force'])
    expect(run.code, run.stderr).toBe(1)
    const message =
      `${V}_audit.up.sql:3: statement 3 (ALTER TABLE users ADD UNIQUE INDEX uq_email (email)) failed: Duplicate entry 'dup@example.com' for key 'uq_email'; ` +
      `statements 1-2 of ${V}_audit.up.sql stayed applied (CREATE TABLE audit (id int NOT NULL PRI…; ALTER TABLE users ADD COLUMN nickname v…); ` +
      `${V}_audit.down.sql cannot be paired with them safely (it has 3 statements and the up file 4, but it needs one per up statement, in reverse order), so nothing was undone; ` +
      `history marks ${V} failed with statements_applied = 2: undo them by hand, then run \`migrator repair\``
    expect(run.stderr).toContain(message)
    expect(run.stderr).not.toMatch(/as before/)

    // Exactly statements 1 and 2 are in the database; no down statement ran: every seeded value is intact.
    expect(await history()).toEqual([{ version: V, status: 'failed', statements_applied: 2 }])
    expect(await usersChecksum()).toBe(checksum)
    expect(await seededUsers()).toEqual(before.users!.rows)
    const after = await dump()
    expect(Object.keys(after)).toEqual(['audit', 'users'])
    expect(after.audit!.rows).toEqual([])
    expect(after.users!.ddl).toBe(before.users!.ddl.replace(/(\n {2}`created`[^\n]*,)\n/, '$1\n  `nickname` varchar(50) DEFAULT NULL,\n'))
    expect(after.users!.ddl).not.toContain('uq_email')

    // status explains the row (--check exits 2: a failed migration needs attention); up refuses it.
    const report = await cli(['status', '--check'])
    expect(report.code, report.stderr).toBe(2)
    expect(report.stdout + report.stderr).toContain(
      `${V}_audit failed: statements 1-2 of it are in the database and were not undone (if a run was killed, check the next statement too): ` +
        'undo them by hand, then run `migrator repair` so `up` runs it again from the start',
    )
    const again = await cli(['up', '--force'])
    expect(again.code, again.stderr).toBe(1)
    expect(again.stderr).toContain(`migration ${V}_audit is recorded as failed; inspect the database, then run \`migrator repair\``)

    // The user undoes statements 1-2 by hand; repair forgets the row; the database is as it was.
    await raw.query('DROP TABLE audit')
    await raw.query('ALTER TABLE users DROP COLUMN nickname')
    const repaired = await cli(['repair', '--yes'])
    expect(repaired.code, repaired.stderr).toBe(0)
    expect(repaired.stdout + repaired.stderr).toContain(`forget failed ${V}_audit (history counts statements 1-2 as still applied: undo them by hand first)`)
    expect(await history()).toEqual([])
    expect(await dump()).toEqual(before)
  })

  it('--all-or-nothing does not revert earlier migrations beneath one left partly applied, and says so', async () => {
    const earlier = '20240229000000'
    await migrations({
      [`${earlier}_extra.up.sql`]: 'CREATE TABLE extra (id int NOT NULL PRIMARY KEY) ENGINE=InnoDB;\n',
      [`${earlier}_extra.down.sql`]: 'DROP TABLE extra;\n',
      [`${V}_audit.up.sql`]: UP,
      [`${V}_audit.down.sql`]: UNPAIRED_DOWN,
    })
    const run = await cli(['up', '--force', '--all-or-nothing'])
    expect(run.code, run.stderr).toBe(1)
    expect(run.stderr).toContain(
      `so nothing was undone; history marks ${V} failed with statements_applied = 2: undo them by hand, then run \`migrator repair\`; ` +
        `--all-or-nothing did not revert ${earlier}_extra (applied earlier in this run), because ${V}_audit is only partly undone: ` +
        'once it is repaired, revert it with `migrator down` if needed',
    )
    expect(await history()).toEqual([
      { version: earlier, status: 'applied', statements_applied: 1 },
      { version: V, status: 'failed', statements_applied: 2 },
    ])
    expect(Object.keys(await dump())).toEqual(['audit', 'extra', 'users'])
  })

  it('a hand-written down that pairs statement for statement undoes statements 2 and 1 only: schema, data and history as before', async () => {
    const before = await dump()
    const historyBefore = await history()
    const checksum = await usersChecksum()
    await migrations({ [`${V}_audit.up.sql`]: UP, [`${V}_audit.down.sql`]: PAIRED_DOWN })

    const run = await cli(['up', '--force', '--verbose'])
    expect(run.code, run.stderr).toBe(1)
    expect(run.stderr).toContain(
      `${V}_audit.up.sql:3: statement 3 (ALTER TABLE users ADD UNIQUE INDEX uq_email (email)) failed: Duplicate entry 'dup@example.com' for key 'uq_email'; ` +
        `undid statements 2, 1 of ${V}_audit.up.sql with statements 3, 4 of ${V}_audit.down.sql; database and history are as before`,
    )
    // The undo of statements 4 and 3 (LOWER(name), DROP INDEX) never ran.
    expect(run.stderr).toMatch(/undo #2: ALTER TABLE users DROP COLUMN nickname\n.*undo #1: DROP TABLE audit/s)
    expect(run.stderr).not.toContain('LOWER(name)')
    expect(await dump()).toEqual(before)
    expect(await usersChecksum()).toBe(checksum)
    expect(await history()).toEqual(historyBefore)
  })

  it('a generated migration is still undone exactly from its undo groups', async () => {
    const before = await dump()
    const historyBefore = await history()
    const checksum = await usersChecksum()
    project.write(
      'schema.sql',
      USERS_DDL.replace('  created', '  nickname varchar(50) NULL,\n  created').replace(') ENGINE=InnoDB', ',\n  UNIQUE KEY uq_email (email)\n) ENGINE=InnoDB') +
        ';\nCREATE TABLE audit (id int NOT NULL PRIMARY KEY, note text) ENGINE=InnoDB;\n',
    )
    const generated = await cli(['diff', 'second', '--to', 'schema.sql'])
    expect(generated.code, generated.stderr).toBe(0)

    const run = await cli(['up', '--force'])
    expect(run.code, run.stderr).toBe(1)
    expect(run.stderr).toMatch(
      /_second\.up\.sql:\d+: statement 3 \(ALTER TABLE `users` ADD UNIQUE INDEX `uq_email` \(`email`\)\) failed: Duplicate entry 'dup@example\.com' for key 'uq_email'; undid statements 2, 1 of \d{14}_second\.up\.sql; database and history are as before/,
    )
    expect(await dump()).toEqual(before)
    expect(await usersChecksum()).toBe(checksum)
    expect(await history()).toEqual(historyBefore)
  })

  it('a data statement failing mid-file: its transaction group rolls back and only the DDL before it is undone', async () => {
    const before = await dump()
    const historyBefore = await history()
    const checksum = await usersChecksum()
    const up = [
      'CREATE TABLE audit (id int NOT NULL PRIMARY KEY, email varchar(100) NOT NULL, name varchar(50) NOT NULL) ENGINE=InnoDB;',
      'INSERT INTO audit (id, email, name) SELECT id, email, name FROM users;',
      // Too long for name varchar(50) in row 1: strict mode fails it instead of truncating.
      "UPDATE users SET name = CONCAT(name, REPEAT('!', 40));",
      'ALTER TABLE users ADD COLUMN nickname varchar(50) NULL;',
      '',
    ].join('\n')
    const down = [
      'ALTER TABLE users DROP COLUMN nickname;',
      'UPDATE users SET name = LEFT(name, CHAR_LENGTH(name) - 40);',
      'DELETE FROM audit;',
      'DROP TABLE audit;',
      '',
    ].join('\n')
    await migrations({ [`${V}_data.up.sql`]: up, [`${V}_data.down.sql`]: down })

    const run = await cli(['up', '--force'])
    expect(run.code, run.stderr).toBe(1)
    expect(run.stderr).toContain(
      `${V}_data.up.sql:3: statement 3 (UPDATE users SET name = CONCAT(name, REPEAT('!', 40))) failed: Data too long for column 'name' at row 1; ` +
        `undid statement 1 of ${V}_data.up.sql with statement 4 of ${V}_data.down.sql; database and history are as before`,
    )
    expect(await dump()).toEqual(before)
    expect(await usersChecksum()).toBe(checksum)
    expect(await history()).toEqual(historyBefore)
  })

  it('the same data failure with a down that does not pair leaves statement 1 and says so', async () => {
    const before = await dump()
    const up = [
      'CREATE TABLE audit (id int NOT NULL PRIMARY KEY, name varchar(50) NOT NULL) ENGINE=InnoDB;',
      'INSERT INTO audit (id, name) SELECT id, name FROM users;',
      "UPDATE users SET name = CONCAT(name, REPEAT('!', 40));",
      '',
    ].join('\n')
    await migrations({ [`${V}_data.up.sql`]: up, [`${V}_data.down.sql`]: 'DROP TABLE IF EXISTS audit;\n' })

    const run = await cli(['up', '--force'])
    expect(run.code, run.stderr).toBe(1)
    expect(run.stderr).toContain(
      `; statement 1 of ${V}_data.up.sql stayed applied (CREATE TABLE audit (id int NOT NULL PRI…); ` +
        `${V}_data.down.sql cannot be paired with them safely (it has 1 statement and the up file 3, but it needs one per up statement, in reverse order), so nothing was undone; ` +
        `history marks ${V} failed with statements_applied = 1: undo it by hand, then run \`migrator repair\``,
    )
    expect(await history()).toEqual([{ version: V, status: 'failed', statements_applied: 1 }])
    // The INSERT…SELECT and the UPDATE rolled back together: audit is empty, users untouched.
    const after = await dump()
    expect(after.audit!.rows).toEqual([])
    expect(after.users).toEqual(before.users)
  })

  describe('strict conversions', () => {
    beforeEach(async () => {
      await raw.query('CREATE TABLE t (id int NOT NULL PRIMARY KEY, c varchar(10) NULL) ENGINE=InnoDB')
      await raw.query("INSERT INTO t VALUES (1, 'ok'), (2, 'hello'), (3, NULL), (4, 'Ünï😀')")
    })

    it('every session of the driver runs with STRICT_ALL_TABLES and keeps the server\'s other modes, also after a reconnect and whatever the URL says', async () => {
      const [[server]] = (await raw.query('SELECT @@GLOBAL.sql_mode AS modes')) as [{ modes: string }[], unknown]
      const serverModes = server!.modes.split(',').filter((m) => m !== '')
      for (const url of [test.url, parseUrl(`${test.url.raw}?sql_mode=`)]) {
        const driver = await dialect.open(url)
        try {
          const session = async (): Promise<string[]> => String((await driver.db.query<{ m: string }>('SELECT @@SESSION.sql_mode AS m'))[0]?.m).split(',')
          expect(await session()).toContain('STRICT_ALL_TABLES')
          expect(await session()).toEqual(expect.arrayContaining(serverModes))
          // A new session (the server ended the old one) is made strict too.
          const connectionId = async (): Promise<number> => Number((await driver.db.query<{ id: number }>('SELECT CONNECTION_ID() AS id'))[0]?.id)
          const id = await connectionId()
          await raw.query(`KILL CONNECTION ${id}`)
          await driver.db.query('SELECT 1').catch(() => undefined)
          expect(await connectionId()).not.toBe(id)
          expect(await session()).toContain('STRICT_ALL_TABLES')
        } finally {
          await driver.close()
        }
      }
    })

    it('a hand-written narrowing that cannot hold a value fails (exit 1) and changes nothing, even with --allow-data-loss', async () => {
      const before = await dump()
      const historyBefore = await history()
      await migrations({ [`${V}_narrow.up.sql`]: 'ALTER TABLE t MODIFY c VARCHAR(3);\n', [`${V}_narrow.down.sql`]: 'ALTER TABLE t MODIFY c VARCHAR(10);\n' })
      const run = await cli(['up', '--force', '--allow-data-loss'])
      expect(run.code, run.stderr).toBe(1)
      expect(run.stderr).toContain(
        `${V}_narrow.up.sql:1: statement 1 (ALTER TABLE t MODIFY c VARCHAR(3)) failed: Data truncated for column 'c' at row 2; no statement had run; database and history are as before`,
      )
      expect(await dump()).toEqual(before)
      expect(await history()).toEqual(historyBefore)
    })

    // The server's default mode is strict for transactional tables only: this is where the session
    // setting decides. Without STRICT_ALL_TABLES MariaDB stores 'hel' with a warning and exits 0.
    it('a copy into a non-transactional table fails instead of storing truncated values, whatever the URL says', async () => {
      const before = await dump()
      const historyBefore = await history()
      await migrations({ [`${V}_copy.up.sql`]: 'CREATE TABLE short_names (c varchar(3) NULL) ENGINE=MyISAM SELECT c FROM t ORDER BY id;\n' })
      const run = await cli(['up', '--force', '--allow-data-loss'], `${test.url.raw}?sql_mode=`)
      expect(run.code, run.stderr).toBe(1)
      expect(run.stderr).toContain(
        `${V}_copy.up.sql:1: statement 1 (CREATE TABLE short_names (c varchar(3) NULL) ENGINE=MyISAM SELECT c FROM t ORDE…) failed: Data too long for column 'c' at row 2; ` +
          'no statement had run; database and history are as before',
      )
      expect(await dump()).toEqual(before)
      expect(await history()).toEqual(historyBefore)
    })

    it('a directive cannot relax it: an unknown `-- migrator:` line is refused before anything runs', async () => {
      await migrations({ [`${V}_narrow.up.sql`]: "-- migrator:sql-mode ''\nALTER TABLE t MODIFY c VARCHAR(3);\n" })
      const run = await cli(['up', '--force', '--allow-data-loss'])
      expect(run.code, run.stderr).toBe(1)
      expect(run.stderr).toMatch(/migrator:sql-mode/)
      expect(await dump()).toHaveProperty('t.rows', [
        { id: 1, c: 'ok' },
        { id: 2, c: 'hello' },
        { id: 3, c: null },
        { id: 4, c: 'Ünï😀' },
      ])
    })
  })
})

/** mysql2 connection options for a `mysql://` URL. */
function connectionOf(url: string): { host: string; port: number; user: string; password: string } {
  const parsed = new URL(url)
  return { host: parsed.hostname, port: Number(parsed.port || 3306), user: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) }
}
