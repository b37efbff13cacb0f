import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseUrl } from '../../../src/config/url.js'
import { ConnectionError, LockTimeoutError } from '../../../src/errors.js'
import { open } from '../../../src/dialects/postgres/index.js'
import type { PostgresDriver } from '../../../src/dialects/postgres/index.js'
import { createTestDatabase, pgAvailable } from '../../helpers/postgres.js'
import type { TestDatabase } from '../../helpers/postgres.js'

const available = await pgAvailable()

describe.skipIf(!available)('postgres driver on a real server', () => {
  let db: TestDatabase
  let driver: PostgresDriver

  beforeAll(async () => {
    db = await createTestDatabase('mt_pg_drv')
    driver = await open(db.url)
  })
  afterAll(async () => {
    await driver?.close()
    await db?.drop()
  })

  it('reports the server version and capabilities', () => {
    expect(driver.serverVersion).toMatch(/^PostgreSQL \d+\.\d+/)
    expect(driver.capabilities).toEqual({ transactionalDdl: true, schemas: true, forwardForeignKeys: false, schemaScopedIndexNames: true, exclusiveRunnerLock: true })
  })

  it('a second session waits for the advisory lock, then fails naming the holder', async () => {
    const other = await open(db.url)
    try {
      const release = await driver.lock('migrator_history', 1000)
      const started = Date.now()
      const error = await other.lock('migrator_history', 300).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(LockTimeoutError)
      expect(Date.now() - started).toBeGreaterThanOrEqual(300)
      expect((error as Error).message).toMatch(/another migrator run \(backend pid \d+/)
      await release()
      const again = await other.lock('migrator_history', 1000)
      await again()
    } finally {
      await other.close()
    }
  })

  it('applyLockTimeout bounds waits inside the migration transaction', async () => {
    const value = await driver.db.transaction(async (tx) => {
      await driver.applyLockTimeout(tx, 1500)
      return (await tx.query<{ v: string }>("SELECT current_setting('lock_timeout') AS v"))[0]?.v
    })
    expect(value).toBe('1500ms')
  })

  it('history table DDL is idempotent and quotes the name', async () => {
    await driver.db.exec(driver.historyTableDdl('my "history"'))
    await driver.db.exec(driver.historyTableDdl('my "history"'))
    const cols = await driver.db.query<{ column_name: string }>(
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'my \"history\"' ORDER BY ordinal_position",
    )
    expect(cols.map((c) => c.column_name)).toEqual([
      'version', 'name', 'checksum', 'down_checksum', 'status', 'applied_at', 'execution_ms', 'applied_by', 'statements_applied', 'tool_version',
    ])
    expect((await driver.inspect({ exclude: ['my "history"'] })).tables).toEqual([])
  })

  it('statements with ? run verbatim (knex must not rewrite them into $n)', async () => {
    await driver.db.exec("CREATE TABLE q (doc jsonb CHECK (doc ? 'id'))")
    const schema = await driver.inspect()
    expect(schema.tables.find((t) => t.name === 'q')?.checks[0]?.expression).toBe("(doc ? 'id'::text)")
    await driver.db.exec('DROP TABLE q')
  })

  it('openScratch creates a temporary database and drop() removes it', async () => {
    const scratch = await driver.openScratch()
    const name = scratch.url.database!
    expect(name).toMatch(/^migrator_scratch_[a-z0-9]{1,16}_\d+_\d{10}_[0-9a-f]{6}$/)
    await scratch.db.exec('CREATE TABLE x (id int)')
    expect((await scratch.inspect()).tables.map((t) => t.name)).toEqual(['x'])
    await scratch.drop()
    await scratch.drop()
    const left = await driver.db.query('SELECT 1 FROM pg_database WHERE datname = ?', [name])
    expect(left).toEqual([])
  })

  it('openScratch(devUrl) refuses a non-empty database and empties a used one on drop()', async () => {
    const dev = await createTestDatabase('mt_pg_dev')
    try {
      const scratch = await driver.openScratch(dev.url)
      await scratch.db.exec('CREATE TABLE x (id int)')
      await scratch.db.exec('CREATE SCHEMA extra')
      await scratch.drop()
      const reopened = await driver.openScratch(dev.url)
      await reopened.db.exec('CREATE TABLE y (id int)')
      const third = driver.openScratch(dev.url)
      await expect(third).rejects.toBeInstanceOf(ConnectionError)
      await expect(third).rejects.toThrow(/is not empty: table public\.y; point devUrl at an empty database$/)
      await reopened.drop()
    } finally {
      await dev.drop()
    }
  })

  it('a connection failure is a ConnectionError without the password', async () => {
    const url = parseUrl('postgres://postgres:s3cret@127.0.0.1:1/nowhere')
    const error = await open(url).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConnectionError)
    expect((error as Error).message).toContain('postgres://postgres:***@127.0.0.1:1/nowhere')
    expect((error as Error).message).not.toContain('s3cret')
    expect((error as Error).message).toMatch(/check that PostgreSQL is running and reachable at 127\.0\.0\.1:1/)
  })

  it('a statement that times out waiting for a table lock names the table, mode, holder pid and its query', async () => {
    await driver.db.exec('CREATE TABLE locked (id int)')
    const holder = await open(db.url)
    try {
      const pid = (await holder.db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))[0]!.pid
      const failure = holder.db.transaction(async (tx) => {
        await tx.exec('LOCK TABLE locked IN SHARE MODE')
        const error = await driver.db
          .transaction(async (mine) => {
            await driver.applyLockTimeout(mine, 200)
            await mine.exec('ALTER TABLE "locked" ADD COLUMN x int')
          })
          .catch((e: unknown) => e)
        return error as Error & { code?: string }
      })
      const error = await failure
      expect(error.code).toBe('55P03')
      expect(error.message).toMatch(/^canceling statement due to lock timeout: table public\.locked is locked by pid \d+ \(ShareLock, /)
      expect(error.message).toContain(`pid ${pid}`)
      expect(error.message).toContain('last query: LOCK TABLE locked IN SHARE MODE')
      expect(error.message).toContain(`pg_terminate_backend(${pid})`)
    } finally {
      await holder.close()
      await driver.db.exec('DROP TABLE locked')
    }
  })

  it('estimateRows counts small tables exactly and does not wait behind a held table lock', async () => {
    await driver.db.exec('CREATE TABLE counted (id int)')
    await driver.db.exec('INSERT INTO counted SELECT generate_series(1, 7)')
    expect(await driver.estimateRows(['public.counted', 'public.absent'])).toEqual(new Map([['public.counted', 7]]))
    const holder = await open(db.url)
    try {
      await holder.db.transaction(async (tx) => {
        await tx.exec('LOCK TABLE counted IN ACCESS EXCLUSIVE MODE')
        const started = Date.now()
        const estimate = await driver.estimateRows(['public.counted'])
        expect(Date.now() - started).toBeLessThan(3000)
        // The statistics answer instead: a number, whatever ANALYZE last saw.
        expect(typeof estimate.get('public.counted')).toBe('number')
      })
    } finally {
      await holder.close()
      await driver.db.exec('DROP TABLE counted')
    }
  })
})
