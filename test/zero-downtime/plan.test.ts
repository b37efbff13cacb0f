import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseBackfillDirectives } from '../../src/backfill/directive.js'
import { runBackfill } from '../../src/backfill/run.js'
import type { Driver } from '../../src/dialects/dialect.js'
import { detectFlavor } from '../../src/dialects/mysql/flavor.js'
import type { MysqlDriver } from '../../src/dialects/mysql/index.js'
import { mysqlZeroDowntimeSql } from '../../src/dialects/mysql/zero-downtime.js'
import { postgresZeroDowntimeSql } from '../../src/dialects/postgres/zero-downtime.js'
import { diffSchemas } from '../../src/schema/diff.js'
import type { Change } from '../../src/schema/changes.js'
import type { Column, Schema, Table } from '../../src/schema/model.js'
import type { ZeroDowntimeSql } from '../../src/zero-downtime/dialect-sql.js'
import { planZeroDowntime } from '../../src/zero-downtime/plan.js'
import type { PhaseFile } from '../../src/zero-downtime/plan.js'
import { MARIADB, POSTGRES, scalar } from '../backfill/databases.js'
import type { DatabaseKind, FreshDatabase } from '../backfill/databases.js'

const ROWS = 3000

const CURRENT = `
CREATE TABLE orgs (id integer PRIMARY KEY);
CREATE TABLE users (id integer PRIMARY KEY, org_id integer NOT NULL, email varchar(100) NOT NULL, score integer NOT NULL)`

// The declared target: email renamed, score widened, a NOT NULL column with a default, an index, a foreign key.
const TARGET: Record<string, string> = {
  postgres: `
CREATE TABLE orgs (id integer PRIMARY KEY);
CREATE TABLE users (id integer PRIMARY KEY, org_id integer NOT NULL REFERENCES orgs (id), email_address varchar(100) NOT NULL, score bigint NOT NULL,
  status varchar(20) NOT NULL DEFAULT 'active', token text NOT NULL DEFAULT md5(random()::text));
CREATE INDEX users_org_idx ON users (org_id)`,
  mariadb: `
CREATE TABLE orgs (id integer PRIMARY KEY);
CREATE TABLE users (id integer PRIMARY KEY, org_id integer NOT NULL, email_address varchar(100) NOT NULL, score bigint NOT NULL,
  status varchar(20) NOT NULL DEFAULT 'active', INDEX users_org_idx (org_id))`,
}

async function script(driver: Driver, sql: string): Promise<void> {
  for (const s of driver.splitStatements(sql)) await driver.db.exec(s.sql)
}

/** What `migrator up` will do with a phase file: its statements (one transaction unless no-transaction), then its backfills. */
async function applyFile(driver: Driver, text: string, noTransaction: boolean): Promise<void> {
  const statements = driver.splitStatements(text).map((s) => s.sql)
  if (noTransaction || !driver.capabilities.transactionalDdl) for (const sql of statements) await driver.db.exec(sql)
  else await driver.db.transaction(async (tx) => { for (const sql of statements) await tx.exec(sql) })
  for (const directive of parseBackfillDirectives(text, 'phase.up.sql')) await runBackfill(driver, directive.spec, directive.throttle)
}

for (const kind of [POSTGRES, MARIADB] as DatabaseKind[]) {
  const available = await kind.available()
  describe.skipIf(!available)(`expand/contract on ${kind.name}`, () => {
    let db: FreshDatabase
    let driver: Driver
    let sql: ZeroDowntimeSql
    let current: Schema
    let desired: Schema

    beforeAll(async () => {
      db = await kind.create('zdt')
      driver = db.driver
      sql = kind.name === 'postgres' ? postgresZeroDowntimeSql : mysqlZeroDowntimeSql((driver as MysqlDriver).flavor)
      await script(driver, CURRENT)
      await driver.db.exec(`INSERT INTO orgs (id) VALUES (1), (2), (3)`)
      const values = Array.from({ length: ROWS }, (_, i) => `(${i + 1}, ${(i % 3) + 1}, 'u${i + 1}@example.com', ${i * 10})`)
      await driver.db.exec(`INSERT INTO users (id, org_id, email, score) VALUES ${values.join(', ')}`)
      current = await driver.inspect()
      const scratch = await driver.openScratch()
      try {
        await script(scratch, TARGET[kind.name]!)
        const target = await scratch.inspect()
        // -- migrator:rename column users.email to email_address
        desired = {
          ...target,
          tables: target.tables.map((t) =>
            t.name !== 'users' ? t : { ...t, columns: t.columns.map((c) => (c.name === 'email_address' ? { ...c, renamedFrom: 'email' } : c)) },
          ),
        }
      } finally {
        await scratch.drop()
      }
    })
    afterAll(async () => {
      await db?.drop()
    })

    it('applies phase by phase with data preserved and writes synced, converging on the target', async () => {
      const { changes } = diffSchemas(current, desired, { capabilities: driver.capabilities })
      const plan = planZeroDowntime(changes, sql, { name: 'users', batch: 500 })
      const phases = plan.phases.map((p) => p.phase)
      expect(phases).toEqual(['expand', 'online', 'contract'])
      const [expand, online, contract] = plan.phases as [PhaseFile, PhaseFile, PhaseFile]
      expect(expand.up).toMatch(/^-- Zero-downtime phase 1 of 3: expand/)
      expect(expand.up).toContain('-- Before phase 2 (online):')
      expect(expand.up).toMatch(/^-- Down: copies back into renamed columns the values only the new columns hold .*, then drops the sync triggers/m)
      expect(expand.up).toMatch(/^-- migrator:backfill table=users (schema=public )?set=.* where=.* batch=500$/m)
      expect(online.up).toContain('-- Before phase 3 (contract): deploy application code that reads and writes only the new columns')
      if (kind.name === 'postgres') {
        expect(online.noTransaction).toBe(true)
        expect(online.up).toContain('CHECK ("email_address" IS NOT NULL) NOT VALID')
        expect(online.up).toContain('CREATE INDEX CONCURRENTLY "users_org_idx"')
        expect(online.up).toMatch(/FOREIGN KEY \("org_id"\) REFERENCES "public"."orgs" \("id"\) NOT VALID/)
        expect(plan.ordinary).toEqual([])
      } else {
        expect(expand.up).toContain("ADD COLUMN `status` varchar(20) NOT NULL DEFAULT 'active', ALGORITHM=INSTANT")
        expect(online.up).toContain('ADD INDEX `users_org_idx` (`org_id`), ALGORITHM=INPLACE, LOCK=NONE')
      }

      // Expand. Rows the old application writes meanwhile reach the new columns through the triggers.
      for (const change of plan.ordinary) for (const s of driver.plan([change], { current, desired }).statements) await driver.db.exec(s.sql)
      await applyFile(driver, expand.up, expand.noTransaction)
      await driver.db.exec(`INSERT INTO users (id, org_id, email, score) VALUES (${ROWS + 1}, 1, 'old-app@example.com', 7)`)
      await driver.db.exec(`UPDATE users SET email = 'changed@example.com' WHERE id = 1`)
      expect(await driver.db.query(`SELECT email_address, score__new FROM users WHERE id IN (1, ${ROWS + 1}) ORDER BY id`)).toEqual([
        { email_address: 'changed@example.com', score__new: kind.name === 'postgres' ? '0' : 0 },
        { email_address: 'old-app@example.com', score__new: kind.name === 'postgres' ? '7' : 7 },
      ])
      expect(await scalar(driver, `SELECT count(*) FROM users WHERE email_address IS NULL OR score__new IS NULL OR status IS NULL`)).toBe(0)

      // Online, then the new application writes only the new names; contract.
      await applyFile(driver, online.up, online.noTransaction)
      await driver.db.exec(`INSERT INTO users (id, org_id, email_address, score__new) VALUES (${ROWS + 2}, 2, 'new-app@example.com', 8)`)
      expect(await scalar(driver, `SELECT count(*) FROM users WHERE id = ${ROWS + 2} AND email = 'new-app@example.com' AND score = 8`)).toBe(1)
      await applyFile(driver, contract.up, contract.noTransaction)

      const live = await driver.inspect({ exclude: ['migrator_backfill'] })
      const rest = diffSchemas(live, { ...desired, tables: desired.tables.map((t) => ({ ...t, columns: t.columns.map(({ renamedFrom: _, ...c }) => c) })) }, { capabilities: driver.capabilities })
      expect(rest.changes).toEqual([])
      expect(await scalar(driver, `SELECT count(*) FROM users`)).toBe(ROWS + 2)
      expect(await scalar(driver, `SELECT count(*) FROM users WHERE id <= ${ROWS} AND id > 1 AND email_address = ${concat(kind.name, "'u'", 'id', "'@example.com'")} AND score = (id - 1) * 10`)).toBe(ROWS - 1)
      if (kind.name === 'postgres') expect(await scalar(driver, `SELECT count(DISTINCT token) FROM users`)).toBe(ROWS + 2)

      // Downs, newest first: the old shape comes back with its data.
      for (const phase of [contract, online, expand]) await applyFile(driver, phase.down, phase.noTransaction)
      const back = (await driver.inspect()).tables.find((t) => t.name === 'users')!
      expect(back.columns.map((c) => c.name).sort()).toEqual(['email', 'id', 'org_id', 'score'])
      expect(await scalar(driver, `SELECT count(*) FROM users WHERE id <= ${ROWS} AND id > 1 AND email = ${concat(kind.name, "'u'", 'id', "'@example.com'")} AND score = (id - 1) * 10`)).toBe(ROWS - 1)
    })
  })
}

function concat(kind: string, ...parts: string[]): string {
  return kind === 'postgres' ? parts.join(' || ') : `concat(${parts.join(', ')})`
}

/**
 * Columns with a DEFAULT (issue 9): had the new column its default in the expand phase, every
 * existing row would hold it there, the backfill (`WHERE new IS NULL`) would match nothing and the
 * contract would drop the only copy of the values.
 */
describe('expand/contract of columns with a default (planner only)', () => {
  const column = (name: string, type: string, extra: Partial<Column> = {}): Column => ({ name, type, nullable: true, ...extra })
  const table = (columns: Column[]): Table => ({
    schema: 'public', name: 'scores', columns: [column('id', 'integer', { nullable: false }), ...columns],
    primaryKey: { columns: ['id'] }, indexes: [], uniques: [], foreignKeys: [], checks: [], options: {},
  })
  const score = column('score', 'integer', { nullable: false, default: '7' })
  const points = { ...score, name: 'points' }
  const n = column('n', 'integer', { default: '5' })
  const wide = { ...n, type: 'bigint' }
  const change: Change = {
    kind: 'alterTable',
    from: table([score, n]),
    to: table([points, wide]),
    changes: [
      { kind: 'renameColumn', from: score, to: points },
      { kind: 'alterColumn', from: n, to: wide, aspects: ['type'] },
    ],
  }
  const dialects: [string, ZeroDowntimeSql, RegExp, string][] = [
    ['postgres', postgresZeroDowntimeSql, /ADD COLUMN "(points|n__new)" (integer|bigint)(?=;)/g, 'IS DISTINCT FROM'],
    ['mariadb', mysqlZeroDowntimeSql(detectFlavor('10.11.19-MariaDB')), /ADD COLUMN `(points|n__new)` (int|integer|bigint) NULL, ALGORITHM=INSTANT/g, '<=>'],
  ]
  for (const [name, sql, bareAdd, distinct] of dialects) {
    it(`${name}: adds the new columns without default, verifies the backfill, and sets the defaults only in the contract`, () => {
      const plan = planZeroDowntime([change], sql)
      expect(plan.ordinary).toEqual([])
      const [expand, online, contract] = plan.phases as [PhaseFile, PhaseFile, PhaseFile]
      expect(plan.phases.map((p) => p.phase)).toEqual(['expand', 'online', 'contract'])
      expect(expand.up.match(bareAdd)).toHaveLength(2)
      expect(expand.up).not.toMatch(/DEFAULT/)
      expect(online.up).not.toMatch(/DEFAULT/)
      expect(contract.up).toMatch(/DEFAULT 7/)
      expect(contract.up).toMatch(/DEFAULT 5/)
      // The default comes before the sync triggers go, so no INSERT meets the new column without either.
      expect(contract.up.indexOf('DEFAULT 7')).toBeLessThan(contract.up.indexOf('DROP TRIGGER'))
      // Every pre-existing row is walked by key; NULL sources are neither backfilled nor revisited; the result is verified.
      const specs = parseBackfillDirectives(expand.up, 'expand.up.sql').map((d) => d.spec)
      expect(specs).toHaveLength(2)
      for (const spec of specs) {
        expect(spec.where).toMatch(/IS NULL AND .* IS NOT NULL$/)
        expect(spec.verify).toContain(distinct)
        expect(spec.key).toBeUndefined()
      }
      // Rolling back the expand phase first copies what only the renamed column holds back to the old one.
      expect(expand.down.split('\n').find((l) => l.startsWith('UPDATE'))).toMatch(/SET .score. = .points. WHERE .points. IS NOT NULL AND /)
      // The contract's down restores the old columns' NOT NULL and takes the defaults back off the new ones.
      expect(contract.down).toMatch(/DROP DEFAULT/)
      expect(contract.down).toMatch(/`?"?score"?`? (SET NOT NULL|int(eger)? NOT NULL DEFAULT 7)/)
    })
  }

  it('the contract declares the dropped column kept in its copy, guarded; the expand down declares the copy kept in the original', () => {
    const [expand, , contract] = planZeroDowntime([change], postgresZeroDowntimeSql).phases as [PhaseFile, PhaseFile, PhaseFile]
    expect(contract.up).toContain('-- migrator:values-kept public.scores.score in points')
    expect(contract.up).toContain('-- migrator:check-before SELECT count(*) = 0 FROM "public"."scores" WHERE "score" IS NOT NULL AND "points" IS NULL')
    expect(contract.up).toContain('-- migrator:values-kept public.scores.n in n__new')
    expect(expand.down).toContain('-- migrator:values-kept public.scores.points in score')
    expect(expand.down).toContain('-- migrator:values-kept public.scores.n__new in n')
  })

  it('a type change that could lose values (the dialect reports losses) stays in the ordinary migration, with its guards', () => {
    const plan = planZeroDowntime([change], postgresZeroDowntimeSql, {
      valueLosses: () => [{ table: 'public.t', column: 'n', from: '"public"."t"', where: '"n" > 2147483647', reason: 'outside the integer range' }],
    })
    expect(plan.ordinary).toEqual([{ ...change, changes: [change.changes[1]] }])
    expect(plan.phases.map((p) => p.up).join('\n')).not.toContain('n__new')
  })

  it('postgres: json has no equality operator, so the sync trigger and the verification compare its text', () => {
    const doc = column('doc', 'json', { default: "'{}'::json" })
    const body = { ...doc, name: 'body' }
    const plan = planZeroDowntime([{ kind: 'alterTable', from: table([doc]), to: table([body]), changes: [{ kind: 'renameColumn', from: doc, to: body }] }], postgresZeroDowntimeSql)
    const expand = plan.phases[0]!
    expect(expand.up).toContain('ELSIF CAST(NEW."doc" AS text) IS DISTINCT FROM CAST(OLD."doc" AS text) THEN')
    expect(parseBackfillDirectives(expand.up, 'expand.up.sql')[0]?.spec.verify).toBe('CAST("body" AS text) IS DISTINCT FROM CAST("doc" AS text)')
  })
})
