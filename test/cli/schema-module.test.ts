import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { DialectName } from '../../src/dialects/dialect.js'
import { MARIADB, POSTGRES, SQLITE, type FreshDatabase } from '../backfill/databases.js'
import { runCli } from './helpers.js'

/**
 * Issue 12: a `.ts`/`.json` schema module as target need not be in the inspector's normal form.
 * A hand-written module equal in meaning to the live schema (other spellings of types and
 * defaults, omitted arrays) diffs as `No changes` on every dialect; a malformed one is one error
 * line naming the file and the bad field, exit 1, nothing written.
 */

/** The live schema, per dialect: what a user's database holds. */
const LIVE: Readonly<Record<DialectName, readonly string[]>> = {
  sqlite: [
    `CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(100) NOT NULL, status TEXT DEFAULT 'active', created_at TEXT DEFAULT CURRENT_TIMESTAMP)`,
    'CREATE INDEX users_email ON users (email)',
    'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)',
  ],
  postgres: [
    `CREATE TABLE users (id integer PRIMARY KEY, email varchar(100) NOT NULL, status text DEFAULT 'active', score numeric(10,2) DEFAULT 0, created_at timestamptz DEFAULT now())`,
    'CREATE INDEX users_email ON users (email)',
    'CREATE TABLE notes (id integer PRIMARY KEY, body text)',
    // A second schema: the module names it and the scratch database gets it created first.
    'CREATE SCHEMA app',
    'CREATE TABLE app.tags (id bigint PRIMARY KEY, label varchar(30) NOT NULL)',
  ],
  mysql: [
    `CREATE TABLE users (id int NOT NULL PRIMARY KEY, email varchar(100) NOT NULL, status varchar(20) DEFAULT 'active', score decimal(10,2) DEFAULT 0, created_at timestamp NULL DEFAULT CURRENT_TIMESTAMP)`,
    'CREATE INDEX users_email ON users (email)',
    'CREATE TABLE notes (id int NOT NULL PRIMARY KEY, body text)',
  ],
}

/**
 * The same schema as a user would write it by hand: upper-case and alias type names, defaults in
 * another spelling, `nullable` left to its default, and `indexes`/`uniques`/`foreignKeys`/`checks`,
 * `views` and `objects` omitted.
 */
const HAND_WRITTEN: Readonly<Record<DialectName, unknown>> = {
  sqlite: {
    tables: [
      {
        name: 'users',
        columns: [
          { name: 'id', type: 'INTEGER' },
          { name: 'email', type: 'VARCHAR( 100 )', nullable: false },
          { name: 'status', type: 'TEXT', default: "'active'" },
          { name: 'created_at', type: 'TEXT', default: 'current_timestamp' },
        ],
        primaryKey: { columns: ['id'] },
        indexes: [{ name: 'users_email', parts: [{ column: 'email' }] }],
      },
      { name: 'notes', columns: [{ name: 'id', type: 'INTEGER' }, { name: 'body', type: 'Text' }], primaryKey: { columns: ['id'] } },
    ],
  },
  postgres: {
    tables: [
      {
        name: 'users',
        columns: [
          { name: 'id', type: 'INT', nullable: false },
          { name: 'email', type: 'VARCHAR(100)', nullable: false },
          { name: 'status', type: 'TEXT', default: "'active'" },
          { name: 'score', type: 'NUMERIC(10, 2)', default: '0' },
          { name: 'created_at', type: 'TIMESTAMPTZ', default: 'CURRENT_TIMESTAMP' },
        ],
        primaryKey: { columns: ['id'] },
        indexes: [{ name: 'users_email', parts: [{ column: 'email' }] }],
      },
      { name: 'notes', columns: [{ name: 'id', type: 'INTEGER', nullable: false }, { name: 'body', type: 'TEXT' }], primaryKey: { columns: ['id'] } },
      { schema: 'app', name: 'tags', columns: [{ name: 'id', type: 'INT8', nullable: false }, { name: 'label', type: 'character varying(30)', nullable: false }], primaryKey: { columns: ['id'] } },
    ],
  },
  mysql: {
    tables: [
      {
        name: 'users',
        columns: [
          { name: 'id', type: 'INTEGER', nullable: false },
          { name: 'email', type: 'VARCHAR(100)', nullable: false },
          { name: 'status', type: 'VARCHAR(20)', default: "'active'" },
          { name: 'score', type: 'DECIMAL(10,2)', default: '0' },
          { name: 'created_at', type: 'TIMESTAMP', default: 'current_timestamp()' },
        ],
        primaryKey: { columns: ['id'] },
        indexes: [{ name: 'users_email', parts: [{ column: 'email' }] }],
      },
      { name: 'notes', columns: [{ name: 'id', type: 'INT', nullable: false }, { name: 'body', type: 'TEXT' }], primaryKey: { columns: ['id'] } },
    ],
  },
}

const dirs: string[] = []
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

async function projectDir(url: string, dialect: DialectName = 'sqlite'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'migrator-schema-module-'))
  dirs.push(dir)
  await mkdir(path.join(dir, 'migrations'))
  await writeFile(path.join(dir, 'migrator.config.json'), JSON.stringify({ url, dir: './migrations', ...(dialect === 'postgres' ? { schemas: ['public', 'app'] } : {}) }))
  expect((await runCli(['hash'], { cwd: dir })).code).toBe(0)
  return dir
}

const asTs = (schema: unknown): string => `import type { Schema } from 'migrator'\n\nexport default ${JSON.stringify(schema, null, 2)}\n`

for (const kind of [SQLITE, POSTGRES, MARIADB]) {
  const available = await kind.available()
  describe.skipIf(!available)(`a hand-written schema module as target on ${kind.name} (through the built CLI)`, { timeout: 240_000 }, () => {
    it('equal in meaning to the live schema: No changes, as .ts and as .json; a real difference still shows', async () => {
      const db: FreshDatabase = await kind.create('schemamod')
      try {
        const dialect = db.driver.dialect
        for (const statement of LIVE[dialect]) await db.driver.db.exec(statement)
        const dir = await projectDir(db.url.raw, dialect)
        await writeFile(path.join(dir, 'schema.ts'), asTs(HAND_WRITTEN[dialect]))
        await writeFile(path.join(dir, 'schema.json'), JSON.stringify(HAND_WRITTEN[dialect], null, 2))
        for (const target of ['schema.ts', 'schema.json']) {
          const diff = await runCli(['diff', '--to', target, '--dry-run'], { cwd: dir })
          expect(diff.stderr).toBe('')
          expect(diff.code).toBe(0)
          expect(diff.stdout.trim()).toBe('No changes')
        }

        // The inspector's own normal form (`inspect --format ts`) stays No changes too.
        const inspected = await runCli(['inspect', '--format', 'ts'], { cwd: dir })
        expect(inspected.code).toBe(0)
        await writeFile(path.join(dir, 'inspected.ts'), inspected.stdout)
        expect((await runCli(['diff', '--to', 'inspected.ts', '--dry-run'], { cwd: dir })).stdout.trim()).toBe('No changes')

        // A module that differs in meaning (a wider email) is a change, not normalized away.
        const wider = JSON.parse(JSON.stringify(HAND_WRITTEN[dialect])) as { tables: { columns: { name: string; type: string }[] }[] }
        wider.tables[0]!.columns[1]!.type = 'VARCHAR(200)'
        await writeFile(path.join(dir, 'wider.ts'), asTs(wider))
        const changed = await runCli(['diff', '--to', 'wider.ts', '--dry-run'], { cwd: dir })
        expect(changed.code).toBe(0)
        expect(changed.stdout).toMatch(/alter table (public\.)?users: change type of column email/)
        expect(changed.stdout).not.toMatch(/column (id|status|score|created_at)/)
        expect(await readdir(path.join(dir, 'migrations'))).toEqual(['migrator.sum'])
      } finally {
        await db.drop()
      }
    })
  })
}

describe('a malformed schema module (SQLite, through the built CLI)', { timeout: 120_000 }, () => {
  it('is one error line naming the file and each bad field, exit 1, nothing written', async () => {
    const db = await SQLITE.create('schemamod-bad')
    try {
      for (const statement of LIVE.sqlite) await db.driver.db.exec(statement)
      const dir = await projectDir(db.url.raw)
      const bad = {
        tables: [
          { name: 'users', columns: [{ name: 'id', type: 42 }], indexes: 'users_email' },
          { name: 'notes', columns: [{ name: 'id', type: 'INTEGER', nulable: true }] },
        ],
      }
      await writeFile(path.join(dir, 'schema.ts'), asTs(bad))
      for (const args of [['diff', '--to', 'schema.ts'], ['diff', '--to', 'schema.ts', '--dry-run'], ['status', '--to', 'schema.ts']]) {
        const run = await runCli(args, { cwd: dir })
        expect(run.code).toBe(1)
        expect(run.stdout).toBe('')
        const lines = run.stderr.trim().split('\n')
        expect(lines).toHaveLength(1)
        expect(lines[0]).toMatch(/^error: target schema module schema\.ts: /)
        expect(lines[0]).toContain('tables[0].columns[0].type: expected a SQL type string such as "integer" or "varchar(20)", got 42')
        expect(lines[0]).toContain('tables[0].indexes: expected an array of indexes, got "users_email"')
        expect(lines[0]).toContain('tables[1].columns[0]: unknown key nulable')
        expect(lines[0]).not.toContain('Cannot read properties')
      }
      expect(await readdir(path.join(dir, 'migrations'))).toEqual(['migrator.sum'])
    } finally {
      await db.drop()
    }
  })
})
