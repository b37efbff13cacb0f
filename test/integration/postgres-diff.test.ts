import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { diff } from '../../src/api/diff.js'
import { down, up } from '../../src/api/migrate.js'
import type { ResolvedConfig } from '../../src/config/schema.js'
import { createTestDatabase, pgAvailable } from '../helpers/postgres.js'
import type { TestDatabase } from '../helpers/postgres.js'

const available = await pgAvailable()

describe.skipIf(!available)('diff --concurrent-indexes on PostgreSQL', () => {
  let db: TestDatabase
  let work: string
  let config: ResolvedConfig

  beforeAll(async () => {
    db = await createTestDatabase('mt_pg_cic')
    work = await mkdtemp(path.join(os.tmpdir(), 'migrator-pg-cic-'))
    config = {
      cwd: work, url: db.url.raw, dir: path.join(work, 'migrations'), target: path.join(work, 'schema.sql'),
      schemas: ['public'], historyTable: 'migrator_history', lockTimeoutMs: 5000, lockWaitMs: 5000,
    }
  })
  afterAll(async () => {
    await rm(work, { recursive: true, force: true })
    await db?.drop()
  })

  async function query(sql: string): Promise<Record<string, unknown>[]> {
    const client = new pg.Client({ connectionString: db.url.raw })
    await client.connect()
    try {
      return (await client.query(sql)).rows
    } finally {
      await client.end()
    }
  }

  it('new indexes on existing tables are built CONCURRENTLY in a no-transaction file that applies and reverts', async () => {
    await writeFile(config.target!, 'CREATE TABLE t (id int PRIMARY KEY, name text NOT NULL);\n')
    expect((await diff(config, { name: 'create', now: new Date('2024-01-01T00:00:00Z') })).written).toBeDefined()
    expect((await up(config)).error).toBeUndefined()
    await query("INSERT INTO t SELECT g, 'n' || g FROM generate_series(1, 50) g")

    await writeFile(
      config.target!,
      'CREATE TABLE t (id int PRIMARY KEY, name text NOT NULL);\nCREATE INDEX t_name_idx ON t (name);\n' +
        'CREATE TABLE u (id int PRIMARY KEY, t_id int NOT NULL);\nCREATE INDEX u_t_id_idx ON u (t_id);\n',
    )
    const outcome = await diff(config, { name: 'indexes', concurrentIndexes: true, now: new Date('2024-01-02T00:00:00Z') })
    expect(outcome.plan.transactional).toBe(false)
    const upText = await readFile(outcome.written!.up, 'utf8')
    const downText = await readFile(outcome.written!.down, 'utf8')
    expect(upText).toMatch(/^-- migrator:no-transaction$/m)
    expect(upText).toContain('CREATE INDEX CONCURRENTLY "t_name_idx" ON "public"."t" ("name");')
    // A new table's index blocks nobody: built normally.
    expect(upText).toMatch(/CREATE INDEX "u_t_id_idx" ON "public"."u"/)
    expect(downText).toContain('DROP INDEX CONCURRENTLY "public"."t_name_idx";')

    const applied = await up(config)
    expect(applied.error?.message).toBeUndefined()
    expect(await query("SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname IN ('t_name_idx', 'u_t_id_idx') ORDER BY 1")).toEqual([
      { relname: 't_name_idx', indisvalid: true },
      { relname: 'u_t_id_idx', indisvalid: true },
    ])
    expect(await query("SELECT status FROM migrator_history WHERE version = '20240102000000'")).toEqual([{ status: 'applied' }])
    expect(await query('SELECT count(*)::int AS n FROM t')).toEqual([{ n: 50 }])
    expect((await diff(config, { dryRun: true })).changes).toEqual([])

    expect((await down(config)).error?.message).toBeUndefined()
    expect(await query("SELECT relname FROM pg_class WHERE relname IN ('t_name_idx', 'u_t_id_idx', 'u')")).toEqual([])
  })

  it('without the option the same index is a plain, transactional CREATE INDEX', async () => {
    // The first test reverted the index migration: the live database lacks t_name_idx again.
    const outcome = await diff({ ...config, dir: path.join(work, 'elsewhere') }, { dryRun: true })
    expect(outcome.plan.transactional).toBe(true)
    // The header's LK101 finding names CONCURRENTLY; the statements must not use it.
    expect(outcome.up).not.toMatch(/INDEX CONCURRENTLY|migrator:no-transaction/)
    expect(outcome.up).toContain('CREATE INDEX "t_name_idx" ON "public"."t" ("name");')
  })
})
