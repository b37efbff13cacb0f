import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, pgAvailable, type TestDatabase } from '../helpers/postgres.js'
import { tempProject, type TempProject } from './helpers.js'
import { expectHumanFailure, expectScenario, writeMigrations, type Scenario } from './migration-test-scenarios.js'

const available = await pgAvailable()
let database: TestDatabase
let project: TempProject

beforeAll(async () => {
  if (available) database = await createTestDatabase('mt_cli_test')
})
afterAll(async () => {
  if (available) await database.drop()
})
afterEach(() => project?.remove())

function newProject(): TempProject {
  return tempProject({ 'migrator.config.ts': `export default { url: ${JSON.stringify(database.url.raw)}, dir: './migrations' }\n` })
}

async function sql(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: database.url.raw })
  await client.connect()
  try {
    await client.query(text)
  } finally {
    await client.end()
  }
}

async function tableCount(): Promise<number> {
  const client = new pg.Client({ connectionString: database.url.raw })
  await client.connect()
  try {
    const { rows } = await client.query<{ n: string }>("SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'")
    return Number(rows[0]?.n)
  } finally {
    await client.end()
  }
}

describe.skipIf(!available)('migrator test on PostgreSQL', () => {
  for (const scenario of ['correct', 'forgets-index', 'recreates-table', 'leaves-column'] as Scenario[]) {
    it(`${scenario}: round-trips on a temporary database, never the configured one`, { timeout: 120_000 }, async () => {
      project = newProject()
      await expectScenario(project, 'postgres', scenario, (name) => `public.${name}`)
      expect(await tableCount()).toBe(0)
    })
  }

  it('names the failing migration, step and difference in its human output', { timeout: 120_000 }, async () => {
    project = newProject()
    await expectHumanFailure(project, 'postgres')
  })

  it('seeds enums, identities, uuids, json and CHECKed columns, and catches a down that changes values', { timeout: 120_000 }, async () => {
    project = newProject()
    project.write(
      'migrations/20240101000000_kinds.up.sql',
      "CREATE TYPE mood AS ENUM ('happy', 'sad');\n" +
        "CREATE TABLE kinds (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, code varchar(3) NOT NULL UNIQUE, state text NOT NULL CHECK (state IN ('on', 'off')), mood mood NOT NULL, uid uuid NOT NULL, doc jsonb, price numeric(8,2) CHECK (price > 0), at timestamptz, flag boolean NOT NULL DEFAULT false);\n",
    )
    project.write('migrations/20240101000000_kinds.down.sql', 'DROP TABLE kinds;\nDROP TYPE mood;\n')
    project.write('migrations/20240102000000_note.up.sql', 'ALTER TABLE kinds ADD COLUMN note text;\n')
    // The down keeps the schema but rewrites a column every row has: values are lost.
    project.write('migrations/20240102000000_note.down.sql', "ALTER TABLE kinds DROP COLUMN note;\nUPDATE kinds SET state = 'off';\n")
    expect((await project.run(['hash'])).code).toBe(0)
    const result = await project.run(['test', '--json'])
    expect(result.code, result.stderr).toBe(2)
    const report = JSON.parse(result.stdout) as { migrations: { status: string; step?: string; differences?: string[]; seeded?: string[]; notSeeded?: unknown }[] }
    expect(report.migrations[0]).toEqual({ version: '20240101000000', name: 'kinds', status: 'pass', seeded: ['public.kinds'] })
    expect(report.migrations[1]).toMatchObject({ status: 'fail', step: 'down', seeded: ['public.kinds'] })
    // The seeder gives a non-key column the CHECK's first label ('on'), so every row changed.
    expect(report.migrations[1]?.differences).toHaveLength(1)
    expect(report.migrations[1]?.differences?.[0]).toMatch(/^table public\.kinds: 3 of 3 rows changed values \(primary key \d+, \d+, \d+\)$/)
  })
})

describe.skipIf(!available)('migrator test --dev-url on PostgreSQL', () => {
  it('round-trips on the dev database and leaves it empty, as found', { timeout: 120_000 }, async () => {
    const dev = await createTestDatabase('mt_cli_test_dev')
    try {
      project = newProject()
      await writeMigrations(project, 'postgres', 'correct')
      const result = await project.run(['test', '--dev-url', dev.url.raw])
      expect(result.code, result.stderr).toBe(0)
      expect(result.stdout).toContain('2 passed, 0 failed, 1 irreversible')
      const client = new pg.Client({ connectionString: dev.url.raw })
      await client.connect()
      try {
        const { rows } = await client.query<{ n: string }>("SELECT count(*) AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'")
        expect(Number(rows[0]?.n)).toBe(0)
        const types = await client.query<{ n: string }>("SELECT count(*) AS n FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public'")
        expect(Number(types.rows[0]?.n)).toBe(0)
      } finally {
        await client.end()
      }
      expect(await tableCount()).toBe(0)

      // It is the dev database that is used: one holding a table is refused, and kept.
      const client2 = new pg.Client({ connectionString: dev.url.raw })
      await client2.connect()
      await client2.query('CREATE TABLE leftover (id int)')
      await client2.end()
      const dirty = await project.run(['test', '--dev-url', dev.url.raw])
      expect(dirty.code).toBe(1)
      expect(dirty.stderr).toContain('is not empty: table public.leftover; point devUrl at an empty database')
    } finally {
      await dev.drop()
    }
  })
})

describe.skipIf(!available)('migrator verify on PostgreSQL', () => {
  it('says OK on a sound database, then finds an INVALID index and an unvalidated foreign key with orphans', { timeout: 60_000 }, async () => {
    project = newProject()
    await sql('CREATE TABLE authors (id int PRIMARY KEY); CREATE TABLE books (id int PRIMARY KEY, author_id int, isbn text); INSERT INTO authors VALUES (1); INSERT INTO books VALUES (1, 1, \'a\'), (2, 1, \'a\')')
    const sound = await project.run(['verify'])
    expect(sound.code, sound.stderr).toBe(0)
    expect(sound.stdout.trim()).toBe('OK: no problems found')

    // A concurrent build that fails on duplicates leaves the index behind, INVALID.
    await expect(sql('CREATE UNIQUE INDEX CONCURRENTLY books_isbn ON books (isbn)')).rejects.toThrow(/could not create unique index/)
    await sql('INSERT INTO books VALUES (3, 9, \'b\'), (4, NULL, \'c\'); ALTER TABLE books ADD CONSTRAINT books_author FOREIGN KEY (author_id) REFERENCES authors (id) NOT VALID')
    const found = await project.run(['verify', '--json'])
    expect(found.code, found.stderr).toBe(2)
    const report = JSON.parse(found.stdout) as { findings: { kind: string; table?: string; object?: string; rows?: number; message: string }[] }
    expect(report.findings.map(({ message: _, ...rest }) => rest)).toEqual([
      { kind: 'invalid-index', table: 'public.books', object: 'books_isbn' },
      { kind: 'not-validated', table: 'public.books', object: 'books_author', rows: 1 },
    ])
    expect(report.findings[0]?.message).toContain('REINDEX INDEX CONCURRENTLY "public"."books_isbn"')
    expect(report.findings[1]?.message).toBe(
      'public.books: foreign key books_author (author_id) → public.authors was added NOT VALID and never validated; 1 row references a missing parent: fix them, then run ALTER TABLE "public"."books" VALIDATE CONSTRAINT "books_author"',
    )
    await sql('DROP TABLE books; DROP TABLE authors')
  })

  it('finds orphans of a validated foreign key, loaded with triggers off', { timeout: 60_000 }, async () => {
    project = newProject()
    await sql('CREATE TABLE authors (id int PRIMARY KEY); CREATE TABLE books (id int PRIMARY KEY, author_id int REFERENCES authors (id)); INSERT INTO authors VALUES (1)')
    // session_replication_role = replica skips the foreign-key triggers, as some bulk loads do.
    await sql("SET session_replication_role = replica; INSERT INTO books VALUES (1, 1), (2, 5), (3, 6), (4, 7); SET session_replication_role = origin")
    const found = await project.run(['verify', '--json'])
    expect(found.code, found.stderr).toBe(2)
    expect(JSON.parse(found.stdout).findings).toEqual([
      {
        kind: 'fk-orphans',
        table: 'public.books',
        object: 'books_author_id_fkey',
        rows: 3,
        message: 'public.books: foreign key books_author_id_fkey (author_id) → public.authors: 3 rows reference a missing parent (loaded with triggers off?); delete or fix them',
      },
    ])
    await sql('DROP TABLE books; DROP TABLE authors')
  })
})
