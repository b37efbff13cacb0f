import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseUrl } from '../../../src/config/url.js'
import { LockTimeoutError } from '../../../src/errors.js'
import { open } from '../../../src/dialects/postgres/index.js'
import { lockKey } from '../../../src/dialects/postgres/lock.js'
import { createTestDatabase, pgAvailable, psqlText, type TestDatabase } from '../../helpers/postgres.js'

const available = await pgAvailable()

/** Tenant schemas of one database run side by side: each history table has its own lock. */
describe.skipIf(!available)('PostgreSQL migration lock per tenant schema', () => {
  let db: TestDatabase
  beforeAll(async () => {
    db = await createTestDatabase('mt_pg_tenant_lock')
    await psqlText(db.url, 'CREATE SCHEMA "tenant_a"; CREATE SCHEMA "Tenant B";')
  })
  afterAll(async () => {
    await db?.drop()
  })

  it('scopedUrl binds a session to one schema; two schemas lock independently, one schema serializes, public keeps the bare name', async () => {
    const base = await open(db.url)
    const [a, b, a2] = await Promise.all(['tenant_a', 'Tenant B', 'tenant_a'].map((schema) => open(parseUrl(base.scopedUrl(schema)))))
    try {
      expect(a!.scope).toEqual(['tenant_a'])
      expect(b!.scope).toEqual(['Tenant B'])
      const releaseA = await a!.lock('migrator_history', 1000)
      const releaseB = await b!.lock('migrator_history', 1000)
      const error = await a2!.lock('migrator_history', 200).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(LockTimeoutError)
      expect((error as Error).message).toMatch(/advisory lock for "tenant_a\.migrator_history"/)
      // A connection without a search_path keeps the history in public, under the name it always had.
      const releasePublic = await base.lock('migrator_history', 1000)
      const [, objid] = lockKey('migrator_history')
      const held = await a!.db.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND objid = (?::int4)::oid AND objsubid = 2", [objid])
      expect(held[0]?.n).toBe(1)
      await Promise.all([releaseA(), releaseB(), releasePublic()])
      const again = await a2!.lock('migrator_history', 1000)
      await again()
    } finally {
      await Promise.all([base, a, b, a2].map((d) => d?.close()))
    }
  })
})
