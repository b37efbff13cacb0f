import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { down, up } from '../../src/api/migrate.js'
import type { ResolvedConfig } from '../../src/config/schema.js'
import { writeSum } from '../../src/migrations/sum.js'
import { createTestDatabase, pgAvailable } from '../helpers/postgres.js'
import type { TestDatabase } from '../helpers/postgres.js'

const available = await pgAvailable()

/**
 * Failure behaviour of the real runner on PostgreSQL, through the programmatic API: a failed
 * migration leaves the whole database (schema, data, history) byte-for-byte as pg_dump saw it before.
 */
describe.skipIf(!available)('runner on PostgreSQL', () => {
  let db: TestDatabase
  let work: string
  let config: ResolvedConfig
  let client: pg.Client

  beforeAll(async () => {
    db = await createTestDatabase('mt_pg_run')
    client = new pg.Client({ connectionString: db.url.raw })
    await client.connect()
  })
  afterAll(async () => {
    await client?.end()
    if (work !== undefined) await rm(work, { recursive: true, force: true })
    await db?.drop()
  })
  beforeEach(async () => {
    await client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public')
    if (work !== undefined) await rm(work, { recursive: true, force: true })
    work = await mkdtemp(path.join(os.tmpdir(), 'migrator-pg-run-'))
    await mkdir(path.join(work, 'migrations'))
    config = {
      cwd: work, url: db.url.raw, dir: path.join(work, 'migrations'), schemas: ['public'],
      historyTable: 'migrator_history', lockTimeoutMs: 5000, lockWaitMs: 10_000,
    }
  })

  async function migrations(files: Record<string, string>): Promise<void> {
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(config.dir, name), text)
    await writeSum(config.dir)
  }

  /** Schema and data of the whole test database, as pg_dump prints them. */
  async function dump(): Promise<string> {
    const { stdout } = await promisify(execFile)('pg_dump', ['--no-owner', '--no-privileges', '--restrict-key=migratortest', '-d', db.url.raw], { maxBuffer: 1 << 24 })
    return stdout
  }

  async function rows(sql: string): Promise<Record<string, unknown>[]> {
    return (await client.query(sql)).rows
  }

  const BASE = {
    '20240101000000_base.up.sql': "CREATE TABLE t (id int PRIMARY KEY, name text NOT NULL);\nINSERT INTO t VALUES (1, 'a'), (2, 'b');\n",
    '20240101000000_base.down.sql': 'DROP TABLE t;\n',
  }

  it('a migration failing at its 3rd of 4 statements leaves schema, data and history exactly as before', async () => {
    await migrations(BASE)
    expect((await up(config)).error).toBeUndefined()
    await migrations({
      '20240102000000_broken.up.sql':
        'ALTER TABLE t ADD COLUMN email text;\n' +
        "INSERT INTO t VALUES (3, 'c', 'c@example.com');\n" +
        'UPDATE t SET no_such_column = 1;\n' +
        'CREATE TABLE u (id int);\n',
      '20240102000000_broken.down.sql': 'DROP TABLE u;\nALTER TABLE t DROP COLUMN email;\n',
    })
    const before = await dump()
    // Lint tries it on a copy of the live structure first and refuses (MF100) before touching anything…
    await expect(up(config)).rejects.toThrow(/refusing to apply: .*MF100 error: fails on this database .*statement 3 \(UPDATE t SET no_such_column = 1\)/)
    expect(await dump()).toBe(before)
    // …and when forced, the transaction takes the whole migration back.
    const result = await up(config, { force: true })
    expect(result.error?.message).toMatch(/20240102000000_broken\.up\.sql:3: statement 3 \(UPDATE t SET no_such_column = 1\) failed: .*no_such_column.*rolled back/)
    expect(result.results.map((r) => r.status)).toEqual(['failed'])
    expect(await dump()).toBe(before)
    expect(await rows('SELECT version, status FROM migrator_history ORDER BY version')).toEqual([{ version: '20240101000000', status: 'applied' }])
  })

  it('a no-transaction migration failing midway is undone from its undo groups; database as before', async () => {
    await migrations(BASE)
    expect((await up(config)).error).toBeUndefined()
    await migrations({
      '20240102000000_stepwise.up.sql':
        '-- migrator:no-transaction\n\n' +
        'ALTER TABLE t ADD COLUMN email text;\n' +
        'CREATE INDEX CONCURRENTLY t_name_idx ON t (name);\n' +
        'CREATE UNIQUE INDEX CONCURRENTLY t_name_key ON t ((1));\n' +
        'CREATE TABLE u (id int);\n',
      '20240102000000_stepwise.down.sql':
        '-- migrator:no-transaction\n\n' +
        '-- migrator:undo 4\nDROP TABLE u;\n\n-- migrator:undo 3\nDROP INDEX CONCURRENTLY t_name_key;\n\n' +
        '-- migrator:undo 2\nDROP INDEX CONCURRENTLY t_name_idx;\n\n-- migrator:undo 1\nALTER TABLE t DROP COLUMN email;\n',
    })
    const before = await dump()
    const result = await up(config)
    expect(result.error?.message).toMatch(/stepwise\.up\.sql:5: statement 3 .*could not create unique index.*database and history are as before/)
    expect(await dump()).toBe(before)
    // The failed CONCURRENTLY build leaves no INVALID index behind (pg_dump does not show those).
    expect(await rows("SELECT relname FROM pg_class WHERE relname IN ('t_name_idx', 't_name_key')")).toEqual([])
  })

  it('a failing check-after rolls the migration back', async () => {
    await migrations(BASE)
    expect((await up(config)).error).toBeUndefined()
    await migrations({
      '20240102000000_checked.up.sql':
        '-- migrator:check-after SELECT count(*) = 2 FROM t\n-- migrator:allow-row-change\n\n' +
        'ALTER TABLE t ADD COLUMN email text;\n' +
        "INSERT INTO t VALUES (3, 'c', 'c@example.com');\n",
      '20240102000000_checked.down.sql': 'ALTER TABLE t DROP COLUMN email;\n',
    })
    const before = await dump()
    const result = await up(config)
    expect(result.error?.message).toMatch(/check-after `SELECT count\(\*\) = 2 FROM t` failed \(returned false\).*rolled back/)
    expect(await dump()).toBe(before)
  })

  it('two concurrent ups (two connections) apply each migration exactly once', async () => {
    // Neither migration is idempotent: a second application would fail or double the log rows.
    await migrations({
      ...BASE,
      '20240102000000_log.up.sql': "CREATE TABLE log (msg text);\nINSERT INTO log VALUES ('applied');\nSELECT pg_sleep(0.3);\n",
      '20240102000000_log.down.sql': 'DROP TABLE log;\n',
      '20240103000000_more.up.sql': "INSERT INTO log VALUES ('more');\n",
      '20240103000000_more.down.sql': "DELETE FROM log WHERE msg = 'more';\n",
    })
    const [a, b] = await Promise.all([up(config), up(config)])
    expect(a.error).toBeUndefined()
    expect(b.error).toBeUndefined()
    const appliedBy = (r: typeof a): string[] => r.results.filter((x) => x.status === 'applied').map((x) => x.version)
    expect([...appliedBy(a), ...appliedBy(b)].sort()).toEqual(['20240101000000', '20240102000000', '20240103000000'])
    expect(await rows('SELECT msg FROM log ORDER BY msg')).toEqual([{ msg: 'applied' }, { msg: 'more' }])
    expect(await rows('SELECT count(*)::int AS n FROM t')).toEqual([{ n: 2 }])
    expect((await rows('SELECT version FROM migrator_history ORDER BY version')).map((r) => r.version)).toEqual([
      '20240101000000', '20240102000000', '20240103000000',
    ])
  })

  it('a table lock held by another session fails `up` after lockTimeout, naming the table, lock and holder pid', async () => {
    await migrations(BASE)
    expect((await up(config)).error).toBeUndefined()
    await migrations({
      '20240102000000_alter.up.sql': 'ALTER TABLE t ADD COLUMN email text;\n',
      '20240102000000_alter.down.sql': 'ALTER TABLE t DROP COLUMN email;\n',
    })
    const holder = new pg.Client({ connectionString: db.url.raw, application_name: 'holder' })
    await holder.connect()
    try {
      const pid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid
      await holder.query('BEGIN')
      await holder.query('LOCK TABLE t IN ACCESS EXCLUSIVE MODE')
      const started = Date.now()
      const result = await up({ ...config, lockTimeoutMs: 400 })
      // It waited for the lock timeout, and gave up while the holder still held the lock (the
      // holder releases only after up returned): no upper bound in seconds, which a busy machine breaks.
      expect(Date.now() - started).toBeGreaterThanOrEqual(400)
      const message = result.error?.message ?? ''
      expect(message).toMatch(/lock timeout/)
      expect(message).toContain('table public.t')
      expect(message).toContain('AccessExclusiveLock')
      expect(message).toContain(`pid ${pid}`)
      expect(message).toContain('LOCK TABLE t IN ACCESS EXCLUSIVE MODE')
      expect(message).toMatch(/rolled back/)
      await holder.query('ROLLBACK')
    } finally {
      await holder.end()
    }
    expect(await rows("SELECT column_name FROM information_schema.columns WHERE table_name = 't' ORDER BY ordinal_position")).toEqual([
      { column_name: 'id' }, { column_name: 'name' },
    ])
    expect((await up(config)).error).toBeUndefined()
  })

  it('lockTimeout also bounds the statements of a no-transaction migration', async () => {
    await migrations(BASE)
    expect((await up(config)).error).toBeUndefined()
    await migrations({
      '20240102000000_alter.up.sql': '-- migrator:no-transaction\n\nALTER TABLE t ADD COLUMN email text;\n',
      '20240102000000_alter.down.sql': '-- migrator:no-transaction\n\nALTER TABLE t DROP COLUMN email;\n',
    })
    const holder = new pg.Client({ connectionString: db.url.raw, application_name: 'holder' })
    await holder.connect()
    try {
      // A reader in an open transaction: the ALTER's ACCESS EXCLUSIVE request would queue behind it
      // (and every later query on t behind the ALTER) until the reader ends.
      await holder.query('BEGIN')
      await holder.query('SELECT count(*) FROM t')
      const result = await up({ ...config, lockTimeoutMs: 400 })
      expect(result.error?.message ?? '').toMatch(/statement 1 \(ALTER TABLE t ADD COLUMN email text\) failed: canceling statement due to lock timeout/)
      await holder.query('ROLLBACK')
    } finally {
      await holder.end()
    }
    expect(await rows("SELECT count(*)::int AS n FROM migrator_history WHERE version = '20240102000000'")).toEqual([{ n: 0 }])
    expect((await up(config)).error).toBeUndefined()
  })

  it('bounds lock waits once for a series of migrations, lifted only for a file that waits for other transactions by design', async () => {
    const record = "INSERT INTO seen (v) VALUES (current_setting('lock_timeout'));\n"
    await migrations({
      '20240101000000_one.up.sql': `CREATE TABLE seen (n serial PRIMARY KEY, v text NOT NULL);\n${record}`,
      '20240101000000_one.down.sql': 'DROP TABLE seen;\n',
      '20240101000001_two.up.sql': record,
      '20240101000001_two.down.sql': 'DELETE FROM seen WHERE n = 2;\n',
      '20240101000002_three.up.sql': `-- migrator:no-transaction\n\nCREATE INDEX CONCURRENTLY seen_v ON seen (v);\n${record}`,
      '20240101000002_three.down.sql': '-- migrator:no-transaction\n\nDROP INDEX CONCURRENTLY seen_v;\nDELETE FROM seen WHERE n = 3;\n',
      '20240101000003_four.up.sql': `-- migrator:no-transaction\n\n${record}`,
      '20240101000003_four.down.sql': '-- migrator:no-transaction\n\nDELETE FROM seen WHERE n = 4;\n',
      '20240101000004_five.up.sql': record,
      '20240101000004_five.down.sql': 'DELETE FROM seen WHERE n = 5;\n',
    })
    const dry = await up({ ...config, lockTimeoutMs: 1500 }, { dryRun: true })
    // Set before the first migration, lifted for the CONCURRENTLY file, set again for the fourth
    // (no-transaction, but its statements would queue others behind a lock wait): never per transaction.
    expect(dry.sql?.match(/SET lock_timeout = '1500ms';/g)).toHaveLength(2)
    expect(dry.sql).toContain('-- 20240101000002_three.up.sql\nRESET lock_timeout;')
    expect(dry.sql).toContain("-- 20240101000003_four.up.sql\nSET lock_timeout = '1500ms';")
    expect(dry.sql).not.toContain('SET LOCAL')
    expect((await up({ ...config, lockTimeoutMs: 1500 })).error).toBeUndefined()
    const unbounded = (await rows("SELECT current_setting('lock_timeout') AS v"))[0]!.v
    expect(await rows('SELECT n, v FROM seen ORDER BY n')).toEqual([
      { n: 1, v: '1500ms' },
      { n: 2, v: '1500ms' },
      { n: 3, v: unbounded },
      { n: 4, v: '1500ms' },
      { n: 5, v: '1500ms' },
    ])
  })

  it('a no-transaction CREATE INDEX CONCURRENTLY migration applies, with its history row written after', async () => {
    await migrations(BASE)
    expect((await up(config)).error).toBeUndefined()
    await migrations({
      '20240102000000_index.up.sql': '-- migrator:no-transaction\n\nCREATE INDEX CONCURRENTLY t_name_idx ON t (name);\n',
      '20240102000000_index.down.sql': '-- migrator:no-transaction\n\nDROP INDEX CONCURRENTLY t_name_idx;\n',
    })
    const result = await up(config)
    expect(result.error).toBeUndefined()
    expect(await rows("SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 't_name_idx'")).toEqual([{ valid: true }])
    expect(await rows("SELECT status, statements_applied FROM migrator_history WHERE version = '20240102000000'")).toEqual([
      { status: 'applied', statements_applied: 1 },
    ])
    expect((await down(config)).error).toBeUndefined()
    expect(await rows("SELECT 1 FROM pg_class WHERE relname = 't_name_idx'")).toEqual([])
  })
})
