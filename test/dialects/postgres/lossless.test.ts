import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { diff } from '../../../src/api/diff.js'
import { down, up } from '../../../src/api/migrate.js'
import type { ResolvedConfig } from '../../../src/config/schema.js'
import { open } from '../../../src/dialects/postgres/index.js'
import { guardOf } from '../../../src/schema/plan.js'
import { createTestDatabase, pgAvailable } from '../../helpers/postgres.js'
import type { TestDatabase } from '../../helpers/postgres.js'

const available = await pgAvailable()

/**
 * A narrowing type change of column `c` of `t (id integer PRIMARY KEY, c <from>)`. `rows` are SQL
 * literals by id; `lost` the ids whose value the new type cannot keep exactly.
 */
interface Narrowing {
  readonly from: string
  readonly to: string
  readonly rows: Readonly<Record<number, string>>
  readonly lost: readonly number[]
  /** The forward type-change statement, exactly. */
  readonly sql: string
  /**
   * The type both sides are compared in after the migration and after its down (default: `from`):
   * text → number compares numbers ('1e2' is kept as 100), text → boolean booleans.
   */
  readonly compareAs?: string
}

const ALTER = 'ALTER TABLE "public"."t" ALTER COLUMN "c" TYPE'

const CASES: readonly Narrowing[] = [
  {
    from: 'text',
    to: 'varchar(3)',
    rows: { 1: "'abc'", 2: "'hello'", 3: "'ab  '", 4: "'ñäé'", 5: "'日本語x'", 6: "''", 7: 'NULL', 8: "'ab'", 9: "'🙂🙂🙂'" },
    lost: [2, 3, 5],
    sql: `${ALTER} character varying(3)`,
  },
  {
    from: 'varchar(10)',
    to: 'char(3)',
    rows: { 1: "'abc'", 2: "'ab'", 3: "'abcd'", 4: "'abc '", 5: "'ü'", 6: 'NULL', 7: "'日本語'", 8: "'0123456789'" },
    lost: [3, 4, 8],
    sql: `${ALTER} character(3)`,
  },
  {
    from: 'numeric(10,4)',
    to: 'numeric(10,2)',
    rows: { 1: '1.5', 2: '1.2345', 3: '-0.005', 4: '123456.78', 5: '0', 6: 'NULL', 7: "'NaN'", 8: '999999.9999', 9: '-999999.99', 10: '0.0001' },
    lost: [2, 3, 8, 10],
    sql: `${ALTER} numeric(10,2)`,
  },
  {
    from: 'numeric(10,2)',
    to: 'numeric(4,2)',
    rows: { 1: '99.99', 2: '-99.99', 3: '100', 4: '12345678.9', 5: 'NULL', 6: "'NaN'", 7: '0.01', 8: '-100.00' },
    lost: [3, 4, 8],
    sql: `${ALTER} numeric(4,2)`,
  },
  {
    from: 'bigint',
    to: 'integer',
    rows: { 1: '2147483647', 2: '-2147483648', 3: '2147483648', 4: '-9223372036854775808', 5: '0', 6: 'NULL', 7: '9223372036854775807', 8: '-2147483649' },
    lost: [3, 4, 7, 8],
    sql: `${ALTER} integer`,
  },
  {
    from: 'integer',
    to: 'smallint',
    rows: { 1: '32767', 2: '-32768', 3: '32768', 4: '-32769', 5: 'NULL', 6: '2147483647', 7: '-2147483648', 8: '7' },
    lost: [3, 4, 6, 7],
    sql: `${ALTER} smallint`,
  },
  {
    from: 'double precision',
    to: 'integer',
    rows: {
      1: '1.0', 2: '1.5', 3: '2.5', 4: '2147483647', 5: '2147483648', 6: "'NaN'", 7: "'Infinity'", 8: '1e10', 9: 'NULL',
      10: '-2147483648', 11: '-2147483648.5', 12: '0.000001', 13: "'-Infinity'",
    },
    lost: [2, 3, 5, 6, 7, 8, 11, 12, 13],
    sql: `${ALTER} integer`,
  },
  {
    from: 'numeric',
    to: 'integer',
    rows: { 1: '42', 2: '42.000', 3: '42.5', 4: '-42.5', 5: '10000000000', 6: "'NaN'", 7: 'NULL', 8: '0.0000001', 9: '-2147483648', 10: '2147483647.4' },
    lost: [3, 4, 5, 6, 8, 10],
    sql: `${ALTER} integer`,
  },
  {
    from: 'double precision',
    to: 'real',
    rows: {
      1: '0.5', 2: '0.1', 3: '1e39', 4: '1e-46', 5: '16777216', 6: '16777217', 7: "'NaN'", 8: "'Infinity'", 9: "'-Infinity'",
      10: '3.4028234663852886e38', 11: 'NULL', 12: '1.401298464324817e-45', 13: '-1e300', 14: '0',
    },
    lost: [2, 3, 4, 6, 13],
    sql: `${ALTER} real`,
  },
  {
    from: 'bigint',
    to: 'double precision',
    rows: { 1: '9007199254740992', 2: '9007199254740993', 3: '-9223372036854775808', 4: '9223372036854775807', 5: 'NULL', 6: '-9007199254740993', 7: '42' },
    lost: [2, 4, 6],
    sql: `${ALTER} double precision`,
  },
  {
    from: 'timestamp(6)',
    to: 'timestamp(0)',
    rows: {
      1: "'2024-01-05 13:45:00'", 2: "'2024-01-05 13:45:00.5'", 3: "'2024-01-05 13:45:00.000001'", 4: "'infinity'", 5: "'-infinity'", 6: 'NULL',
      7: "'1999-12-31 23:59:59.999999'", 8: "'4713-01-01 00:00:00 BC'",
    },
    lost: [2, 3, 7],
    sql: `${ALTER} timestamp(0) without time zone`,
  },
  {
    from: 'timestamptz',
    to: 'date',
    rows: {
      1: "'2024-01-05 00:00:00+00'", 2: "'2024-01-05 13:45:00+00'", 3: "'2024-01-05 00:00:00+05'", 4: "'infinity'", 5: 'NULL',
      6: "'2024-01-05 00:00:00.000001+00'", 7: "'-infinity'",
    },
    lost: [2, 3, 6],
    sql: `${ALTER} date`,
  },
  {
    from: 'text',
    to: 'integer',
    rows: {
      1: "'42'", 2: "'-7'", 3: "'0'", 4: "'2147483647'", 5: "'2147483648'", 6: "'007'", 7: "'abc'", 8: "'1.5'", 9: "''", 10: "' 8'",
      11: "'+8'", 12: "'-0'", 13: 'NULL', 14: "'٣'", 15: "'-2147483648'", 16: "'99999999999999999999999'",
    },
    lost: [5, 6, 7, 8, 9, 10, 11, 12, 14, 16],
    sql: `${ALTER} integer USING "c"::integer`,
  },
  {
    from: 'text',
    to: 'numeric(6,2)',
    rows: { 1: "'12.5'", 2: "'1234.56'", 3: "'12345'", 4: "'1.005'", 5: "'abc'", 6: "'007.5'", 7: "'NaN'", 8: 'NULL', 9: "'-0.5'", 10: "'1e2'" },
    lost: [3, 4, 5, 6],
    sql: `${ALTER} numeric(6,2) USING "c"::numeric(6,2)`,
    compareAs: 'numeric',
  },
  {
    from: 'integer',
    to: 'varchar(3)',
    rows: { 1: '123', 2: '1234', 3: '-12', 4: '-123', 5: 'NULL' },
    lost: [2, 4],
    sql: `${ALTER} character varying(3)`,
  },
  {
    from: 'text',
    to: 'boolean',
    rows: { 1: "'true'", 2: "'f'", 3: "' yes '", 4: "'o'", 5: "'maybe'", 6: 'NULL', 7: "'OFF'", 8: "'2'" },
    lost: [4, 5, 8],
    sql: `${ALTER} boolean USING "c"::boolean`,
    compareAs: 'boolean',
  },
]

describe.skipIf(!available)('PostgreSQL: generated type changes never convert lossily', () => {
  let db: TestDatabase
  let client: pg.Client
  let work: string
  let config: ResolvedConfig

  beforeAll(async () => {
    db = await createTestDatabase('mt_pg_lossless')
    client = new pg.Client({ connectionString: db.url.raw })
    await client.connect()
    // The runner's sessions convert timestamptz → date in the database's time zone; pin it.
    await client.query(`ALTER DATABASE "${db.name}" SET timezone = 'UTC'`)
  })
  afterAll(async () => {
    await client?.end()
    if (work !== undefined) await rm(work, { recursive: true, force: true })
    await db?.drop()
  })
  beforeEach(async () => {
    await client.query('DROP SCHEMA IF EXISTS public CASCADE; DROP SCHEMA IF EXISTS snap CASCADE; CREATE SCHEMA public; CREATE SCHEMA snap')
    if (work !== undefined) await rm(work, { recursive: true, force: true })
    work = await mkdtemp(path.join(os.tmpdir(), 'migrator-pg-lossless-'))
    await mkdir(path.join(work, 'migrations'))
    config = {
      cwd: work, url: db.url.raw, dir: path.join(work, 'migrations'), target: path.join(work, 'schema.sql'), schemas: ['public'],
      historyTable: 'migrator_history', lockTimeoutMs: 5000, lockWaitMs: 10_000,
    }
  })

  async function rows(sql: string): Promise<Record<string, unknown>[]> {
    return (await client.query(sql)).rows
  }

  /** Every row's value as text, and the column's type: what a failed migration must leave as it was. */
  async function snapshot(): Promise<{ type: unknown; values: unknown }> {
    return {
      type: await rows("SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = 'public.t'::regclass AND attname = 'c'"),
      values: await rows('SELECT id, c::text AS c FROM public.t ORDER BY id'),
    }
  }

  /** Rows of public.t whose value differs from the copy in snap.t once cast back to `type` (or is missing on one side). */
  async function changedRows(type: string): Promise<unknown[]> {
    return rows(
      `SELECT coalesce(a.id, b.id) AS id, a.c::text AS now, b.c::text AS was FROM public.t a FULL JOIN snap.t b USING (id)
        WHERE a.id IS NULL OR b.id IS NULL OR a.c::${type} IS DISTINCT FROM b.c::${type} OR (a.c IS NULL) <> (b.c IS NULL) ORDER BY 1`,
    )
  }

  async function setUp(c: Narrowing, ids: readonly number[]): Promise<void> {
    await client.query(`CREATE TABLE public.t (id integer PRIMARY KEY, c ${c.from})`)
    for (const id of ids) await client.query(`INSERT INTO public.t VALUES (${id}, ${c.rows[id]!})`)
    await client.query('CREATE TABLE snap.t AS SELECT * FROM public.t')
    await writeFile(config.target!, `CREATE TABLE t (id integer PRIMARY KEY, c ${c.to});\n`)
  }

  for (const c of CASES) {
    it(`${c.from} → ${c.to}: guards count exactly the rows that do not fit; up fails with them and keeps every value, applies without them`, async () => {
      const ids = Object.keys(c.rows).map(Number)
      await setUp(c, ids)
      const outcome = await diff(config, { name: 'narrow' })
      const typeChange = outcome.plan.statements.filter((s) => s.comment.startsWith('change type of'))
      expect(typeChange.map((s) => s.sql)).toEqual([c.sql])
      // (a) the losses the driver reports match exactly the non-fitting rows, and each is a guard of the file.
      const driver = await open(db.url)
      try {
        const current = await driver.inspect({ schemas: ['public'] })
        const losses = outcome.changes.flatMap((change) => driver.valueLosses(change, { current }))
        expect(losses.length).toBeGreaterThan(0)
        for (const loss of losses) {
          expect(loss).toMatchObject({ table: 'public.t', column: 'c', from: '"public"."t"' })
          expect(outcome.up).toContain(`-- migrator:check-before ${guardOf(loss)}\n`)
        }
        const matched = await rows(`SELECT id FROM public.t WHERE ${losses.map((l) => `(${l.where})`).join(' OR ')} ORDER BY id`)
        expect(matched.map((r) => r.id)).toEqual([...c.lost])
        expect(typeChange[0]!.guards).toEqual(losses.map(guardOf))
      } finally {
        await driver.close()
      }

      // (b) with the non-fitting rows, up fails on a guard and every value stays. Consent and lint
      // are overridden, so nothing but the migration's own guards stands in the way.
      const before = await snapshot()
      const failed = await up(config, { force: true, allowDataLoss: true })
      expect(failed.error?.message).toMatch(/check-before `SELECT count\(\*\) = 0 FROM "public"\."t" WHERE .*` failed/)
      expect(await snapshot()).toEqual(before)

      // (c) with only fitting rows it applies and every value is kept; the down restores them exactly.
      const lost = c.lost.join(', ')
      await client.query(`DELETE FROM public.t WHERE id IN (${lost}); DELETE FROM snap.t WHERE id IN (${lost})`)
      const kept = await snapshot()
      const applied = await up(config)
      expect(applied.error).toBeUndefined()
      expect(await changedRows(c.compareAs ?? c.from)).toEqual([])
      const reverted = await down(config)
      expect(reverted.error).toBeUndefined()
      expect((await snapshot()).type).toEqual(kept.type)
      expect(await changedRows(c.compareAs ?? c.from)).toEqual([])
    })
  }

  it('widening changes carry no guard and no USING, and neither do their downs', async () => {
    await setUp({ from: 'varchar(3)', to: 'text', rows: { 1: "'abc'" }, lost: [], sql: '' }, [1])
    const outcome = await diff(config, { dryRun: true })
    const typeChange = outcome.plan.statements.filter((s) => s.comment.startsWith('change type of'))
    expect(typeChange.map((s) => [s.sql, s.reverse, s.guards])).toEqual([[`${ALTER} text`, [`${ALTER} character varying(3)`], undefined]])
    expect(outcome.up).not.toContain('check-before')
  })

  it('a renamed and narrowed column is guarded under its old name (guards run before the rename)', async () => {
    await client.query("CREATE TABLE public.t (id integer PRIMARY KEY, old_c text); INSERT INTO public.t VALUES (1, 'abc'), (2, 'hello')")
    await writeFile(config.target!, '-- migrator:rename column t.old_c to c\nCREATE TABLE t (id integer PRIMARY KEY, c varchar(3));\n')
    const outcome = await diff(config, { name: 'rename' })
    expect(outcome.up).toContain('-- migrator:check-before SELECT count(*) = 0 FROM "public"."t" WHERE char_length("old_c") > 3\n')
    const failed = await up(config, { force: true, allowDataLoss: true })
    expect(failed.error?.message).toMatch(/check-before .* failed/)
    expect(await rows('SELECT id, old_c FROM public.t ORDER BY id')).toEqual([{ id: 1, old_c: 'abc' }, { id: 2, old_c: 'hello' }])
    await client.query('DELETE FROM public.t WHERE id = 2')
    expect((await up(config)).error).toBeUndefined()
    expect(await rows('SELECT id, c FROM public.t ORDER BY id')).toEqual([{ id: 1, c: 'abc' }])
  })
})
