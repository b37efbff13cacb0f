import { readdirSync } from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { UnsupportedChangeError } from '../../../src/errors.js'
import { enumValueLosses } from '../../../src/dialects/postgres/enum-plan.js'
import { diffSchemas } from '../../../src/schema/diff.js'
import type { Schema } from '../../../src/schema/model.js'
import { guardOf } from '../../../src/schema/plan.js'
import { tempProject, type TempProject } from '../../cli/helpers.js'
import { createTestDatabase, pgAvailable, psqlText } from '../../helpers/postgres.js'
import type { TestDatabase } from '../../helpers/postgres.js'
import { applyPlan, applyReverse, execScript, openPair, reset } from './harness.js'
import type { Pair } from './harness.js'

const available = await pgAvailable()

/** Every label, including ones that need quoting; 'archived' is the one removed. */
const LABELS = ['draft', 'active', "it's done", 'ünï ✓ "q"', 'archived']
const enumDdl = (labels: readonly string[]): string => `CREATE TYPE status AS ENUM (${labels.map((l) => `'${l.replace(/'/g, "''")}'`).join(', ')});`
const KEPT = LABELS.filter((l) => l !== 'archived')

async function query<T = Record<string, unknown>>(db: TestDatabase, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: db.url.raw })
  await client.connect()
  try {
    return (await client.query(sql)).rows as T[]
  } finally {
    await client.end()
  }
}

/** Every row of every listed table as text (enum values compare as their labels). */
async function values(db: TestDatabase, tables: readonly string[]): Promise<string> {
  const out: string[] = []
  for (const t of tables) {
    const rows = await query<{ r: string }>(db, `SELECT to_jsonb(x)::text AS r FROM ${t} x ORDER BY 1`)
    out.push(`${t}: ${rows.map((r) => r.r).join(' | ')}`)
  }
  return out.join('\n')
}

async function labelsOf(db: TestDatabase, type = 'public.status'): Promise<string[]> {
  const rows = await query<{ l: string }>(db, `SELECT unnest(enum_range(NULL::${type}))::text AS l`)
  return rows.map((r) => r.l)
}

const quote = (l: string): string => `'${l.replace(/'/g, "''")}'`

describe.skipIf(!available)('removing PostgreSQL enum labels through the built CLI', () => {
  let db: TestDatabase
  let reference: TestDatabase | undefined
  let project: TempProject

  const start = async (schema: string): Promise<void> => {
    db = await createTestDatabase('mt_pg_enum')
    project = tempProject({
      'migrator.config.ts': `export default { url: ${JSON.stringify(db.url.raw)}, target: './schema.sql' }\n`,
      'schema.sql': schema,
    })
    const init = await project.run(['diff', 'init'])
    expect(init.code, init.stderr).toBe(0)
    const up = await project.run(['up'])
    expect(up.code, up.stderr).toBe(0)
  }
  const migrationFiles = (): string[] => readdirSync(path.join(project.dir, 'migrations')).sort()

  afterEach(async () => {
    project?.remove()
    await db?.drop()
    await reference?.drop()
    reference = undefined
  })

  // Plain columns: a scalar with a default, an array with a default, a second table. (Columns of
  // other schemas are covered by the plan tests below: the CLI replays a directory on a scratch
  // database that has no schemas but public.)
  const plain = (labels: readonly string[]): string =>
    `${enumDdl(labels)}\n` +
    "CREATE TABLE t (id int PRIMARY KEY, s status DEFAULT 'draft', tags status[] DEFAULT '{draft}', note text);\n" +
    "CREATE TABLE u (id int PRIMARY KEY, s public.status NOT NULL DEFAULT 'active', hist public.status[]);\n"
  const seedPlain = (labels: readonly string[]): string =>
    [
      'INSERT INTO t VALUES',
      labels.map((l, i) => `(${i + 1}, ${quote(l)}, ARRAY[${quote(l)}, NULL, 'draft']::status[], ${quote(`row ${l}`)})`).join(',\n') + ',',
      "(100, NULL, NULL, NULL), (101, DEFAULT, DEFAULT, ''), (102, 'active', '{}', repeat('x', 10000));",
      `INSERT INTO u VALUES ${labels.map((l, i) => `(${i + 1}, ${quote(l)}, ARRAY[${quote(l)}]::public.status[])`).join(', ')}, (100, 'draft', NULL);`,
    ].join('\n')
  const TABLES = ['public.t', 'public.u']

  it('removes an unused label: applies, keeps every value, converges, and the down restores the label', async () => {
    await start(plain(LABELS))
    await psqlText(db.url, seedPlain(KEPT))
    const before = await values(db, TABLES)

    project.write('schema.sql', plain(KEPT))
    const diff = await project.run(['diff', 'drop_archived'])
    expect(diff.code, diff.stderr).toBe(0)
    const upFile = migrationFiles().find((f) => f.endsWith('_drop_archived.up.sql'))!
    const text = project.read(`migrations/${upFile}`)
    // Every column of the enum is guarded, arrays and other schemas included.
    expect(text).toContain(`-- migrator:check-before SELECT count(*) = 0 FROM "public"."t" WHERE "s"::text IN ('archived')`)
    expect(text).toContain(`-- migrator:check-before SELECT count(*) = 0 FROM "public"."t" WHERE "tags"::text[] && ARRAY['archived']::text[]`)
    expect(text).toContain(`-- migrator:check-before SELECT count(*) = 0 FROM "public"."u" WHERE "s"::text IN ('archived')`)
    expect(text).toContain(`-- migrator:check-before SELECT count(*) = 0 FROM "public"."u" WHERE "hist"::text[] && ARRAY['archived']::text[]`)

    const up = await project.run(['up'])
    expect(up.code, up.stderr).toBe(0)
    expect(await values(db, TABLES)).toBe(before)
    expect(await labelsOf(db)).toEqual(KEPT)
    expect(await query(db, "SELECT column_default AS d FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 't' AND column_name IN ('s', 'tags') ORDER BY column_name")).toEqual([
      { d: "'draft'::status" },
      { d: "'{draft}'::status[]" },
    ])
    const check = await project.run(['diff', '--check'])
    expect(check.code, check.stdout + check.stderr).toBe(0)

    const down = await project.run(['down'])
    expect(down.code, down.stderr).toBe(0)
    expect(await labelsOf(db)).toEqual(LABELS)
    expect(await values(db, TABLES)).toBe(before)
    // The restored label is usable again.
    await psqlText(db.url, "INSERT INTO t (id, s, tags) VALUES (200, 'archived', '{archived}'); INSERT INTO u VALUES (200, 'archived', '{archived}');")
  })

  it('refuses to remove a label rows still hold: the guard fails before any statement and nothing changes', async () => {
    await start(plain(LABELS))
    await psqlText(db.url, seedPlain(LABELS))
    const before = await values(db, TABLES)
    const historyBefore = await query(db, 'SELECT version, status FROM migrator_history ORDER BY version')

    project.write('schema.sql', plain(KEPT))
    expect((await project.run(['diff', 'drop_archived'])).code).toBe(0)

    const refused = await project.run(['up'])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/holds label 'archived', removed from enum public\.status/)
    expect(await values(db, TABLES)).toBe(before)

    const forced = await project.run(['up', '--force', '--allow-data-loss'])
    expect(forced.code).toBe(1)
    expect(forced.stderr).toContain(`check-before \`SELECT count(*) = 0 FROM "public"."t" WHERE "s"::text IN ('archived')\` failed`)
    expect(forced.stderr).toMatch(/rolled back/)
    expect(await values(db, TABLES)).toBe(before)
    expect(await labelsOf(db)).toEqual(LABELS)
    expect(await query(db, "SELECT count(*)::int AS n FROM pg_type WHERE typname = 'status__old'")).toEqual([{ n: 0 }])
    expect(await query(db, 'SELECT version, status FROM migrator_history ORDER BY version')).toEqual(historyBefore)
  })

  // Dependents: a partial index, an expression index, a GIN index on the array, a check naming the
  // type, a default of a text column naming it, a view reading the column, a view on that view, a
  // materialized view with its own index.
  const withDependents = (labels: readonly string[]): string =>
    plain(labels) +
    "ALTER TABLE t ADD COLUMN label text DEFAULT ('active'::status)::text, ADD CONSTRAINT t_active_has_note CHECK (s IS DISTINCT FROM 'active' OR note IS NOT NULL);\n" +
    "CREATE INDEX t_live ON t (id) WHERE s <> 'draft';\n" +
    "CREATE INDEX t_expr ON t ((s = 'active'), id);\n" +
    'CREATE INDEX t_tags ON t USING gin (tags);\n' +
    "CREATE VIEW v_active AS SELECT id, s, tags FROM t WHERE s = 'active' OR 'draft' = ANY (tags);\n" +
    'CREATE VIEW v_count AS SELECT count(*) AS n FROM v_active;\n' +
    "CREATE MATERIALIZED VIEW m AS SELECT s, count(*) AS n FROM u WHERE s IN ('draft', 'active') GROUP BY s;\n" +
    'CREATE UNIQUE INDEX m_s ON m (s);\n'

  it('carries indexes, checks, defaults and views through the rebuild, both ways', async () => {
    await start(withDependents(LABELS))
    await psqlText(db.url, seedPlain(KEPT))
    await psqlText(db.url, 'REFRESH MATERIALIZED VIEW m')
    const tables = [...TABLES, 'public.v_active', 'public.v_count', 'public.m']
    const before = await values(db, tables)
    const definitions = async (target: TestDatabase): Promise<unknown[]> =>
      query(
        target,
        `SELECT c.relname, CASE WHEN c.relkind = 'i' THEN pg_get_indexdef(c.oid) ELSE pg_get_viewdef(c.oid, true) END AS def
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relkind IN ('i', 'v', 'm') AND c.relname NOT LIKE 'migrator%' ORDER BY 1`,
      )
    const constraints = async (target: TestDatabase): Promise<unknown[]> =>
      query(target, "SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conname NOT LIKE 'migrator%' ORDER BY 1")
    const definitionsBefore = await definitions(db)
    const constraintsBefore = await constraints(db)

    project.write('schema.sql', withDependents(KEPT))
    const diff = await project.run(['diff', 'drop_archived'])
    expect(diff.code, diff.stderr).toBe(0)
    const up = await project.run(['up'])
    expect(up.code, up.stderr).toBe(0)
    expect(await values(db, tables)).toBe(before)

    // Equal to the target, object by object: the target applied to an empty database.
    reference = await createTestDatabase('mt_pg_enum_ref')
    await psqlText(reference.url, withDependents(KEPT))
    expect(await definitions(db)).toEqual(await definitions(reference))
    expect(await constraints(db)).toEqual(await constraints(reference))
    expect((await definitions(db)).length).toBe(definitionsBefore.length)
    const check = await project.run(['diff', '--check'])
    expect(check.code, check.stdout + check.stderr).toBe(0)

    const down = await project.run(['down'])
    expect(down.code, down.stderr).toBe(0)
    expect(await labelsOf(db)).toEqual(LABELS)
    expect(await values(db, tables)).toBe(before)
    expect(await definitions(db)).toEqual(definitionsBefore)
    expect(await constraints(db)).toEqual(constraintsBefore)
    // And up again from the restored state.
    const again = await project.run(['up'])
    expect(again.code, again.stderr).toBe(0)
    expect(await values(db, tables)).toBe(before)
  })

  it('refuses at diff time, writing nothing, when a partial index names the removed label', async () => {
    const schema = (labels: readonly string[], index: string): string => plain(labels) + index
    await start(schema(LABELS, "CREATE INDEX t_archived ON t (id) WHERE s = 'archived';\n"))
    const files = migrationFiles()
    const sum = project.read('migrations/migrator.sum')

    project.write('schema.sql', schema(KEPT, ''))
    const diff = await project.run(['diff', 'drop_archived'])
    expect(diff.code).toBe(1)
    expect(diff.stderr.trim().split('\n')).toEqual([
      "error: index t_archived on public.t names label 'archived', which this change removes from enum public.status; " +
        'drop or change the index in an earlier migration, then remove the label',
    ])
    expect(migrationFiles()).toEqual(files)
    expect(project.read('migrations/migrator.sum')).toBe(sum)
  })
})

describe.skipIf(!available)('enum rebuild plans on a real server', () => {
  let live: TestDatabase
  let target: TestDatabase
  let pair: Pair

  beforeAll(async () => {
    live = await createTestDatabase('mt_pg_enum_plan')
    target = await createTestDatabase('mt_pg_enum_plan')
    pair = await openPair(live.url, target.url)
  })
  afterAll(async () => {
    await pair?.live.close()
    await pair?.target.close()
    await live?.drop()
    await target?.drop()
  })

  const rows = async (sql: string): Promise<unknown[]> => pair.live.db.query(sql)

  /** The plan between `before` and `after`, with both schemas, as `diff` makes it. */
  async function planOf(before: string, after: string, schemas = ['public']) {
    await reset(pair.live.db)
    await reset(pair.target.db)
    await execScript(pair.live, before)
    await execScript(pair.target, after)
    const current = await pair.live.inspect({ schemas })
    const desired = await pair.target.inspect({ schemas })
    const { changes } = diffSchemas(current, desired, { capabilities: pair.live.capabilities })
    return { changes, current, desired, plan: () => pair.live.plan(changes, { current, desired }) }
  }

  /**
   * Applies the plan between `before` and `after` to seeded rows and then its reverse; `read` returns
   * the same values after each, the schema equals the target after the plan (a second diff is empty)
   * and the original after the reverse.
   */
  async function roundTrip(c: { before: string; after: string; seed: string; read: string; schemas?: string[] }) {
    const schemas = c.schemas ?? ['public']
    const { plan, desired, current } = await planOf(c.before, c.after, schemas)
    const p = plan()
    await execScript(pair.live, c.seed)
    const seeded = await rows(c.read)
    expect(seeded.length).toBeGreaterThan(0)
    await applyPlan(pair.live, p)
    expect(await rows(c.read), 'values after the plan').toEqual(seeded)
    const after = await pair.live.inspect({ schemas })
    expect(after).toEqual(desired)
    expect(diffSchemas(after, desired, { capabilities: pair.live.capabilities }).changes).toEqual([])
    await applyReverse(pair.live, p)
    expect(await rows(c.read), 'values after the reverse').toEqual(seeded)
    expect(await pair.live.inspect({ schemas })).toEqual(current)
    return { plan: p, seeded }
  }

  it('reports one loss per column of the enum, arrays and other schemas included, each with its guard', async () => {
    const { changes, current } = await planOf(
      `CREATE SCHEMA app; ${enumDdl(LABELS)} CREATE TABLE t (s status, tags status[]); CREATE TABLE app.u (s public.status);`,
      `CREATE SCHEMA app; ${enumDdl(['draft', 'active'])} CREATE TABLE t (s status, tags status[]); CREATE TABLE app.u (s public.status);`,
      ['public', 'app'],
    )
    const losses = changes.flatMap((c) => enumValueLosses(c, { current }))
    const removed = `'it''s done', 'ünï ✓ "q"', 'archived'`
    const reason = `holds label 'it's done' or 'ünï ✓ "q"' or 'archived', removed from enum public.status`
    expect(losses).toEqual([
      { table: 'app.u', column: 's', from: '"app"."u"', where: `"s"::text IN (${removed})`, reason },
      { table: 'public.t', column: 's', from: '"public"."t"', where: `"s"::text IN (${removed})`, reason },
      { table: 'public.t', column: 'tags', from: '"public"."t"', where: `"tags"::text[] && ARRAY[${removed}]::text[]`, reason },
    ])
    expect(pair.live.valueLosses(changes[0]!, { current })).toEqual(losses)
    // Each guard counts exactly the rows that hold a removed label.
    await execScript(pair.live, `INSERT INTO t VALUES ('draft', '{active,NULL}'), (NULL, NULL), ('it''s done', '{draft}'), ('active', ARRAY['draft', 'ünï ✓ "q"']::status[])`)
    await execScript(pair.live, `INSERT INTO app.u VALUES ('draft'), (NULL)`)
    expect(await rows(`SELECT (${guardOf(losses[0]!)}) AS ok`)).toEqual([{ ok: true }])
    expect(await rows(`SELECT (${guardOf(losses[1]!)}) AS ok`)).toEqual([{ ok: false }])
    expect(await rows(`SELECT (${guardOf(losses[2]!)}) AS ok`)).toEqual([{ ok: false }])
    expect(await rows(`SELECT count(*)::int AS n FROM ${losses[2]!.from} WHERE ${losses[2]!.where}`)).toEqual([{ n: 1 }])
    const statements = (await planOf(
      `CREATE SCHEMA app; ${enumDdl(LABELS)} CREATE TABLE t (s status, tags status[]); CREATE TABLE app.u (s public.status);`,
      `CREATE SCHEMA app; ${enumDdl(['draft', 'active'])} CREATE TABLE t (s status, tags status[]); CREATE TABLE app.u (s public.status);`,
      ['public', 'app'],
    )).plan().statements
    for (const s of statements) expect(s.guards).toEqual(losses.map(guardOf))
  })

  it('adding or reordering labels loses nothing', async () => {
    const { changes, current } = await planOf(`${enumDdl(['a', 'b'])} CREATE TABLE t (s status);`, `${enumDdl(['b', 'a', 'c'])} CREATE TABLE t (s status);`)
    expect(changes.flatMap((c) => enumValueLosses(c, { current }))).toEqual([])
  })

  it('rebuilds a quoted enum of another schema used from two schemas, keeping every value both ways', async () => {
    const schema = (labels: string) =>
      `CREATE SCHEMA "Sales"; CREATE TYPE "Sales"."Order State" AS ENUM (${labels});
       CREATE TABLE "Sales"."Order" (id int PRIMARY KEY, "State" "Sales"."Order State" NOT NULL DEFAULT 'new', hist "Sales"."Order State"[] DEFAULT '{new}');
       CREATE INDEX "open orders" ON "Sales"."Order" (id) WHERE "State" <> 'paid';
       CREATE TABLE t (id int PRIMARY KEY, st "Sales"."Order State");`
    const seed = `INSERT INTO "Sales"."Order" VALUES (1, 'new', '{new,paid}'), (2, 'paid', NULL), (3, DEFAULT, DEFAULT), (4, 'new', '{}');
                  INSERT INTO t VALUES (1, 'paid'), (2, NULL);`
    const { plan, seeded } = await roundTrip({
      before: schema("'new', 'paid', 'void'"),
      after: schema("'new', 'paid'"),
      seed,
      read: `SELECT o.id, o."State"::text AS state, o.hist::text, t.st::text FROM "Sales"."Order" o LEFT JOIN t USING (id) ORDER BY o.id`,
      schemas: ['public', 'Sales'],
    })
    expect(plan.statements.map((s) => s.sql)).toContain(
      'ALTER TABLE "Sales"."Order" ALTER COLUMN "hist" TYPE "Sales"."Order State"[] USING "hist"::text[]::"Sales"."Order State"[]',
    )
    expect(plan.statements.map((s) => s.sql)).toContain(`ALTER TABLE "Sales"."Order" ALTER COLUMN "State" SET DEFAULT 'new'::"Sales"."Order State"`)
    expect(seeded).toEqual([
      { id: 1, state: 'new', hist: '{new,paid}', st: 'paid' },
      { id: 2, state: 'paid', hist: null, st: null },
      { id: 3, state: 'new', hist: '{new}', st: null },
      { id: 4, state: 'new', hist: '{}', st: null },
    ])
  })

  it('converts only the columns of the right enum when another schema has one of the same name', async () => {
    const schema = (labels: string) =>
      `CREATE SCHEMA app; CREATE TYPE status AS ENUM ('x', 'y', 'z'); CREATE TYPE app.status AS ENUM (${labels});
       CREATE TABLE t (a status, b app.status, c app.status[]);`
    const { plan } = await roundTrip({
      before: schema("'x', 'y', 'z'"),
      after: schema("'x', 'y'"),
      seed: "INSERT INTO t VALUES ('z', 'y', '{x,y}'), (NULL, NULL, '{NULL}');",
      read: 'SELECT a::text, b::text, c::text FROM t ORDER BY a',
      schemas: ['public', 'app'],
    })
    const converted = plan.statements.map((s) => s.sql).filter((s) => s.includes('ALTER COLUMN'))
    expect(converted).toEqual([
      'ALTER TABLE "public"."t" ALTER COLUMN "b" TYPE "app"."status" USING "b"::text::"app"."status"',
      'ALTER TABLE "public"."t" ALTER COLUMN "c" TYPE "app"."status"[] USING "c"::text[]::"app"."status"[]',
    ])
  })

  it('converts a partitioned table through its parent', async () => {
    const schema = (labels: string) =>
      `CREATE TYPE status AS ENUM (${labels}); CREATE TABLE p (id int, s status DEFAULT 'a') PARTITION BY RANGE (id);
       CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10); CREATE TABLE p2 PARTITION OF p FOR VALUES FROM (10) TO (20);`
    const { plan, seeded } = await roundTrip({
      before: schema("'a', 'b', 'c'"),
      after: schema("'a', 'b'"),
      seed: "INSERT INTO p VALUES (1, 'a'), (11, 'b'), (12, NULL), (13, DEFAULT);",
      read: 'SELECT id, s::text FROM p ORDER BY id',
    })
    expect(plan.statements.filter((s) => s.sql.includes('TYPE "public"."status" USING')).map((s) => s.sql)).toEqual([
      'ALTER TABLE "public"."p" ALTER COLUMN "s" TYPE "public"."status" USING "s"::text::"public"."status"',
    ])
    expect(seeded).toEqual([
      { id: 1, s: 'a' },
      { id: 11, s: 'b' },
      { id: 12, s: null },
      { id: 13, s: 'a' },
    ])
  })

  it('adding a label to an enum that views and partial indexes read has a down that rebuilds back', async () => {
    const schema = (labels: string) =>
      `CREATE TYPE status AS ENUM (${labels}); CREATE TABLE t (id int PRIMARY KEY, s status);
       CREATE INDEX t_live ON t (id) WHERE s <> 'a'; CREATE VIEW v AS SELECT id FROM t WHERE s = 'b';`
    const { plan } = await roundTrip({
      before: schema("'a', 'b'"),
      after: schema("'a', 'b', 'c'"),
      seed: "INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, NULL);",
      read: 'SELECT t.id, t.s::text, v.id AS v FROM t LEFT JOIN v USING (id) ORDER BY t.id',
    })
    expect(plan.statements.map((s) => s.sql)).toEqual([`ALTER TYPE "public"."status" ADD VALUE 'c'`])
    expect(plan.statements[0]?.reverse.some((r) => r.startsWith('DROP VIEW'))).toBe(true)
  })

  it('a down that would remove a label rows now hold fails naming the column, and changes nothing', async () => {
    const { plan } = await planOf(`${enumDdl(['a', 'b'])} CREATE TABLE t (id int, s status, ss status[]);`, `${enumDdl(['a', 'b', 'c'])} CREATE TABLE t (id int, s status, ss status[]);`)
    const p = plan()
    await applyPlan(pair.live, p)
    await execScript(pair.live, "INSERT INTO t VALUES (1, 'a', NULL), (2, 'c', '{a}'), (3, NULL, '{c}')")
    await expect(applyReverse(pair.live, p)).rejects.toThrow(/public\.t\.s holds label 'c', removed from enum public\.status: change those rows first/)
    expect(await rows('SELECT id, s::text, ss::text FROM t ORDER BY id')).toEqual([
      { id: 1, s: 'a', ss: null },
      { id: 2, s: 'c', ss: '{a}' },
      { id: 3, s: null, ss: '{c}' },
    ])
    await execScript(pair.live, "UPDATE t SET s = 'b' WHERE s = 'c'")
    await expect(applyReverse(pair.live, p)).rejects.toThrow(/public\.t\.ss holds label 'c'/)
    await execScript(pair.live, "UPDATE t SET ss = '{b}' WHERE id = 3")
    await applyReverse(pair.live, p)
    expect(await rows("SELECT enum_range(NULL::status)::text AS r")).toEqual([{ r: '{a,b}' }])
  })

  // minMajor: the case uses syntax older servers lack (SQL-standard function bodies exist from 14 on).
  const refusals: { name: string; before: string; after: string; message: RegExp | string; minMajor?: number }[] = [
    {
      name: 'a domain over the enum',
      before: `${enumDdl(['a', 'b'])} CREATE DOMAIN d AS status CHECK (VALUE <> 'a');`,
      after: `${enumDdl(['a'])} CREATE DOMAIN d AS status CHECK (VALUE <> 'a');`,
      message: 'domain public.d uses enum public.status, which this change rebuilds; migrator does not rebuild domains: write this migration by hand (rebuild the domain and its columns too)',
    },
    {
      name: 'a function taking the enum',
      before: `${enumDdl(['a', 'b'])} CREATE FUNCTION f(x status) RETURNS int LANGUAGE sql AS 'SELECT 1';`,
      after: `${enumDdl(['a'])} CREATE FUNCTION f(x status) RETURNS int LANGUAGE sql AS 'SELECT 1';`,
      message: 'function public.f(x status) takes, returns or embeds enum public.status, which this change rebuilds; drop it in an earlier migration and recreate it afterwards (or write this migration by hand)',
    },
    {
      name: 'a function returning the enum',
      before: `${enumDdl(['a', 'b'])} CREATE FUNCTION g() RETURNS status LANGUAGE sql AS $$SELECT 'a'::status$$;`,
      after: `${enumDdl(['a'])} CREATE FUNCTION g() RETURNS status LANGUAGE sql AS $$SELECT 'a'::status$$;`,
      message: /^function public\.g\(\) takes, returns or embeds enum public\.status/,
    },
    {
      name: 'a check naming the removed label',
      before: `${enumDdl(['a', 'b'])} CREATE TABLE t (s status CONSTRAINT no_b CHECK (s <> 'b'));`,
      after: `${enumDdl(['a'])} CREATE TABLE t (s status);`,
      message: "check no_b on public.t names label 'b', which this change removes from enum public.status; drop or change the check in an earlier migration, then remove the label",
    },
    {
      name: 'a default naming the removed label',
      before: `${enumDdl(['a', 'b'])} CREATE TABLE t (s status DEFAULT 'b');`,
      after: `${enumDdl(['a'])} CREATE TABLE t (s status DEFAULT 'a');`,
      message: "the default of column public.t.s names label 'b', which this change removes from enum public.status; change the default in an earlier migration, then remove the label",
    },
    {
      name: 'an index predicate naming the removed label in an array',
      before: `${enumDdl(['a', 'b', 'c'])} CREATE TABLE t (id int, s status); CREATE INDEX t_ab ON t (id) WHERE s = ANY ('{a,c}'::status[]);`,
      after: `${enumDdl(['a', 'b'])} CREATE TABLE t (id int, s status);`,
      message: "index t_ab on public.t names label 'c', which this change removes from enum public.status; drop or change the index in an earlier migration, then remove the label",
    },
    {
      name: 'a function with a SQL-standard body naming the type',
      before: `${enumDdl(['a', 'b'])} CREATE FUNCTION h() RETURNS boolean LANGUAGE sql RETURN 'a'::status IS NOT NULL;`,
      after: `${enumDdl(['a'])} CREATE FUNCTION h() RETURNS boolean LANGUAGE sql RETURN 'a'::status IS NOT NULL;`,
      message: /^function public\.h\(\) takes, returns or embeds enum public\.status/,
      minMajor: 14,
    },
    {
      name: 'a generated column reading the enum column',
      before: `${enumDdl(['a', 'b'])} CREATE TABLE t (s status, g boolean GENERATED ALWAYS AS (s IS NULL) STORED);`,
      after: `${enumDdl(['a'])} CREATE TABLE t (s status, g boolean GENERATED ALWAYS AS (s IS NULL) STORED);`,
      message: /^generated column public\.t\.g depends on enum public\.status, which this change rebuilds; PostgreSQL cannot convert it in place/,
    },
    {
      name: 'a foreign key between enum columns',
      before: `${enumDdl(['a', 'b'])} CREATE TABLE k (s status PRIMARY KEY); CREATE TABLE t (s status CONSTRAINT t_k REFERENCES k);`,
      after: `${enumDdl(['a'])} CREATE TABLE k (s status PRIMARY KEY); CREATE TABLE t (s status CONSTRAINT t_k REFERENCES k);`,
      message: /^foreign key t_k of public\.t uses enum public\.status/,
    },
    {
      name: 'a trigger whose WHEN reads the enum column',
      before: `${enumDdl(['a', 'b'])} CREATE TABLE t (s status); CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
               CREATE TRIGGER t_s BEFORE UPDATE ON t FOR EACH ROW WHEN (NEW.s IS DISTINCT FROM OLD.s) EXECUTE FUNCTION trg();`,
      after: `${enumDdl(['a'])} CREATE TABLE t (s status); CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
               CREATE TRIGGER t_s BEFORE UPDATE ON t FOR EACH ROW WHEN (NEW.s IS DISTINCT FROM OLD.s) EXECUTE FUNCTION trg();`,
      message: /^trigger t_s on public\.t reads a column of enum public\.status in its WHEN condition or column list/,
    },
    {
      name: 'same-named enums and a column naming one without a schema',
      before: "CREATE SCHEMA app; CREATE TYPE status AS ENUM ('a', 'b'); CREATE TYPE app.status AS ENUM ('a', 'b'); CREATE TABLE t (s status);",
      after: "CREATE SCHEMA app; CREATE TYPE status AS ENUM ('a', 'b'); CREATE TYPE app.status AS ENUM ('a'); CREATE TABLE t (s status);",
      message: /^enum app\.status shares its name with a type in another schema, and column public\.t\.s names its type without a schema \(status\)/,
    },
  ]
  for (const r of refusals) {
    it(`refuses at plan time: ${r.name}`, async (test) => {
      if (r.minMajor !== undefined && Number(/PostgreSQL (\d+)/.exec(pair.live.serverVersion)?.[1]) < r.minMajor) test.skip(`the case needs PostgreSQL ${r.minMajor} or later`)
      const { plan } = await planOf(r.before, r.after, r.name.startsWith('same-named') ? ['public', 'app'] : ['public'])
      let error: unknown
      try {
        plan()
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(UnsupportedChangeError)
      if (typeof r.message === 'string') expect((error as Error).message).toBe(r.message)
      else expect((error as Error).message).toMatch(r.message)
    })
  }

  it('routines that merely mention the type, by a parameter name or in a plain body, do not block it', async () => {
    const functions =
      "CREATE FUNCTION set_status(status text) RETURNS text LANGUAGE sql AS $$SELECT status$$;\n" +
      "CREATE FUNCTION first_draft() RETURNS int LANGUAGE plpgsql AS $$BEGIN RETURN (SELECT count(*) FROM t WHERE s = 'a'::status); END$$;"
    await roundTrip({
      before: `${enumDdl(['a', 'b'])} CREATE TABLE t (s status); ${functions}`,
      after: `${enumDdl(['a'])} CREATE TABLE t (s status); ${functions}`,
      seed: "INSERT INTO t VALUES ('a'), (NULL);",
      read: 'SELECT s::text, first_draft() AS n FROM t ORDER BY s',
    })
  })

  it('a function dropped by the same change is gone before the rebuild, so it does not block it', async () => {
    await roundTrip({
      before: `${enumDdl(['a', 'b'])} CREATE TABLE t (s status); CREATE FUNCTION f(x status) RETURNS int LANGUAGE sql AS 'SELECT 1';`,
      after: `${enumDdl(['a'])} CREATE TABLE t (s status);`,
      seed: "INSERT INTO t VALUES ('a'), (NULL);",
      read: 'SELECT s::text FROM t ORDER BY s',
    })
  })

  it('adding a label next to a domain keeps the ADD VALUE, with no down and the reason in its comment', async () => {
    const { plan } = await planOf(`${enumDdl(['a'])} CREATE DOMAIN d AS status;`, `${enumDdl(['a', 'b'])} CREATE DOMAIN d AS status;`)
    const [statement] = plan().statements
    expect(statement?.sql).toBe(`ALTER TYPE "public"."status" ADD VALUE 'b'`)
    expect(statement?.reverse).toEqual([])
    expect(statement?.risks).toEqual(['irreversible'])
    expect(statement?.comment).toMatch(/^add value b to enum public\.status \(the down cannot remove it: domain public\.d uses enum public\.status/)
  })

  it('views dropped and recreated by the same change are left to it', async () => {
    const schema = (labels: string, where: string) =>
      `CREATE TYPE status AS ENUM (${labels}); CREATE TABLE t (id int, s status); CREATE VIEW v AS SELECT id FROM t WHERE ${where};`
    const { plan } = await roundTrip({
      before: schema("'a', 'b', 'c'", "s = 'c'"),
      after: schema("'a', 'b'", "s = 'b'"),
      seed: "INSERT INTO t VALUES (1, 'a'), (2, 'b');",
      read: 'SELECT id, s::text FROM t ORDER BY id',
    })
    expect(plan.statements.filter((s) => /VIEW/.test(s.sql)).map((s) => s.sql.split('\n')[0])).toEqual(['DROP VIEW "public"."v"', 'CREATE VIEW "public"."v" AS'])
  })
})

describe('enum value losses without a live schema', () => {
  it('are empty for changes that are not enum changes, or without the current schema', () => {
    const empty: Schema = { tables: [], views: [], objects: [] }
    const object = { kind: 'enum' as const, schema: 'public', name: 's', definition: `CREATE TYPE "public"."s" AS ENUM ('a', 'b')` }
    const smaller = { ...object, definition: `CREATE TYPE "public"."s" AS ENUM ('a')` }
    expect(enumValueLosses({ kind: 'alterObject', from: object, to: smaller }, {})).toEqual([])
    expect(enumValueLosses({ kind: 'alterObject', from: object, to: smaller }, { current: empty })).toEqual([])
    expect(enumValueLosses({ kind: 'createObject', object }, { current: empty })).toEqual([])
  })
})
