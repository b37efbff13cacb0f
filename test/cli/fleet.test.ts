import Database from 'better-sqlite3'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase as createMysqlDatabase, mysqlReachable, type TestDatabase as MysqlDatabase } from '../helpers/mysql.js'
import { createTestDatabase as createPgDatabase, pgAvailable, type TestDatabase as PgDatabase } from '../helpers/postgres.js'
import { tempProject, type TempProject } from './helpers.js'

const available = (await pgAvailable()) && (await mysqlReachable())

const V1 = '20240101000000'
const V2 = '20240102000000'
const LONG = 'x'.repeat(300)
const TENANTS = Array.from({ length: 50 }, (_, i) => `tenant_${String(i + 1).padStart(2, '0')}`)
/** A tenant whose data makes the second migration fail (a bigint overflow), until it is fixed. */
const BROKEN = 'tenant_03'

/** The same two portable migrations on every target; the second computes from the rows. */
const MIGRATIONS = {
  [`migrations/${V1}_items.up.sql`]:
    'CREATE TABLE items (id integer PRIMARY KEY, name varchar(300) NOT NULL, qty bigint, note varchar(200));\n' +
    `INSERT INTO items (id, name, qty, note) VALUES (1, 'één ☃ 漢字', 9223372036854775807, NULL), (2, '${LONG}', -9223372036854775808, 'n'), (3, 'plain', 21, '');\n`,
  [`migrations/${V1}_items.down.sql`]: 'DROP TABLE items;\n',
  [`migrations/${V2}_total.up.sql`]: 'ALTER TABLE items ADD COLUMN total bigint;\nUPDATE items SET total = qty * 2 WHERE id >= 3;\n',
  [`migrations/${V2}_total.down.sql`]: 'ALTER TABLE items DROP COLUMN total;\n',
}

interface FleetJson {
  readonly total: number
  readonly ok: number
  readonly findings: number
  readonly failed: number
  readonly notRun: number
  readonly targets: readonly { readonly target: string; readonly status: string; readonly versionBefore?: string; readonly versionAfter?: string; readonly detail: string; readonly error?: { readonly message: string } }[]
}

/**
 * One fleet of 270 targets through the built CLI: 50 PostgreSQL tenant schemas of one database, 20
 * MariaDB databases and 200 SQLite files, listed in one --targets file. One tenant holds a row the
 * second migration cannot compute with; everything else is healthy.
 */
describe.skipIf(!available)('fleets through the built CLI', () => {
  let project: TempProject
  let pgDatabase: PgDatabase
  let pgClient: pg.Client
  const mysqlDatabases: MysqlDatabase[] = []
  const sqliteFiles = Array.from({ length: 200 }, (_, i) => `db/tenant-${i}.db`)
  const tenantUrl = (schema: string) => `${pgDatabase.url.raw}?search_path=${schema}`
  const fleet = (args: readonly string[]) => project.run(['--json', ...args, '--targets', 'fleet.txt'])
  const parse = (stdout: string) => JSON.parse(stdout) as FleetJson
  const entry = (report: FleetJson, target: string) => report.targets.find((t) => t.target === target)

  beforeAll(async () => {
    project = tempProject(MIGRATIONS)
    expect((await project.run(['hash'])).code).toBe(0)
    pgDatabase = await createPgDatabase('mt_fleet')
    pgClient = new pg.Client({ connectionString: pgDatabase.url.raw })
    await pgClient.connect()
    for (const schema of [...TENANTS, 'other']) await pgClient.query(`CREATE SCHEMA ${schema}`)
    for (let i = 0; i < 20; i++) mysqlDatabases.push(await createMysqlDatabase('fleet'))
    project.write(
      'fleet.txt',
      [
        '# tenants, then the MariaDB databases, then the SQLite files',
        ...TENANTS.map(tenantUrl),
        '',
        ...mysqlDatabases.map((d) => d.url.raw),
        ...sqliteFiles.map((f) => `sqlite:./${f}`),
      ].join('\n'),
    )
    project.write('db/.keep', '')
  }, 300_000)

  afterAll(async () => {
    await pgClient?.end()
    await pgDatabase?.drop()
    for (const d of mysqlDatabases) await d.drop()
    project?.remove()
  }, 300_000)

  const sqliteRows = (file: string) => {
    const db = new Database(`${project.dir}/${file}`, { readonly: true })
    try {
      return {
        versions: (db.prepare('SELECT version FROM migrator_history ORDER BY version').all() as { version: string }[]).map((r) => r.version),
        items: db.prepare('SELECT * FROM items ORDER BY id').safeIntegers(true).all() as Record<string, unknown>[],
      }
    } finally {
      db.close()
    }
  }

  it('applies the first migration everywhere; a canary fails on the broken tenant and stops everything else', { timeout: 900_000 }, async () => {
    const first = await fleet(['up', '--to', V1, '--concurrency', '8'])
    expect(first.code, first.stderr).toBe(0)
    const applied = parse(first.stdout)
    expect(applied).toMatchObject({ total: 270, ok: 270, failed: 0, notRun: 0 })
    expect(new Set(applied.targets.map((t) => t.versionAfter))).toEqual(new Set([V1]))
    // A target's password never shows; the tenant targets are the URLs bound to their schema.
    expect(applied.targets[0]!.target).toBe(`${pgDatabase.url.redacted}?search_path=tenant_01`)

    await pgClient.query(`INSERT INTO ${BROKEN}.items (id, name, qty) VALUES (99, 'too big to double', 9223372036854775807)`)
    const canary = await fleet(['up', '--canary', '5'])
    expect(canary.code).toBe(1)
    const report = parse(canary.stdout)
    expect(report.failed).toBe(1)
    expect(entry(report, `${pgDatabase.url.redacted}?search_path=${BROKEN}`)).toMatchObject({ status: 'failed', versionBefore: V1, versionAfter: V1 })
    expect(entry(report, `${pgDatabase.url.redacted}?search_path=${BROKEN}`)?.error?.message).toMatch(/out of range/)
    expect(report.notRun).toBeGreaterThanOrEqual(265)
    expect(report.targets.slice(5).every((t) => t.status === 'not-run')).toBe(true)
    expect(canary.stderr).toMatch(new RegExp(`error: .*search_path=${BROKEN}: .*out of range`))
    // Nothing past the canaries was touched, and the broken tenant rolled back whole.
    expect(sqliteRows(sqliteFiles[199]!).versions).toEqual([V1])
    const column = await pgClient.query(`SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'items' AND column_name = 'total'`, [BROKEN])
    expect(column.rowCount).toBe(0)
  })

  it('--continue-on-error finishes the other 269 and reports the one; status --check finds it', { timeout: 900_000 }, async () => {
    const run = await fleet(['up', '--continue-on-error', '--concurrency', '8'])
    expect(run.code).toBe(1)
    const report = parse(run.stdout)
    expect(report).toMatchObject({ total: 270, ok: 269, failed: 1, notRun: 0 })
    expect(report.targets.filter((t) => t.status === 'failed').map((t) => t.target)).toEqual([`${pgDatabase.url.redacted}?search_path=${BROKEN}`])

    // The data landed on every kind of target, values intact.
    expect(sqliteRows(sqliteFiles[150]!)).toEqual({
      versions: [V1, V2],
      items: [
        { id: 1n, name: 'één ☃ 漢字', qty: 9223372036854775807n, note: null, total: null },
        { id: 2n, name: LONG, qty: -9223372036854775808n, note: 'n', total: null },
        { id: 3n, name: 'plain', qty: 21n, note: '', total: 42n },
      ],
    })
    const tenant = await pgClient.query('SELECT id, name, qty::text, note, total::text FROM tenant_42.items ORDER BY id')
    expect(tenant.rows).toEqual([
      { id: 1, name: 'één ☃ 漢字', qty: '9223372036854775807', note: null, total: null },
      { id: 2, name: LONG, qty: '-9223372036854775808', note: 'n', total: null },
      { id: 3, name: 'plain', qty: '21', note: '', total: '42' },
    ])
    // Each tenant has its own history; the public schema has none.
    const histories = await pgClient.query("SELECT table_schema FROM information_schema.tables WHERE table_name = 'migrator_history' ORDER BY 1")
    expect(histories.rows.map((r: { table_schema: string }) => r.table_schema)).toEqual(TENANTS)
    const maria = mysqlDatabases[7]!.driver
    const rows = await maria.db.query<Record<string, unknown>>('SELECT id, name, CAST(qty AS CHAR) AS qty, note, CAST(total AS CHAR) AS total FROM items ORDER BY id')
    expect(rows).toEqual([
      { id: 1, name: 'één ☃ 漢字', qty: '9223372036854775807', note: null, total: null },
      { id: 2, name: LONG, qty: '-9223372036854775808', note: 'n', total: null },
      { id: 3, name: 'plain', qty: '21', note: '', total: '42' },
    ])

    const status = await fleet(['status', '--check'])
    expect(status.code, status.stderr).toBe(2)
    const found = parse(status.stdout)
    expect(found).toMatchObject({ total: 270, ok: 269, findings: 1, failed: 0 })
    expect(entry(found, `${pgDatabase.url.redacted}?search_path=${BROKEN}`)).toMatchObject({ status: 'findings', detail: '1 pending' })
  })

  it('after the data is fixed, rerunning the same command completes the fleet', { timeout: 900_000 }, async () => {
    await pgClient.query(`UPDATE ${BROKEN}.items SET qty = 7 WHERE id = 99`)
    const rerun = await fleet(['up', '--continue-on-error', '--concurrency', '8'])
    expect(rerun.code, rerun.stderr).toBe(0)
    const report = parse(rerun.stdout)
    expect(report).toMatchObject({ total: 270, ok: 270, failed: 0 })
    expect(entry(report, `${pgDatabase.url.redacted}?search_path=${BROKEN}`)).toMatchObject({ versionBefore: V1, versionAfter: V2, detail: '1 applied' })
    expect(report.targets.filter((t) => t.detail === 'up to date')).toHaveLength(269)
    const fixed = await pgClient.query(`SELECT total::text FROM ${BROKEN}.items WHERE id = 99`)
    expect(fixed.rows).toEqual([{ total: '14' }])

    const status = await fleet(['status', '--check'])
    expect(status.code, status.stderr).toBe(0)
    expect(parse(status.stdout)).toMatchObject({ total: 270, ok: 270, findings: 0 })
  })

  it('--tenant-schemas runs in every matching schema of the database and no other', { timeout: 600_000 }, async () => {
    const result = await project.run(['status', '--check', '--json', '--url', pgDatabase.url.raw, '--tenant-schemas', 'tenant\\_%', '--concurrency', '8'])
    expect(result.code, result.stderr).toBe(0)
    const report = parse(result.stdout)
    expect(report.targets.map((t) => t.target)).toEqual(TENANTS.map((s) => `${pgDatabase.url.redacted}?search_path=${s}`))
    expect(report.targets.every((t) => t.versionAfter === V2)).toBe(true)
    const none = await project.run(['status', '--url', pgDatabase.url.raw, '--tenant-schemas', 'nobody\\_%'])
    expect(none.code).toBe(1)
    expect(none.stderr.trim()).toMatch(/^error: --tenant-schemas: no schema of .* matches nobody\\_%$/)
  })

  it('--shard i/3 splits the fleet so that every target runs in exactly one shard', { timeout: 600_000 }, async () => {
    const shards = await Promise.all([1, 2, 3].map((i) => fleet(['validate', '--shard', `${i}/3`, '--concurrency', '8'])))
    for (const shard of shards) expect(shard.code, shard.stderr).toBe(0)
    const seen = shards.flatMap((s) => parse(s.stdout).targets.map((t) => t.target))
    expect(seen).toHaveLength(270)
    expect(new Set(seen).size).toBe(270)
    for (const shard of shards) expect(parse(shard.stdout).total).toBeGreaterThan(50)
  })
})
