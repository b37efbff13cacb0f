import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { createTestDatabase, pgAvailable, PG_URL } from '../../helpers/postgres.js'
import type { TestDatabase } from '../../helpers/postgres.js'
import { openPair, runCase } from './harness.js'
import type { Pair, PlanCase } from './harness.js'

const available = await pgAvailable()

/** Roles are cluster-wide: unique names per run, created before and dropped after. */
const suffix = randomBytes(4).toString('hex')
const READER = `mt_reader_${suffix}`
const WRITER = `mt_writer_${suffix}`

const T = 'CREATE TABLE docs (id integer PRIMARY KEY, owner text NOT NULL, body text, published boolean NOT NULL DEFAULT false);'
const SEED = "INSERT INTO docs VALUES (1, 'ann', 'ünïcødé 🙂', true), (2, 'bob', NULL, false), (3, 'ann', repeat('x', 3000), false);"
const RLS = `${T} ALTER TABLE docs ENABLE ROW LEVEL SECURITY;`
const OWN = `CREATE POLICY own ON docs FOR SELECT TO ${READER} USING (owner = current_user);`
const Q = '"public"."docs"'

/** Row-level security cases: each goes current → desired → second diff empty → reverse → current, rows kept. */
const cases: readonly PlanCase[] = [
  { name: 'enable row level security', before: T, after: RLS, seed: SEED, sql: [`ALTER TABLE ${Q} ENABLE ROW LEVEL SECURITY`] },
  { name: 'disable row level security', before: RLS, after: T, seed: SEED, sql: [`ALTER TABLE ${Q} DISABLE ROW LEVEL SECURITY`] },
  {
    name: 'force row level security',
    before: RLS,
    after: `${RLS} ALTER TABLE docs FORCE ROW LEVEL SECURITY;`,
    seed: SEED,
    sql: [`ALTER TABLE ${Q} FORCE ROW LEVEL SECURITY`],
  },
  {
    name: 'new table with row level security and a policy',
    before: '',
    after: `${RLS} ${OWN}`,
    sql: [
      `CREATE TABLE ${Q} (\n  "id" integer NOT NULL,\n  "owner" text NOT NULL,\n  "body" text,\n  "published" boolean DEFAULT false NOT NULL,\n  CONSTRAINT "docs_pkey" PRIMARY KEY ("id")\n)`,
      `ALTER TABLE ${Q} ENABLE ROW LEVEL SECURITY`,
      `CREATE POLICY "own" ON ${Q} AS PERMISSIVE FOR SELECT TO ${READER} USING ((owner = CURRENT_USER))`,
    ],
  },
  {
    name: 'create policy: USING and WITH CHECK, several roles, restrictive',
    before: RLS,
    after: `${RLS} CREATE POLICY "Writers only" ON docs AS RESTRICTIVE FOR UPDATE TO ${WRITER}, ${READER} USING (owner = current_user) WITH CHECK (published OR body IS NOT NULL);`,
    seed: SEED,
    sql: [
      `CREATE POLICY "Writers only" ON ${Q} AS RESTRICTIVE FOR UPDATE TO ${[READER, WRITER].sort().join(', ')} USING ((owner = CURRENT_USER)) WITH CHECK ((published OR (body IS NOT NULL)))`,
    ],
  },
  {
    name: 'create policy for every command to PUBLIC',
    before: RLS,
    after: `${RLS} CREATE POLICY everyone ON docs USING (published);`,
    seed: SEED,
    sql: [`CREATE POLICY "everyone" ON ${Q} AS PERMISSIVE FOR ALL TO PUBLIC USING (published)`],
  },
  {
    name: 'insert policy with only WITH CHECK',
    before: RLS,
    after: `${RLS} CREATE POLICY ins ON docs FOR INSERT TO ${WRITER} WITH CHECK (owner = current_user);`,
    seed: SEED,
    sql: [`CREATE POLICY "ins" ON ${Q} AS PERMISSIVE FOR INSERT TO ${WRITER} WITH CHECK ((owner = CURRENT_USER))`],
  },
  { name: 'drop policy', before: `${RLS} ${OWN}`, after: RLS, seed: SEED, sql: [`DROP POLICY "own" ON ${Q}`] },
  {
    name: 'policy USING and roles changed in place',
    before: `${RLS} ${OWN}`,
    after: `${RLS} CREATE POLICY own ON docs FOR SELECT TO ${READER}, ${WRITER} USING (owner = current_user OR published);`,
    seed: SEED,
    sql: [`ALTER POLICY "own" ON ${Q} TO ${[READER, WRITER].sort().join(', ')} USING (((owner = CURRENT_USER) OR published))`],
  },
  {
    name: 'policy command changed: drop and create',
    before: `${RLS} ${OWN}`,
    after: `${RLS} CREATE POLICY own ON docs FOR DELETE TO ${READER} USING (owner = current_user);`,
    seed: SEED,
    sql: [`DROP POLICY "own" ON ${Q}`, `CREATE POLICY "own" ON ${Q} AS PERMISSIVE FOR DELETE TO ${READER} USING ((owner = CURRENT_USER))`],
  },
  {
    name: 'policy made restrictive: drop and create',
    before: `${RLS} ${OWN}`,
    after: `${RLS} CREATE POLICY own ON docs AS RESTRICTIVE FOR SELECT TO ${READER} USING (owner = current_user);`,
    seed: SEED,
    sql: [`DROP POLICY "own" ON ${Q}`, `CREATE POLICY "own" ON ${Q} AS RESTRICTIVE FOR SELECT TO ${READER} USING ((owner = CURRENT_USER))`],
  },
  {
    name: 'policy WITH CHECK removed: drop and create',
    before: `${RLS} CREATE POLICY upd ON docs FOR UPDATE USING (true) WITH CHECK (published);`,
    after: `${RLS} CREATE POLICY upd ON docs FOR UPDATE USING (true);`,
    seed: SEED,
    sql: [`DROP POLICY "upd" ON ${Q}`, `CREATE POLICY "upd" ON ${Q} AS PERMISSIVE FOR UPDATE TO PUBLIC USING (true)`],
  },
  {
    name: 'policy calling a function created in the same migration',
    before: RLS,
    after: `${RLS} CREATE FUNCTION is_owner(o text) RETURNS boolean LANGUAGE sql STABLE AS $$ SELECT o = current_user $$; CREATE POLICY fn ON docs USING (is_owner(owner));`,
    seed: SEED,
  },
  {
    name: 'policies on a table in another schema',
    before: 'CREATE SCHEMA app;',
    after: `CREATE SCHEMA app; CREATE TABLE app.notes (id integer PRIMARY KEY, who text); ALTER TABLE app.notes ENABLE ROW LEVEL SECURITY; ALTER TABLE app.notes FORCE ROW LEVEL SECURITY; CREATE POLICY mine ON app.notes TO ${READER} USING (who = current_user);`,
    schemas: ['public', 'app'],
  },
]

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

describe.skipIf(!available)('postgres row-level security: inspect, diff, plan with reverse, apply', () => {
  let live: TestDatabase
  let target: TestDatabase
  let pair: Pair

  beforeAll(async () => {
    await admin(`CREATE ROLE ${READER} NOLOGIN; CREATE ROLE ${WRITER} NOLOGIN`)
    live = await createTestDatabase('mt_pg_rls')
    target = await createTestDatabase('mt_pg_rls')
    pair = await openPair(live.url, target.url)
  })

  afterAll(async () => {
    await pair?.live.close()
    await pair?.target.close()
    await live?.drop()
    await target?.drop()
    await admin(`DROP ROLE IF EXISTS ${READER}; DROP ROLE IF EXISTS ${WRITER}`)
  })

  for (const c of cases) {
    it(c.name, async () => {
      await runCase(pair, c)
    })
  }
})
