import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { positional } from '../../src/dialects/postgres/client-db.js'
import { openDriver } from '../../src/dialects/registry.js'
import type { Driver } from '../../src/dialects/dialect.js'
import { createTestDatabase as createMysqlDatabase, mysqlReachable } from '../helpers/mysql.js'
import { createTestDatabase as createPgDatabase, pgAvailable } from '../helpers/postgres.js'
import { runCli } from '../cli/helpers.js'
import type { DatabaseUrl } from '../../src/config/url.js'

/**
 * `OpenOptions.queriesOnly` (what `status` opens with): a session over the bare driver, no knex.
 * It must answer exactly like the knex-based session it stands in for.
 */

describe('positional bindings (PostgreSQL, no knex)', () => {
  it('numbers ? as knex does; a backslash-escaped ? stays a literal', () => {
    expect(positional('SELECT ? AS a, ?::text[] AS b WHERE x = ?')).toBe('SELECT $1 AS a, $2::text[] AS b WHERE x = $3')
    expect(positional(String.raw`SELECT doc \? 'id', ?`)).toBe("SELECT doc ? 'id', $1")
  })
})

const work = mkdtempSync(path.join(os.tmpdir(), 'migrator-queries-only-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

// Prints whether knex was loaded by the CLI run it is preloaded into (knex is CommonJS).
const probe = path.join(work, 'knex-probe.cjs')
writeFileSync(probe, "process.on('exit', () => process.stderr.write(`knex loaded: ${Object.keys(require.cache).some((f) => f.includes('/node_modules/knex/'))}\\n`))\n")

const SCHEMA = {
  postgres: [
    "CREATE TABLE people (id bigint PRIMARY KEY, name text NOT NULL DEFAULT 'anon', tags text[], doc jsonb CHECK (doc ? 'id'), born date)",
    'CREATE INDEX people_name ON people (lower(name))',
  ],
  mysql: [
    "CREATE TABLE people (id bigint PRIMARY KEY, name varchar(40) NOT NULL DEFAULT 'anon', born datetime, score decimal(6,2), KEY people_name (name))",
  ],
}

for (const dialect of ['postgres', 'mysql'] as const) {
  describe(`queriesOnly session: ${dialect}`, () => {
    let db: { url: DatabaseUrl; drop(): Promise<void> } | undefined
    let full: Driver
    let light: Driver

    beforeAll(async () => {
      if (dialect === 'postgres' ? !(await pgAvailable()) : !(await mysqlReachable())) return
      db = dialect === 'postgres' ? await createPgDatabase('mt_qonly') : await createMysqlDatabase('mt_qonly')
      const url = db.url
      full = await openDriver(url)
      for (const sql of SCHEMA[dialect]) await full.db.exec(sql)
      light = await openDriver(url, { readOnly: true, queriesOnly: true })
    }, 60_000)

    afterAll(async () => {
      await light?.close()
      await full?.close()
      await db?.drop()
    })

    it('has no knex, and inspects and binds exactly like the knex session', async () => {
      if (db === undefined) return
      expect(light.db.knex).toBeUndefined()
      expect(full.db.knex).toBeDefined()
      expect(light.serverVersion).toBe(full.serverVersion)
      expect(await light.inspect()).toEqual(await full.inspect())
      const long = 'ü'.repeat(30) + '☃'
      await full.db.exec('INSERT INTO people (id, name, born) VALUES (?, ?, ?)', ['9007199254740993', long, '2024-01-02T03:04:05.000Z'])
      await full.db.exec('INSERT INTO people (id) VALUES (?)', [-1])
      const read = (d: Driver) => d.db.query('SELECT id, name, born FROM people WHERE id IN (?, ?) ORDER BY id', ['9007199254740993', -1])
      const rows = await read(light)
      expect(rows).toEqual(await read(full))
      expect(rows.map((r) => [String(r['id']), r['name']])).toEqual([['-1', 'anon'], ['9007199254740993', long]])
      expect(rows[0]?.['born']).toBeNull()
    })

    it('rolls a failed transaction back and commits a successful one', async () => {
      if (db === undefined) return
      await expect(
        light.db.transaction(async (tx) => {
          await tx.exec('INSERT INTO people (id, name) VALUES (?, ?)', [10, 'rolled back'])
          throw new Error('boom')
        }),
      ).rejects.toThrow('boom')
      await light.db.transaction((tx) => tx.exec('INSERT INTO people (id, name) VALUES (?, ?)', [11, 'kept']))
      expect((await full.db.query('SELECT name FROM people WHERE id IN (10, 11)')).map((r) => r['name'])).toEqual(['kept'])
    })

    if (dialect === 'postgres') {
      it('runs a statement without bindings verbatim (a ? operator) and has JIT off', async () => {
        if (db === undefined) return
        await full.db.exec(`INSERT INTO people (id, doc) VALUES (20, '{"id": 1}')`)
        expect(await light.db.query("SELECT count(*)::int AS n FROM people WHERE doc ? 'id'")).toEqual([{ n: 1 }])
        expect(await light.db.query('SHOW jit')).toEqual([{ jit: 'off' }])
      })
    } else {
      it('is a strict session, like every MySQL session migrator opens', async () => {
        if (db === undefined) return
        const [row] = await light.db.query<{ modes: string }>('SELECT @@SESSION.sql_mode AS modes')
        expect(row?.modes.split(',')).toContain('STRICT_ALL_TABLES')
        await expect(light.db.exec('INSERT INTO people (id, score) VALUES (?, ?)', [30, 123456.789])).rejects.toThrow(/out of range/i)
      })
    }

    it('`migrator status` answers without loading knex', async () => {
      if (db === undefined) return
      // The migrations below are the whole schema: a table they do not create would be drift from the start.
      await full.db.exec('DROP TABLE people')
      const dir = path.join(work, `${dialect}-migrations`)
      mkdirSync(dir)
      writeFileSync(path.join(dir, '20240101000000_extra.up.sql'), 'CREATE TABLE extra (id int);\n')
      const url = ['--url', db.url.raw, '--dir', dir]
      expect((await runCli(['hash', '--dir', dir], { cwd: work })).code).toBe(0)
      expect((await runCli(['up', ...url], { cwd: work })).code).toBe(0)
      // With a snapshot recorded by up, status needs no scratch database (which would load knex).
      const result = await runCli(['status', ...url], { cwd: work, env: { NODE_OPTIONS: `--require ${probe}` } })
      expect(result.stderr).toContain('knex loaded: false')
      expect(result.stdout).toMatch(/20240101000000\s+extra\s+applied/)
      expect(result.stdout).toContain('No drift')
      expect(result.code).toBe(0)
      await full.db.exec('CREATE TABLE by_hand (id int)')
      const drifted = await runCli(['status', '--check', ...url], { cwd: work })
      expect(drifted.stdout).toMatch(/Drift: [^\n]*\n.*by_hand/)
      expect(drifted.code).toBe(2)
    })
  })
}
