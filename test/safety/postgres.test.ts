import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { up } from '../../src/api/migrate.js'
import type { ResolvedConfig } from '../../src/config/schema.js'
import type { Driver } from '../../src/dialects/dialect.js'
import { dialect } from '../../src/dialects/postgres/index.js'
import { MigratorError } from '../../src/errors.js'
import { readDirectory } from '../../src/migrations/directory.js'
import { writeSum } from '../../src/migrations/sum.js'
import type { RunEvent } from '../../src/runner/events.js'
import { runUp } from '../../src/runner/run.js'
import { restoreBackup, takeBackup } from '../../src/safety/backup.js'
import { createTestDatabase, pgAvailable, type TestDatabase } from '../helpers/postgres.js'

const available = await pgAvailable()

/** Plain pg_dump of schema and data: what "identical" means. */
async function dump(db: TestDatabase): Promise<string> {
  const { stdout } = await promisify(execFile)('pg_dump', ['--no-owner', '--no-privileges', '-d', db.url.raw], { maxBuffer: 1 << 24 })
  // pg_dump 15.14+ brackets the script with \restrict <random key>; nothing else is time-dependent.
  return stdout.replace(/^\\(un)?restrict .*$/gm, '')
}

describe.skipIf(!available)('PostgreSQL safety: pg_dump backups and the lock pre-check', () => {
  let db: TestDatabase
  let driver: Driver
  let root: string
  const others: pg.Client[] = []

  beforeAll(async () => {
    db = await createTestDatabase('mt_pgsafe')
    driver = await dialect.open(db.url)
    root = await mkdtemp(path.join(os.tmpdir(), 'migrator-pgsafe-'))
    await write({
      '20240101000001_base.up.sql':
        "CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL);\nCREATE TABLE log (id serial PRIMARY KEY, user_id int REFERENCES users (id), line text);\nCREATE VIEW emails AS SELECT email FROM users;\nINSERT INTO users VALUES (1, 'a@x'), (2, 'b@x');\nINSERT INTO log (user_id, line) VALUES (1, 'one'), (2, 'two');\n",
      '20240101000001_base.down.sql': 'DROP VIEW emails;\nDROP TABLE log;\nDROP TABLE users;\n',
    })
    expect((await up(config())).error).toBeUndefined()
  })
  afterEach(async () => {
    for (const c of others.splice(0)) await c.end().catch(() => undefined)
  })
  afterAll(async () => {
    await driver?.close()
    await db?.drop()
    if (root !== undefined) await rm(root, { recursive: true, force: true })
  })

  function config(patch: Partial<ResolvedConfig> = {}): ResolvedConfig {
    return { cwd: root, url: db.url.raw, dir: path.join(root, 'migrations'), schemas: ['public'], historyTable: 'migrator_history', lockTimeoutMs: 2000, lockWaitMs: 5000, ...patch }
  }
  async function write(files: Record<string, string>): Promise<void> {
    const dir = path.join(root, 'migrations')
    await import('node:fs/promises').then((fs) => fs.mkdir(dir, { recursive: true }))
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text)
    await writeSum(dir)
  }
  async function remove(...names: string[]): Promise<void> {
    for (const name of names) await rm(path.join(root, 'migrations', name))
    await writeSum(path.join(root, 'migrations'))
  }
  async function otherSession(): Promise<{ client: pg.Client; pid: number }> {
    const client = new pg.Client({ connectionString: db.url.raw })
    await client.connect()
    others.push(client)
    const pid = Number((await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid)
    return { client, pid }
  }

  it('backup → damaging migration → restore gives back identical schema, data and history (pg_dump -Fc / pg_restore)', async () => {
    const before = await dump(db)
    const snapshot = await takeBackup(driver, config(), new Date('2024-03-04T05:06:07Z'))
    expect(path.basename(snapshot.file)).toBe(`${db.name}.20240304-050607.backup`)
    expect(snapshot.size).toBeGreaterThan(0)

    await write({ '20240101000002_damage.up.sql': 'DROP VIEW emails;\nDROP TABLE log;\nDELETE FROM users WHERE id = 2;\n', '20240101000002_damage.down.sql': 'SELECT 1;\n' })
    // allow-row-change is not declared, but users is not altered, only emptied of a row: use the runner directly.
    const damage = await runUp(driver, await readDirectory(path.join(root, 'migrations')), { historyTable: 'migrator_history', lockTimeoutMs: 5000, appliedBy: 't', toolVersion: 't' })
    expect(damage.error).toBeUndefined()
    expect(await dump(db)).not.toBe(before)

    await restoreBackup(driver, snapshot.file)
    expect(await dump(db)).toBe(before)
    expect(await driver.db.query('SELECT line FROM log ORDER BY id')).toEqual([{ line: 'one' }, { line: 'two' }])
    await remove('20240101000002_damage.up.sql', '20240101000002_damage.down.sql')
  })

  it('restore refuses a file that is not a pg_dump archive, before touching anything', async () => {
    const bogus = path.join(root, 'bogus.backup')
    await writeFile(bogus, 'not an archive')
    await expect(restoreBackup(driver, bogus)).rejects.toThrow(/is not a pg_dump archive written by `migrator backup`/)
    expect(await driver.db.query('SELECT count(*)::int AS n FROM users')).toEqual([{ n: 2 }])
  })

  it('pg_dump missing on PATH: a clear MigratorError and `up --backup` runs nothing', async () => {
    await write({ '20240101000003_more.up.sql': 'ALTER TABLE users ADD COLUMN nick text;\n', '20240101000003_more.down.sql': 'ALTER TABLE users DROP COLUMN nick;\n' })
    const saved = process.env.PATH
    process.env.PATH = path.join(root, 'no-such-bin')
    try {
      const error = await up(config(), { backup: true }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(MigratorError)
      expect((error as Error).message).toMatch(/^pg_dump not found on PATH: install the PostgreSQL client tools .*; nothing was run$/)
    } finally {
      process.env.PATH = saved
    }
    expect(await driver.db.query("SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'nick'")).toEqual([{ n: 0 }])
    await remove('20240101000003_more.up.sql', '20240101000003_more.down.sql')
  })

  it('lock pre-check: a session holding a lock on a table the migration touches is reported; under the age limit the run proceeds', async () => {
    const { client, pid } = await otherSession()
    await client.query('BEGIN')
    await client.query("UPDATE users SET email = 'a2@x' WHERE id = 1")
    await write({ '20240101000004_copy.up.sql': 'CREATE TABLE user_copy AS SELECT id FROM users;\n', '20240101000004_copy.down.sql': 'DROP TABLE user_copy;\n' })
    const events: RunEvent[] = []
    const result = await runUp(driver, await readDirectory(path.join(root, 'migrations')), {
      historyTable: 'migrator_history',
      lockTimeoutMs: 5000,
      appliedBy: 't',
      toolVersion: 't',
      preCheck: { maxTransactionAgeMs: 3_600_000 },
      onEvent: (e) => events.push(e),
    })
    expect(result.error).toBeUndefined()
    const report = events.find((e) => e.kind === 'pre-check')
    expect(report).toMatchObject({ kind: 'pre-check', blocked: false, sessions: [expect.objectContaining({ pid, tables: ['public.users'], waiting: false, state: 'idle in transaction' })] })
    await client.query('ROLLBACK')
    await driver.db.exec('DROP TABLE user_copy')
    await driver.db.exec("DELETE FROM migrator_history WHERE version = '20240101000004'")
    await remove('20240101000004_copy.up.sql', '20240101000004_copy.down.sql')
  })

  it('lock pre-check: past maxTransactionAge the migration is refused before it runs, naming the pid and its query', async () => {
    const { client, pid } = await otherSession()
    await client.query('BEGIN')
    await client.query("UPDATE users SET email = 'a3@x' WHERE id = 1")
    await new Promise((r) => setTimeout(r, 300))
    await write({ '20240101000005_alter.up.sql': 'ALTER TABLE users ADD COLUMN age int;\n', '20240101000005_alter.down.sql': 'ALTER TABLE users DROP COLUMN age;\n' })
    const start = Date.now()
    const result = await up(config({ preCheck: { maxTransactionAgeMs: 200 } }))
    expect(Date.now() - start).toBeLessThan(10_000)
    expect(result.results.map((r) => r.status)).toEqual(['failed'])
    expect(result.error?.message).toMatch(new RegExp(`lock pre-check: pid ${pid} \\(transaction open \\d+s, holds a lock on public\\.users\\): UPDATE users SET email = 'a3@x' WHERE id = 1; nothing was run`))
    const columns = await driver.db.query("SELECT column_name FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'age'")
    expect(columns).toEqual([])
    await client.query('ROLLBACK')
    // Once the session is gone the same migration applies.
    expect((await up(config({ preCheck: { maxTransactionAgeMs: 200 } }))).error).toBeUndefined()
  })
})
