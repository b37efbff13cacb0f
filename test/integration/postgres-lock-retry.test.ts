import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { diff } from '../../src/api/diff.js'
import { up } from '../../src/api/migrate.js'
import type { ResolvedConfig } from '../../src/config/schema.js'
import type { RunEvent } from '../../src/runner/events.js'
import { createTestDatabase, pgAvailable, type TestDatabase } from '../helpers/postgres.js'

const available = await pgAvailable()

/** `up --lock-retries`: a migration stopped by lockTimeout rolls back and retries with backoff. */
describe.skipIf(!available)('lock-aware retries on PostgreSQL', () => {
  let db: TestDatabase
  let work: string
  let config: ResolvedConfig

  beforeAll(async () => {
    db = await createTestDatabase('mt_pg_retry')
    work = await mkdtemp(path.join(os.tmpdir(), 'migrator-pg-retry-'))
    config = {
      cwd: work, url: db.url.raw, dir: path.join(work, 'migrations'), target: path.join(work, 'schema.sql'),
      schemas: ['public'], historyTable: 'migrator_history', lockTimeoutMs: 200, lockWaitMs: 5000,
    }
    await writeFile(config.target!, 'CREATE TABLE t (id int PRIMARY KEY);\n')
    await diff(config, { name: 'create' })
    expect((await up(config)).error).toBeUndefined()
  })
  afterAll(async () => {
    await rm(work, { recursive: true, force: true })
    await db?.drop()
  })

  /** A second session holding an ACCESS EXCLUSIVE lock on t until `release()`. */
  async function holdLock(): Promise<{ release(): Promise<void> }> {
    const client = new pg.Client({ connectionString: db.url.raw })
    await client.connect()
    await client.query('BEGIN')
    await client.query('LOCK TABLE t IN ACCESS EXCLUSIVE MODE')
    return {
      release: async () => {
        await client.query('COMMIT')
        await client.end()
      },
    }
  }

  async function columns(): Promise<string[]> {
    const client = new pg.Client({ connectionString: db.url.raw })
    await client.connect()
    try {
      return (await client.query("SELECT column_name FROM information_schema.columns WHERE table_name = 't' ORDER BY ordinal_position")).rows.map((r) => r.column_name as string)
    } finally {
      await client.end()
    }
  }

  it('retries until the lock is released, then applies', async () => {
    await writeFile(config.target!, 'CREATE TABLE t (id int PRIMARY KEY, a text);\n')
    await diff(config, { name: 'add_a' })
    const holder = await holdLock()
    // Released once up has retried: a fixed delay raced up's own start-up (lint gate, pre-check) on a busy machine.
    let released: Promise<void> | undefined
    const events: RunEvent[] = []
    const result = await up(config, {
      lockRetries: 8,
      onEvent: (e) => {
        events.push(e)
        if (e.kind === 'lock-retry') released ??= holder.release()
      },
    })
    await (released ?? holder.release())
    expect(result.error?.message).toBeUndefined()
    expect(events.filter((e) => e.kind === 'lock-retry').length).toBeGreaterThan(0)
    expect(await columns()).toEqual(['id', 'a'])
  })

  it('gives up after the retries with the database as before', async () => {
    await writeFile(config.target!, 'CREATE TABLE t (id int PRIMARY KEY, a text, b text);\n')
    await diff(config, { name: 'add_b' })
    const holder = await holdLock()
    try {
      const result = await up(config, { lockRetries: 2 })
      expect(result.error?.message).toMatch(/gave up after 3 attempts.*lock/)
      expect(await columns()).toEqual(['id', 'a'])
    } finally {
      await holder.release()
    }
  })
})
