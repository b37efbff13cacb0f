import { spawn } from 'node:child_process'
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { diff } from '../../src/api/diff.js'
import { up } from '../../src/api/migrate.js'
import type { ResolvedConfig } from '../../src/config/schema.js'
import { writeSum } from '../../src/migrations/sum.js'
import { ROOT } from '../cli/helpers.js'
import { createTestDatabase, pgAvailable, type TestDatabase } from '../helpers/postgres.js'

const available = await pgAvailable()
const ROWS = 30_000

/**
 * `diff --zero-downtime` through `up` on PostgreSQL: the expand phase's backfill is killed with
 * SIGKILL midway, the next `up` resumes it from its checkpoint, and the phases converge on the
 * target with every row intact.
 */
describe.skipIf(!available)('zero-downtime phases on PostgreSQL', () => {
  let db: TestDatabase
  let work: string
  let config: ResolvedConfig

  beforeAll(async () => {
    db = await createTestDatabase('mt_pg_zd')
    work = await mkdtemp(path.join(os.tmpdir(), 'migrator-pg-zd-'))
    config = {
      cwd: work, url: db.url.raw, dir: path.join(work, 'migrations'), target: path.join(work, 'schema.sql'),
      schemas: ['public'], historyTable: 'migrator_history', lockTimeoutMs: 5000, lockWaitMs: 5000,
    }
    await writeFile(path.join(work, 'migrator.config.json'), JSON.stringify({ url: db.url.raw, dir: './migrations', target: './schema.sql' }))
  })
  afterAll(async () => {
    await rm(work, { recursive: true, force: true })
    await db?.drop()
  })

  async function query<Row = Record<string, unknown>>(sql: string): Promise<Row[]> {
    const client = new pg.Client({ connectionString: db.url.raw })
    await client.connect()
    try {
      return (await client.query(sql)).rows as Row[]
    } finally {
      await client.end()
    }
  }

  it('renames a column and widens another in phases; a killed backfill resumes; rows are intact', async () => {
    await writeFile(config.target!, 'CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL, n int NOT NULL);\n')
    await diff(config, { name: 'create' })
    expect((await up(config)).error).toBeUndefined()
    await query(`INSERT INTO users (email, n) SELECT 'u' || g || '@x', g FROM generate_series(1, ${ROWS}) g`)

    await writeFile(
      config.target!,
      '-- migrator:rename column users.email to email_address\n' +
        'CREATE TABLE users (id bigserial PRIMARY KEY, email_address text NOT NULL, n bigint NOT NULL);\nCREATE INDEX users_n ON users (n);\n',
    )
    const generated = await diff(config, { name: 'widen', zeroDowntime: true })
    expect(generated.phases?.map((p) => p.phase)).toEqual(['expand', 'online', 'contract'])
    expect(generated.phases?.[1]?.up).toContain('CREATE INDEX CONCURRENTLY')

    // Slow the expand backfill down so the kill lands midway, then seal the edit in migrator.sum.
    const expand = (await readdir(config.dir)).find((f) => f.endsWith('_widen_expand.up.sql'))!
    const text = await readFile(path.join(config.dir, expand), 'utf8')
    await writeFile(path.join(config.dir, expand), text.replace(/batch=1000/g, 'batch=500 sleep=40'))
    await writeSum(config.dir)

    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'migrator'), 'up', '--steps', '1'], { cwd: work, stdio: 'ignore' })
    for (let i = 0; i < 200; i++) {
      const [row] = await query<{ rows_done: string }>("SELECT coalesce(max(rows_done), 0) AS rows_done FROM migrator_backfill").catch(() => [{ rows_done: '0' }])
      if (Number(row?.rows_done) >= 2000) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    child.kill('SIGKILL')
    await new Promise((resolve) => child.on('exit', resolve))
    const [mid] = await query<{ left: string }>('SELECT count(*) AS left FROM users WHERE email_address IS NULL')
    expect(Number(mid?.left)).toBeGreaterThan(0)
    expect(Number(mid?.left)).toBeLessThan(ROWS)
    expect(await query('SELECT status FROM migrator_history ORDER BY version')).toEqual([{ status: 'applied' }, { status: 'failed' }])

    // The next run resumes the backfill (not the statements), then runs the other phases. The
    // contract drops `email`, whose values it declares (and guards) kept in the new column: no consent needed.
    const resumed = await up(config)
    expect(resumed.error?.message).toBeUndefined()
    expect(resumed.results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied'])
    expect((await diff(config, { dryRun: true })).changes).toEqual([])
    const [after] = await query<{ count: string; sum: string; emails: string }>(
      "SELECT count(*) AS count, sum(n) AS sum, count(*) FILTER (WHERE email_address = 'u' || n || '@x') AS emails FROM users",
    )
    expect(after).toEqual({ count: String(ROWS), sum: String((ROWS * (ROWS + 1)) / 2), emails: String(ROWS) })
  })
})
