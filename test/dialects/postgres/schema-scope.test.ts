import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { diff } from '../../../src/api/diff.js'
import { lint } from '../../../src/api/lint.js'
import { down, up } from '../../../src/api/migrate.js'
import type { ResolvedConfig } from '../../../src/config/schema.js'
import { parseSearchPath, urlSearchPath } from '../../../src/dialects/postgres/scope.js'
import { createTestDatabase, pgAvailable } from '../../helpers/postgres.js'
import type { TestDatabase } from '../../helpers/postgres.js'
import { runCli } from '../../cli/helpers.js'

const available = await pgAvailable()

describe('PostgreSQL search_path parsing', () => {
  it('reads search_path from the URL parameter or from options', () => {
    expect(urlSearchPath('postgres://h/db?search_path=foo,public')).toBe('foo,public')
    expect(urlSearchPath('postgres://h/db?options=-csearch_path%3Dfoo')).toBe('foo')
    expect(urlSearchPath('postgres://h/db?options=-c%20search_path%3D%22My%5C%20App%22,public%20-c%20statement_timeout%3D5s')).toBe('"My App",public')
    expect(urlSearchPath('postgres://h/db?options=-c%20statement_timeout%3D5s')).toBeUndefined()
    expect(urlSearchPath('postgres://h/db')).toBeUndefined()
  })
  it('splits a search_path value into schema names', () => {
    expect(parseSearchPath('"$user", public')).toEqual(['$user', 'public'])
    expect(parseSearchPath('Foo, "Bar Baz",pg_catalog, "a""b"')).toEqual(['foo', 'Bar Baz', 'a"b'])
  })
})

/**
 * Schema scope end to end through the API: which schemas a config without `schemas` manages
 * (every user schema but platform-managed ones such as Supabase's, or the URL's search_path),
 * CREATE/DROP SCHEMA with their downs and the data-loss consent, and the error for a target object
 * outside the managed schemas.
 */
describe.skipIf(!available)('PostgreSQL: schema scope follows the database', () => {
  let db: TestDatabase
  let client: pg.Client
  let work: string
  let config: ResolvedConfig

  beforeAll(async () => {
    db = await createTestDatabase('mt_pg_scope')
    client = new pg.Client({ connectionString: db.url.raw })
    await client.connect()
  })
  afterAll(async () => {
    await client?.end()
    if (work !== undefined) await rm(work, { recursive: true, force: true })
    await db?.drop()
  })
  beforeEach(async () => {
    const schemas = await client.query<{ name: string }>("SELECT nspname AS name FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_%'")
    for (const s of schemas.rows) await client.query(`DROP SCHEMA "${s.name}" CASCADE`)
    await client.query('CREATE SCHEMA public')
    if (work !== undefined) await rm(work, { recursive: true, force: true })
    work = await mkdtemp(path.join(os.tmpdir(), 'migrator-pg-scope-'))
    await mkdir(path.join(work, 'migrations'))
    config = {
      cwd: work, url: db.url.raw, dir: path.join(work, 'migrations'), target: path.join(work, 'schema.sql'),
      historyTable: 'migrator_history', lockTimeoutMs: 5000, lockWaitMs: 10_000,
    }
  })

  const rows = async (sql: string): Promise<Record<string, unknown>[]> => (await client.query(sql)).rows
  const schemaNames = async (): Promise<unknown[]> =>
    (await rows("SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_%' ORDER BY 1")).map((r) => r.nspname)
  const SEED = "INSERT INTO public.t VALUES (1, NULL), (2, 'ünïcødé 🙂'), (3, repeat('x', 5000)), (2147483647, '')"
  const seeded = async (): Promise<unknown> => rows('SELECT id, name FROM public.t ORDER BY id')

  it('a new schema and its table: CREATE SCHEMA, No changes after up, down drops them (consent for their rows) and keeps public rows', async () => {
    await client.query(`CREATE TABLE public.t (id integer PRIMARY KEY, name text); ${SEED}`)
    const before = await seeded()
    await writeFile(config.target!, 'CREATE TABLE t (id integer PRIMARY KEY, name text);\nCREATE SCHEMA foo;\nCREATE TABLE foo.items (id bigint PRIMARY KEY, t_id integer REFERENCES public.t (id), label text NOT NULL);\n')
    const outcome = await diff(config, { name: 'foo' })
    expect(outcome.plan.statements.map((s) => s.sql)).toEqual([
      'CREATE SCHEMA IF NOT EXISTS "foo"',
      'CREATE TABLE "foo"."items" (\n  "id" bigint NOT NULL,\n  "t_id" integer,\n  "label" text NOT NULL,\n  CONSTRAINT "items_pkey" PRIMARY KEY ("id")\n)',
      'ALTER TABLE "foo"."items" ADD CONSTRAINT "items_t_id_fkey" FOREIGN KEY ("t_id") REFERENCES "public"."t" ("id")',
    ])
    expect(outcome.plan.statements[0]!.reverse).toEqual(['DROP SCHEMA "foo"'])
    expect((await up(config)).error).toBeUndefined()
    expect(await schemaNames()).toEqual(['foo', 'public'])
    expect((await diff(config, { dryRun: true })).changes).toEqual([])

    await client.query("INSERT INTO foo.items VALUES (1, 2, 'kept?')")
    await expect(down(config)).rejects.toThrow(/refusing to revert: it would destroy stored data: foo\.items \(1 row\)/)
    expect(await rows('SELECT * FROM foo.items')).toEqual([{ id: '1', t_id: 2, label: 'kept?' }])
    const reverted = await down(config, { allowDataLoss: true })
    expect(reverted.error).toBeUndefined()
    expect(await schemaNames()).toEqual(['public'])
    expect(await seeded()).toEqual(before)
  })

  it('a schema the target no longer has is dropped only with consent; its down recreates it', async () => {
    await client.query(`CREATE TABLE public.t (id integer PRIMARY KEY, name text); ${SEED}`)
    await client.query("CREATE SCHEMA old; CREATE TABLE old.x (id integer PRIMARY KEY); INSERT INTO old.x VALUES (1), (2)")
    const before = await seeded()
    await writeFile(config.target!, 'CREATE TABLE t (id integer PRIMARY KEY, name text);\n')
    const outcome = await diff(config, { name: 'drop_old' })
    expect(outcome.plan.statements.map((s) => s.sql)).toEqual(['DROP TABLE "old"."x"', 'DROP SCHEMA "old"'])
    expect(outcome.lint.findings.map((f) => f.code)).toEqual(['DS101', 'DS104', 'IR102'])
    await expect(up(config)).rejects.toThrow(/old\.x \(2 rows\)/)
    expect(await rows('SELECT id FROM old.x ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }])
    expect((await up(config, { allowDataLoss: true })).error).toBeUndefined()
    expect(await schemaNames()).toEqual(['public'])
    expect((await diff(config, { dryRun: true })).changes).toEqual([])
    expect((await down(config)).error).toBeUndefined()
    expect(await schemaNames()).toEqual(['old', 'public'])
    expect(await rows('SELECT count(*)::int AS n FROM old.x')).toEqual([{ n: 0 }])
    expect(await seeded()).toEqual(before)
  })

  for (const [how, query] of [
    ['options=-csearch_path', 'options=-csearch_path%3Dapp'],
    ['search_path parameter', 'search_path=app'],
  ] as const) {
    it(`a URL ${how} scopes the commands to that schema: unqualified target names land there, other schemas are left alone`, async () => {
      await client.query(`CREATE TABLE public.t (id integer PRIMARY KEY, name text); ${SEED}`)
      await client.query("CREATE SCHEMA app; CREATE TABLE app.items (id integer PRIMARY KEY); INSERT INTO app.items VALUES (7)")
      const before = await seeded()
      config = { ...config, url: `${db.url.raw}?${query}` }
      // public.t is not in the target and must not be dropped: it is outside the scope.
      await writeFile(config.target!, 'CREATE TABLE items (id integer PRIMARY KEY, note text DEFAULT \'n/a\');\nCREATE TABLE tags (id integer PRIMARY KEY, item_id integer REFERENCES items (id));\n')
      const outcome = await diff(config, { name: 'app' })
      expect(outcome.plan.statements.map((s) => s.sql)).toEqual([
        'CREATE TABLE "app"."tags" (\n  "id" integer NOT NULL,\n  "item_id" integer,\n  CONSTRAINT "tags_pkey" PRIMARY KEY ("id")\n)',
        'ALTER TABLE "app"."items" ADD COLUMN "note" text DEFAULT \'n/a\'::text',
        'ALTER TABLE "app"."tags" ADD CONSTRAINT "tags_item_id_fkey" FOREIGN KEY ("item_id") REFERENCES "app"."items" ("id")',
      ])
      expect((await up(config)).error).toBeUndefined()
      expect((await diff(config, { dryRun: true })).changes).toEqual([])
      expect(await rows('SELECT id, note FROM app.items')).toEqual([{ id: 7, note: 'n/a' }])
      expect((await down(config, { allowDataLoss: true })).error).toBeUndefined()
      expect(await rows('SELECT * FROM app.items')).toEqual([{ id: 7 }])
      expect(await rows("SELECT to_regclass('app.tags') AS t")).toEqual([{ t: null }])
      expect(await seeded()).toEqual(before)
    })
  }

  it('a URL scoped to a schema that does not exist yet: up creates it with the history table, migrations never drop it', async () => {
    config = { ...config, url: `${db.url.raw}?search_path=fresh` }
    await writeFile(config.target!, 'CREATE SCHEMA fresh;\nCREATE TABLE items (id integer PRIMARY KEY, label text);\n')
    const outcome = await diff(config, { name: 'fresh' })
    expect(outcome.plan.statements.map((s) => s.sql)).toEqual([
      'CREATE TABLE "fresh"."items" (\n  "id" integer NOT NULL,\n  "label" text,\n  CONSTRAINT "items_pkey" PRIMARY KEY ("id")\n)',
    ])
    expect((await up(config)).error).toBeUndefined()
    await client.query("INSERT INTO fresh.items VALUES (1, 'ü'), (2, NULL)")
    expect((await diff(config, { dryRun: true })).changes).toEqual([])
    expect(await rows("SELECT tablename FROM pg_tables WHERE schemaname = 'fresh' ORDER BY 1")).toEqual([{ tablename: 'items' }, { tablename: 'migrator_history' }, { tablename: 'migrator_history_snapshots' }])
    expect((await down(config, { allowDataLoss: true })).error).toBeUndefined()
    expect(await rows("SELECT tablename FROM pg_tables WHERE schemaname = 'fresh' ORDER BY 1")).toEqual([{ tablename: 'migrator_history' }, { tablename: 'migrator_history_snapshots' }])
  })

  it('a search_path set for the database (or role) outside the URL: unqualified target names land in its first schema, as on the live database', async () => {
    await client.query("CREATE SCHEMA app; CREATE TABLE app.items (id integer PRIMARY KEY); INSERT INTO app.items VALUES (1), (2)")
    await client.query(`ALTER DATABASE "${db.name}" SET search_path = app, public`)
    try {
      // Database scope: app and public are both managed; the target creates neither, its table lands in app.
      await writeFile(config.target!, 'CREATE TABLE items (id integer PRIMARY KEY, note text);\n')
      const outcome = await diff(config, { name: 'note' })
      expect(outcome.plan.statements.map((s) => s.sql)).toEqual(['ALTER TABLE "app"."items" ADD COLUMN "note" text'])
      expect((await up(config)).error).toBeUndefined()
      expect((await diff(config, { dryRun: true })).changes).toEqual([])
      expect((await down(config)).error).toBeUndefined()
      expect(await rows('SELECT * FROM app.items ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }])
    } finally {
      await client.query(`ALTER DATABASE "${db.name}" RESET search_path`)
    }
  })

  it('a devUrl gets the scope schemas for the command and is left as found after it', async () => {
    const dev = await createTestDatabase('mt_pg_scope_dev')
    try {
      await client.query('CREATE SCHEMA app; CREATE TABLE app.items (id integer PRIMARY KEY)')
      config = { ...config, url: `${db.url.raw}?search_path=app`, devUrl: dev.url.raw }
      await writeFile(config.target!, 'CREATE SCHEMA app;\nCREATE TABLE items (id integer PRIMARY KEY, note text);\n')
      const outcome = await diff(config, { dryRun: true })
      expect(outcome.plan.statements.map((s) => s.sql)).toEqual(['ALTER TABLE "app"."items" ADD COLUMN "note" text'])
      const devClient = new pg.Client({ connectionString: dev.url.raw })
      await devClient.connect()
      try {
        const left = await devClient.query("SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_%' ORDER BY 1")
        expect(left.rows.map((r) => r.nspname)).toEqual(['public'])
      } finally {
        await devClient.end()
      }
    } finally {
      await dev.drop()
    }
  })

  it('configured schemas: a target object outside them is an error naming it, and nothing is written', async () => {
    config = { ...config, schemas: ['public'] }
    await writeFile(config.target!, 'CREATE TABLE t (id integer PRIMARY KEY);\nCREATE SCHEMA foo;\nCREATE TABLE foo.items (id integer);\nCREATE VIEW foo.v AS SELECT 1 AS one;\n')
    await expect(diff(config, { name: 'x' })).rejects.toThrow(
      /^target \S*schema\.sql creates table foo\.items, view foo\.v outside the managed schemas \(public\); add "foo" to `schemas` in the config/,
    )
    expect(await schemaNames()).toEqual(['public'])
    expect(await rows('SELECT 1 FROM pg_tables WHERE tablename = \'t\'')).toEqual([])
  })

  it('configured schemas that do not exist yet are created', async () => {
    config = { ...config, schemas: ['public', 'billing'] }
    await writeFile(config.target!, 'CREATE SCHEMA billing;\nCREATE TABLE billing.invoices (id integer PRIMARY KEY);\n')
    const outcome = await diff(config, { name: 'billing' })
    expect(outcome.plan.statements.map((s) => s.sql)[0]).toBe('CREATE SCHEMA IF NOT EXISTS "billing"')
    expect((await up(config)).error).toBeUndefined()
    expect((await diff(config, { dryRun: true })).changes).toEqual([])
    expect((await down(config)).error).toBeUndefined()
    expect(await schemaNames()).toEqual(['public'])
  })

  // What a Supabase project holds besides the project's own tables: platform schemas with tables,
  // rows, RLS and functions, extensions installed into `extensions`, an extension type in public.
  const PLATFORM = `
    CREATE SCHEMA auth; CREATE SCHEMA storage; CREATE SCHEMA extensions; CREATE SCHEMA realtime; CREATE SCHEMA vault;
    CREATE SCHEMA graphql_public; CREATE SCHEMA supabase_migrations; CREATE SCHEMA cron;
    CREATE TABLE auth.users (id uuid PRIMARY KEY, email text UNIQUE, raw jsonb);
    INSERT INTO auth.users VALUES ('00000000-0000-0000-0000-000000000001', 'ä@example.com', '{"k": "ü 🙂"}'), ('00000000-0000-0000-0000-000000000002', NULL, NULL);
    ALTER TABLE auth.users ENABLE ROW LEVEL SECURITY;
    CREATE POLICY own ON auth.users USING (email IS NOT NULL);
    CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$SELECT NULL::uuid$$;
    CREATE TABLE storage.objects (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, owner uuid REFERENCES auth.users (id), name text);
    INSERT INTO storage.objects (owner, name) VALUES ('00000000-0000-0000-0000-000000000001', repeat('x', 3000));
    CREATE TABLE realtime.messages (id integer PRIMARY KEY); INSERT INTO realtime.messages VALUES (2147483647);
    CREATE TABLE supabase_migrations.schema_migrations (version text PRIMARY KEY); INSERT INTO supabase_migrations.schema_migrations VALUES ('20240101000000');
    CREATE TABLE cron.job (jobid bigint PRIMARY KEY, schedule text); INSERT INTO cron.job VALUES (1, '* * * * *');
    CREATE TYPE vault.kind AS ENUM ('a', 'b');
    CREATE EXTENSION pgcrypto SCHEMA extensions;
    CREATE EXTENSION citext SCHEMA public;
    CREATE TABLE public.t (id integer PRIMARY KEY, name citext);
    INSERT INTO public.t VALUES (1, NULL), (2, 'ünïcødé'), (3, repeat('y', 5000));`

  const TARGET = 'CREATE EXTENSION citext;\nCREATE TABLE t (id integer PRIMARY KEY, name citext);\n'
  const platformData = async (): Promise<unknown> => ({
    users: await rows('SELECT id, email, raw FROM auth.users ORDER BY id'),
    policies: await rows("SELECT policyname FROM pg_policies WHERE schemaname = 'auth'"),
    objects: await rows('SELECT id, owner, length(name) AS n FROM storage.objects'),
    messages: await rows('SELECT id FROM realtime.messages'),
    migrations: await rows('SELECT version FROM supabase_migrations.schema_migrations'),
    jobs: await rows('SELECT jobid, schedule FROM cron.job'),
    extensions: await rows("SELECT extname, extnamespace::regnamespace::text AS schema FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY 1"),
    functions: await rows("SELECT proname FROM pg_proc WHERE pronamespace = 'auth'::regnamespace"),
    types: await rows("SELECT typname FROM pg_type WHERE typnamespace = 'vault'::regnamespace AND typtype = 'e'"),
  })

  it('platform schemas (Supabase) and extension objects stay out of database scope: a target declaring only public touches nothing else; up / No changes / down keep every row', async () => {
    await client.query(PLATFORM)
    const platform = await platformData()
    const project = await rows('SELECT id, name FROM public.t ORDER BY id')
    await writeFile(config.target!, `${TARGET}CREATE TABLE notes (id bigint PRIMARY KEY, t_id integer REFERENCES t (id), body text DEFAULT '');\n`)
    const outcome = await diff(config, { name: 'notes' })
    expect(outcome.plan.statements.map((s) => s.sql)).toEqual([
      'CREATE TABLE "public"."notes" (\n  "id" bigint NOT NULL,\n  "t_id" integer,\n  "body" text DEFAULT \'\'::text,\n  CONSTRAINT "notes_pkey" PRIMARY KEY ("id")\n)',
      'ALTER TABLE "public"."notes" ADD CONSTRAINT "notes_t_id_fkey" FOREIGN KEY ("t_id") REFERENCES "public"."t" ("id")',
    ])
    expect((await up(config)).error).toBeUndefined()
    await client.query("INSERT INTO public.notes VALUES (1, 2, 'n')")
    expect((await diff(config, { dryRun: true })).changes).toEqual([])
    expect((await down(config, { allowDataLoss: true })).error).toBeUndefined()
    expect(await rows("SELECT to_regclass('public.notes') AS t")).toEqual([{ t: null }])
    expect(await rows('SELECT id, name FROM public.t ORDER BY id')).toEqual(project)
    expect(await platformData()).toEqual(platform)
  })

  it('a platform schema named in `schemas` is managed like any other: a target without it drops its tables', async () => {
    await client.query(PLATFORM)
    config = { ...config, schemas: ['public', 'auth'] }
    await writeFile(config.target!, TARGET)
    const outcome = await diff(config, { dryRun: true })
    expect(outcome.plan.statements.map((s) => s.sql)).toContain('DROP TABLE "auth"."users"')
    expect(outcome.plan.statements.map((s) => s.sql).join('\n')).not.toMatch(/storage|realtime|cron|vault|pgcrypto/)
  })

  it('a target that creates objects in a platform schema in database scope is an error naming them, never silence', async () => {
    await client.query(PLATFORM)
    const platform = await platformData()
    await writeFile(config.target!, `${TARGET}CREATE SCHEMA IF NOT EXISTS auth;\nCREATE TABLE auth.sessions (id integer PRIMARY KEY);\n`)
    await expect(diff(config, { name: 'x' })).rejects.toThrow(
      /^target \S*schema\.sql creates table auth\.sessions outside the managed schemas \(public\); add "auth" to `schemas` in the config/,
    )
    expect(await platformData()).toEqual(platform)
  })

  it('lint analyzes a pending migration on a scratch copy of a multi-schema live structure', async () => {
    await client.query("CREATE SCHEMA foo; CREATE TABLE foo.items (id integer PRIMARY KEY, note text); INSERT INTO foo.items VALUES (1, 'a'), (2, NULL)")
    await writeFile(config.target!, 'CREATE SCHEMA foo;\nCREATE TABLE foo.items (id integer PRIMARY KEY);\n')
    await diff(config, { name: 'drop_note' })
    const report = await lint(config)
    const findings = report.migrations.flatMap((m) => m.findings)
    expect(findings.map((f) => f.code)).toEqual(['DS102', 'IR102'])
    expect(findings[0]!.message).toMatch(/drops column foo\.items\.note holding 1 non-NULL value/)
  })
})

describe.skipIf(!available)('CLI: a target object outside configured schemas', () => {
  let db: TestDatabase
  let work: string
  beforeAll(async () => {
    db = await createTestDatabase('mt_pg_scope_cli')
    work = await mkdtemp(path.join(os.tmpdir(), 'migrator-pg-scope-cli-'))
  })
  afterAll(async () => {
    if (work !== undefined) await rm(work, { recursive: true, force: true })
    await db?.drop()
  })

  it('exits 1 with one line naming it', async () => {
    await writeFile(path.join(work, 'migrator.config.json'), JSON.stringify({ url: db.url.raw, target: 'schema.sql', schemas: ['public'] }))
    await writeFile(path.join(work, 'schema.sql'), 'CREATE SCHEMA foo;\nCREATE TABLE foo.items (id integer);\n')
    const result = await runCli(['diff', 'x'], { cwd: work })
    expect(result.code).toBe(1)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toMatch(/table foo\.items outside the managed schemas \(public\)/)
    expect(result.stderr).not.toMatch(/\n\s+at /)
  })
})
