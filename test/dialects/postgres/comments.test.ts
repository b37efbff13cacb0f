import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, pgAvailable } from '../../helpers/postgres.js'
import type { TestDatabase } from '../../helpers/postgres.js'
import { openPair, runCase } from './harness.js'
import type { Pair, PlanCase } from './harness.js'

const available = await pgAvailable()

const T = 'CREATE TABLE t (id integer CONSTRAINT t_pk PRIMARY KEY, code text CONSTRAINT t_code_key UNIQUE, n integer CONSTRAINT t_n_check CHECK (n > 0), p integer CONSTRAINT t_p_fkey REFERENCES t (id)); CREATE INDEX t_n_idx ON t (n);'
const SEED = "INSERT INTO t VALUES (1, 'ä', 5, NULL), (2, NULL, NULL, 1), (3, 'long ' || repeat('y', 2000), 2147483647, 2);"
const FN = 'CREATE FUNCTION add1(i integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT i + 1 $$;'
const TRIGGER = `${FN} CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$; CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();`
const TYPES = "CREATE TYPE mood AS ENUM ('ok', 'sad'); CREATE DOMAIN posint AS integer CHECK (VALUE > 0); CREATE SEQUENCE counter;"
const VIEW = 'CREATE VIEW v AS SELECT id FROM t;'
const RLS = 'ALTER TABLE t ENABLE ROW LEVEL SECURITY; CREATE POLICY everyone ON t USING (true);'
const ALL = `${T} ${TRIGGER} ${TYPES} ${VIEW} ${RLS} CREATE SCHEMA app;`

/** One COMMENT ON per object kind; the same objects without comments are the other side. */
const COMMENTS = [
  "COMMENT ON INDEX t_n_idx IS 'finds n'",
  "COMMENT ON CONSTRAINT t_pk ON t IS 'the key'",
  "COMMENT ON CONSTRAINT t_code_key ON t IS 'one per code'",
  "COMMENT ON CONSTRAINT t_n_check ON t IS 'positive ''n'''",
  "COMMENT ON CONSTRAINT t_p_fkey ON t IS 'parent'",
  "COMMENT ON FUNCTION add1(integer) IS 'adds one'",
  "COMMENT ON TRIGGER t_touch ON t IS 'touches'",
  "COMMENT ON TYPE mood IS 'how it feels'",
  "COMMENT ON DOMAIN posint IS 'above zero'",
  "COMMENT ON SEQUENCE counter IS 'counts'",
  "COMMENT ON VIEW v IS 'ids'",
  "COMMENT ON POLICY everyone ON t IS 'open'",
  "COMMENT ON SCHEMA app IS 'the app'",
].join('; ')

const cases: readonly PlanCase[] = [
  {
    name: 'comments added to every kind: only COMMENT ON statements, nothing rebuilt',
    before: ALL,
    after: `${ALL} ${COMMENTS};`,
    seed: SEED,
    schemas: ['public', 'app'],
  },
  {
    name: 'comments removed from every kind',
    before: `${ALL} ${COMMENTS};`,
    after: ALL,
    seed: SEED,
    schemas: ['public', 'app'],
  },
  {
    name: 'comments changed on every kind',
    before: `${ALL} ${COMMENTS};`,
    after: `${ALL} ${COMMENTS.replace(/IS '/g, "IS 'new: ")};`,
    seed: SEED,
    schemas: ['public', 'app'],
  },
  {
    name: 'objects created with their comments',
    before: '',
    after: `${ALL} ${COMMENTS};`,
    schemas: ['public', 'app'],
  },
  {
    name: 'objects dropped with their comments (down restores them)',
    before: `${ALL} ${COMMENTS};`,
    after: '',
    schemas: ['public', 'app'],
  },
]

describe.skipIf(!available)('postgres comments on every object kind', () => {
  let live: TestDatabase
  let target: TestDatabase
  let pair: Pair

  beforeAll(async () => {
    live = await createTestDatabase('mt_pg_comments')
    target = await createTestDatabase('mt_pg_comments')
    pair = await openPair(live.url, target.url)
  })

  afterAll(async () => {
    await pair?.live.close()
    await pair?.target.close()
    await live?.drop()
    await target?.drop()
  })

  for (const c of cases) {
    it(c.name, async () => {
      const plan = await runCase(pair, c)
      if (c.name.startsWith('comments ')) {
        // Comment changes alone: no index rebuilt, no constraint re-added, no object re-created.
        expect(plan.statements.map((s) => s.sql).filter((sql) => !sql.startsWith('COMMENT ON '))).toEqual([])
        expect(plan.statements).toHaveLength(13)
      }
    })
  }
})
