import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Driver } from '../../src/dialects/dialect.js'
import { isLockTimeout as mysqlIsLockTimeout } from '../../src/dialects/mysql/lock-errors.js'
import { isLockTimeout as pgIsLockTimeout } from '../../src/dialects/postgres/lock-errors.js'
import { isLockTimeout as sqliteIsLockTimeout } from '../../src/dialects/sqlite/lock-errors.js'
import type { LockRetryEvent } from '../../src/zero-downtime/retry.js'
import { LockRetryExhaustedError, backoffDelay, runDdlWithLockRetry, withLockRetry } from '../../src/zero-downtime/retry.js'
import { MARIADB, POSTGRES, SQLITE } from '../backfill/databases.js'
import type { DatabaseKind, FreshDatabase } from '../backfill/databases.js'

describe('backoff', () => {
  it('doubles from baseDelayMs up to maxDelayMs, with half of each delay random', () => {
    const opts = { baseDelayMs: 100, maxDelayMs: 1000 }
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, opts, () => 0))).toEqual([50, 100, 200, 400, 500, 500])
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, opts, () => 0.999999))).toEqual([100, 200, 400, 800, 1000, 1000])
  })

  it('passes other errors through on the first attempt and refuses to guess without a classifier', async () => {
    let calls = 0
    const driver = { dialect: 'sqlite', isLockTimeout: sqliteIsLockTimeout } as unknown as Driver
    const error = await withLockRetry(driver, async () => {
      calls++
      throw Object.assign(new Error('syntax error'), { code: 'SQLITE_ERROR' })
    }).catch((e: unknown) => e)
    expect((error as Error).message).toBe('syntax error')
    expect(calls).toBe(1)
    const bare = { dialect: 'postgres' } as unknown as Driver
    await expect(withLockRetry(bare, async () => 1)).rejects.toThrow(/cannot tell lock timeouts from other errors/)
  })
})

const CLASSIFIERS = { postgres: pgIsLockTimeout, mariadb: mysqlIsLockTimeout, sqlite: sqliteIsLockTimeout }

for (const kind of [POSTGRES, MARIADB, SQLITE] as DatabaseKind[]) {
  const available = await kind.available()
  describe.skipIf(!available)(`lock-aware DDL retry on ${kind.name}`, () => {
    let db: FreshDatabase
    let driver: Driver
    beforeAll(async () => {
      db = await kind.create('retry')
      // The one line each driver class gets when this is wired: `isLockTimeout = isLockTimeout`.
      driver = Object.assign(db.driver, { isLockTimeout: CLASSIFIERS[kind.name] })
      if (kind.name === 'sqlite') (driver.db as unknown as { raw: { pragma(s: string): void } }).raw.pragma('busy_timeout = 100')
      await driver.db.exec(`CREATE TABLE ${driver.quoteIdent('busy')} (${driver.quoteIdent('id')} integer PRIMARY KEY)`)
      await driver.db.exec(`INSERT INTO ${driver.quoteIdent('busy')} VALUES (1)`)
    })
    afterAll(async () => {
      await db?.drop()
    })

    const alter = (): string => `ALTER TABLE ${driver.quoteIdent('busy')} ADD COLUMN ${driver.quoteIdent('extra')} integer NULL`
    const columns = async (): Promise<string[]> => (await driver.inspect()).tables.find((t) => t.name === 'busy')!.columns.map((c) => c.name)

    it('retries with growing delays while another session holds the table, then fails cleanly', async () => {
      const holder = await holdTable(await db.open())
      const events: LockRetryEvent[] = []
      const started = Date.now()
      try {
        const error = await runDdlWithLockRetry(driver, [alter()], {
          lockTimeoutMs: 100,
          attempts: 3,
          baseDelayMs: 100,
          maxDelayMs: 1000,
          random: () => 0.5,
          onRetry: (e) => events.push(e),
        }).catch((e: unknown) => e)
        expect(error).toBeInstanceOf(LockRetryExhaustedError)
        expect((error as Error).message).toMatch(/^gave up after 3 attempts over \d+ ms, each stopped by a lock another session holds .*nothing was changed/)
        expect(events.map((e) => [e.attempt, e.delayMs])).toEqual([
          [1, 75],
          [2, 150],
        ])
        expect(Date.now() - started).toBeGreaterThanOrEqual(225)
      } finally {
        await holder.release()
      }
      expect(await columns()).toEqual(['id'])
    })

    it('succeeds on a later attempt once the holder commits', async () => {
      const holder = await holdTable(await db.open())
      const events: LockRetryEvent[] = []
      // MySQL's lock_wait_timeout counts whole seconds: outlast the first attempt there.
      setTimeout(() => void holder.release(), kind.name === 'mariadb' ? 1500 : 400)
      await runDdlWithLockRetry(driver, [alter()], { lockTimeoutMs: 100, attempts: 8, baseDelayMs: 100, maxDelayMs: 400, onRetry: (e) => events.push(e) })
      expect(events.length).toBeGreaterThanOrEqual(1)
      expect(await columns()).toEqual(['id', 'extra'])
    })
  })
}

/** Opens a transaction on `other` that reads `busy` and keeps its lock until release(). */
async function holdTable(other: Driver): Promise<{ release(): Promise<void> }> {
  let release!: () => void
  const released = new Promise<void>((resolve) => (release = resolve))
  let locked!: () => void
  const isLocked = new Promise<void>((resolve) => (locked = resolve))
  const done = other.db.transaction(async (tx) => {
    // A write: SQLite's lock is the database write lock; elsewhere any read would do.
    await tx.exec(`UPDATE ${other.quoteIdent('busy')} SET ${other.quoteIdent('id')} = 1`)
    locked()
    await released
  })
  await Promise.race([isLocked, done])
  return {
    async release() {
      release()
      await done
      await other.close()
    },
  }
}
