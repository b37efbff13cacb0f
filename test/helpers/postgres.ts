import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { promisify } from 'node:util'
import pg from 'pg'
import { parseUrl } from '../../src/config/url.js'
import type { DatabaseUrl } from '../../src/config/url.js'

/** The server tests run against; trust auth by default (DEVELOPERS.md). */
export const PG_URL = process.env.MIGRATOR_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

/**
 * Whether the PostgreSQL test server answers. Under CI=true an unreachable server throws, so the
 * test file fails instead of silently skipping.
 */
export async function pgAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    await client.query('SELECT 1')
    return true
  } catch (error) {
    if (process.env.CI === 'true') throw new Error(`PostgreSQL test server ${parseUrl(PG_URL).redacted} unreachable: ${String(error)}`)
    return false
  } finally {
    await client.end().catch(() => undefined)
  }
}

export interface TestDatabase {
  readonly name: string
  readonly url: DatabaseUrl
  drop(): Promise<void>
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_URL })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/** Creates a uniquely named database on the test server; `drop()` removes it (terminating leftovers). */
export async function createTestDatabase(prefix = 'mt_pg'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`
  await admin((c) => c.query(`CREATE DATABASE "${name}"`))
  const u = new URL(PG_URL)
  u.pathname = `/${name}`
  return {
    name,
    url: parseUrl(u.toString()),
    drop: () =>
      admin(async (c) => {
        await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name])
        await c.query(`DROP DATABASE IF EXISTS "${name}"`)
      }),
  }
}

/** Runs a .sql file with psql exactly as the fixtures README does (no single transaction). */
export async function psqlFile(url: DatabaseUrl, file: string): Promise<void> {
  await promisify(execFile)('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url.raw, '-f', file], { maxBuffer: 1 << 24 })
}

/** Runs SQL text with psql (several statements, dollar quotes and all). */
export async function psqlText(url: DatabaseUrl, sql: string): Promise<void> {
  await promisify(execFile)('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url.raw, '-c', sql], { maxBuffer: 1 << 24 })
}
