import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { lintWithDriver, type LintReport } from '../../src/api/lint.js'
import type { ResolvedConfig } from '../../src/config/schema.js'
import type { Driver } from '../../src/dialects/dialect.js'
import { dialect } from '../../src/dialects/postgres/index.js'
import { liveProbe } from '../../src/lint/probe.js'
import { readDirectory } from '../../src/migrations/directory.js'
import { writeSum } from '../../src/migrations/sum.js'
import { runUp } from '../../src/runner/run.js'
import { createTestDatabase, pgAvailable, type TestDatabase } from '../helpers/postgres.js'

const available = await pgAvailable()

// Live: users with 3 rows (one NULL email), orders with 2 rows, an empty table.
const BASE = [
  'CREATE TABLE users (id int PRIMARY KEY, email varchar(100), age int, nick text, CONSTRAINT nick_present CHECK (nick IS NOT NULL));',
  'CREATE INDEX users_age ON users (age);',
  'CREATE TABLE orders (id int PRIMARY KEY, user_id int);',
  'CREATE TABLE empty (id int PRIMARY KEY, note text);',
].join('\n')
const ROWS = ["INSERT INTO users VALUES (1, 'a@x', 30, 'a'), (2, NULL, 40, 'b'), (3, 'c@x', 50, 'c')", 'INSERT INTO orders VALUES (1, 1), (2, 3)']

describe.skipIf(!available)('PostgreSQL lint hooks (LK101–LK104) and the lock-bounded data probe', () => {
  let db: TestDatabase
  let driver: Driver
  let root: string
  let version = 1

  beforeAll(async () => {
    db = await createTestDatabase('mt_pglint')
    driver = await dialect.open(db.url)
    root = await mkdtemp(path.join(os.tmpdir(), 'migrator-pglint-'))
    await writeFile(path.join(root, '20240101000001_base.up.sql'), BASE)
    await writeFile(path.join(root, '20240101000001_base.down.sql'), 'DROP TABLE empty, orders, users;')
    await writeSum(root)
    const run = await runUp(driver, await readDirectory(root), { historyTable: 'migrator_history', lockTimeoutMs: 5000, appliedBy: 't', toolVersion: 't' })
    expect(run.error).toBeUndefined()
    for (const sql of ROWS) await driver.db.exec(sql)
  })
  afterAll(async () => {
    await driver?.close()
    await db?.drop()
    if (root !== undefined) await rm(root, { recursive: true, force: true })
  })

  const config = (): ResolvedConfig => ({ cwd: root, url: db.url.raw, dir: root, schemas: ['public'], historyTable: 'migrator_history', lockTimeoutMs: 2000, lockWaitMs: 5000 })

  /** Lints one pending migration `up` (then removes it, so the next test starts from BASE). */
  async function lintOne(up: string): Promise<LintReport> {
    const name = `20240101${String(++version).padStart(6, '0')}_change`
    const file = path.join(root, `${name}.up.sql`)
    await writeFile(file, up)
    await writeFile(path.join(root, `${name}.down.sql`), 'SELECT 1;')
    await writeSum(root)
    try {
      return await lintWithDriver(driver, config(), await readDirectory(root))
    } finally {
      await rm(file)
      await rm(path.join(root, `${name}.down.sql`))
      await writeSum(root)
    }
  }
  const lk = (report: LintReport) => report.migrations.flatMap((m) => m.findings).filter((f) => f.code.startsWith('LK'))

  it('LK101: CREATE INDEX without CONCURRENTLY on a table with rows; CONCURRENTLY (no-transaction) and empty tables are not flagged', async () => {
    const found = lk(await lintOne('CREATE INDEX users_email ON users (email);'))
    expect(found).toEqual([
      expect.objectContaining({ code: 'LK101', severity: 'warning', table: 'public.users', rows: 3, message: 'creates index users_email on public.users (3 rows) without CONCURRENTLY: writes to the table are blocked while it builds' }),
    ])
    expect(lk(await lintOne('-- migrator:no-transaction\nCREATE INDEX CONCURRENTLY users_email ON users (email);'))).toEqual([])
    expect(lk(await lintOne('CREATE INDEX empty_note ON empty (note);'))).toEqual([])
  })

  it('LK101: DROP INDEX without CONCURRENTLY; DROP INDEX CONCURRENTLY is not flagged', async () => {
    expect(lk(await lintOne('DROP INDEX users_age;')).map((f) => f.message)).toEqual([expect.stringMatching(/^drops index users_age on public\.users \(3 rows\) without CONCURRENTLY/)])
    expect(lk(await lintOne('-- migrator:no-transaction\nDROP INDEX CONCURRENTLY users_age;'))).toEqual([])
  })

  it('LK102: a foreign key without NOT VALID on a table with rows; NOT VALID is not flagged', async () => {
    const found = lk(await lintOne('ALTER TABLE orders ADD CONSTRAINT orders_user FOREIGN KEY (user_id) REFERENCES users (id);'))
    expect(found).toEqual([expect.objectContaining({ code: 'LK102', table: 'public.orders', rows: 2 })])
    expect(found[0]!.message).toContain('without NOT VALID')
    expect(lk(await lintOne('ALTER TABLE orders ADD CONSTRAINT orders_user FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;'))).toEqual([])
  })

  it('LK103: a type change that rewrites; a binary-coercible widening does not', async () => {
    const found = lk(await lintOne('ALTER TABLE users ALTER COLUMN age TYPE bigint;'))
    expect(found).toEqual([expect.objectContaining({ code: 'LK103', message: 'changes column public.users.age from integer to bigint: rewrites all 3 rows under an ACCESS EXCLUSIVE lock' })])
    expect(lk(await lintOne('ALTER TABLE users ALTER COLUMN email TYPE varchar(200);'))).toEqual([])
  })

  it('LK104: SET NOT NULL without a CHECK (col IS NOT NULL); with one it is not flagged', async () => {
    const found = lk(await lintOne('ALTER TABLE users ALTER COLUMN age SET NOT NULL;'))
    expect(found).toEqual([expect.objectContaining({ code: 'LK104', message: 'sets public.users.age NOT NULL: scans all 3 rows under an ACCESS EXCLUSIVE lock' })])
    // nick has CHECK (nick IS NOT NULL): PostgreSQL 12+ skips the scan.
    expect(lk(await lintOne('ALTER TABLE users ALTER COLUMN nick SET NOT NULL;'))).toEqual([])
  })

  it('data probe: a table locked by another session makes counts unknown within the lock timeout instead of hanging', async () => {
    const live = await driver.inspect()
    expect(await liveProbe(driver, live, 500).nulls('public.users', 'email')).toBe(1)
    const other = new pg.Client({ connectionString: db.url.raw })
    await other.connect()
    try {
      await other.query('BEGIN')
      await other.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE')
      const start = Date.now()
      const probe = liveProbe(driver, live, 500)
      expect(await probe.nulls('public.users', 'email')).toBeUndefined()
      expect(await probe.duplicates('public.users', ['email'])).toBeUndefined()
      expect(Date.now() - start).toBeLessThan(4000)
    } finally {
      await other.query('ROLLBACK')
      await other.end()
    }
    expect(await liveProbe(driver, live, 500).duplicates('public.users', ['email'])).toBe(0)
  })
})
