import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseBackfillDirectives } from '../../src/backfill/directive.js'
import { runBackfill } from '../../src/backfill/run.js'
import type { Driver } from '../../src/dialects/dialect.js'
import type { MysqlDriver } from '../../src/dialects/mysql/index.js'
import { mysqlZeroDowntimeSql } from '../../src/dialects/mysql/zero-downtime.js'
import { postgresZeroDowntimeSql } from '../../src/dialects/postgres/zero-downtime.js'
import { diffSchemas } from '../../src/schema/diff.js'
import type { Schema } from '../../src/schema/model.js'
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
      expect(expand.up).toContain('-- Down: drops the sync triggers')
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
