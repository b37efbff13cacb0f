import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withScratch } from '../../../src/api/session.js'
import type { ResolvedConfig } from '../../../src/config/schema.js'
import { open } from '../../../src/dialects/postgres/index.js'
import type { PostgresDriver } from '../../../src/dialects/postgres/index.js'
import { trackedScratches } from '../../../src/dialects/postgres/scratch.js'
import { TargetError } from '../../../src/errors.js'
import { loadTarget } from '../../../src/target/load.js'
import { createTestDatabase, PG_URL, pgAvailable } from '../../helpers/postgres.js'
import type { TestDatabase } from '../../helpers/postgres.js'

const available = await pgAvailable()
const CHILD = path.join(import.meta.dirname, 'scratch-child.mjs')

async function databaseExists(name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL })
  await client.connect()
  try {
    return (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1
  } finally {
    await client.end()
  }
}

/** Waits up to `ms` for the database to disappear; true when it did. */
async function goneWithin(name: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (!(await databaseExists(name))) return true
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return !(await databaseExists(name))
}

/** Runs scratch-child.mjs: resolves with the scratch name once it is printed, and the exit code later. */
function child(mode: 'exit' | 'throw' | 'SIGINT' | 'SIGTERM'): Promise<{ name: string; existed: boolean; code: number | null; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [CHILD, mode], { env: { ...process.env, MIGRATOR_TEST_PG_URL: PG_URL }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    let name: string | undefined
    let existed = false
    proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk))
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
      if (name !== undefined || !out.includes('\n')) return
      name = out.trim()
      if (mode === 'SIGINT' || mode === 'SIGTERM') {
        void databaseExists(name).then((e) => {
          existed = e
          proc.kill(mode)
        }, reject)
      } else {
        existed = true // the child printed it after creating a table in it
      }
    })
    proc.on('error', reject)
    proc.on('close', (code, signal) => {
      if (name === undefined) reject(new Error(`child (${mode}) printed no scratch name: ${err}`))
      else resolve({ name, existed, code, signal })
    })
  })
}

describe.skipIf(!available)('postgres scratch databases are always dropped', () => {
  let db: TestDatabase
  let driver: PostgresDriver
  let work: string

  beforeAll(async () => {
    db = await createTestDatabase('mt_pg_scr')
    driver = await open(db.url)
    work = await mkdtemp(path.join(os.tmpdir(), 'migrator-pg-scratch-'))
  })
  afterAll(async () => {
    await driver?.close()
    await db?.drop()
    await rm(work, { recursive: true, force: true })
  })

  it('a target with a syntax error fails with TargetError and leaves no scratch database', async () => {
    const target = path.join(work, 'broken.sql')
    await writeFile(target, 'CREATE TABLE ok (id int);\nCREATE TABLE broken (id int,,);\n')
    const config: ResolvedConfig = { cwd: work, url: db.url.raw, dir: work, target, schemas: ['public'], historyTable: 'migrator_history', lockTimeoutMs: 1000, lockWaitMs: 1000 }
    let name: string | undefined
    const failure = await withScratch(driver, config, async (scratch) => {
      name = scratch.url.database
      expect(await databaseExists(name!)).toBe(true)
      return loadTarget(target, scratch)
    }).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(TargetError)
    expect((failure as Error).message).toMatch(/broken\.sql:2/)
    expect(name).toMatch(/^migrator_scratch_/)
    expect(await databaseExists(name!)).toBe(false)
    expect(trackedScratches()).not.toContain(name)
  })

  it('process.exit(), an uncaught exception, Ctrl-C and SIGTERM still drop it', async () => {
    const runs = await Promise.all([child('exit'), child('throw'), child('SIGINT'), child('SIGTERM')])
    expect(runs.map((r) => [r.code, r.signal])).toEqual([[3, null], [1, null], [null, 'SIGINT'], [null, 'SIGTERM']])
    for (const run of runs) expect(run.existed).toBe(true)
    const gone = await Promise.all(runs.map((r) => goneWithin(r.name, 8000)))
    expect(gone).toEqual([true, true, true, true])
  }, 30_000)
})
