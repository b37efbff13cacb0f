import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { diff } from '../../src/api/diff.js'
import { up } from '../../src/api/migrate.js'
import { repair } from '../../src/api/repair.js'
import { status } from '../../src/api/status.js'
import type { ResolvedConfig } from '../../src/config/schema.js'
import { quoteIdent } from '../../src/dialects/mysql/quote.js'
import { FailedMigrationError } from '../../src/errors.js'
import { writeSum } from '../../src/migrations/sum.js'
import type { RunEvent } from '../../src/runner/events.js'
import { createTestDatabase, mysqlReachable, type TestDatabase } from '../helpers/mysql.js'

// The statement-by-statement runner on the real MariaDB server, through the public API: MySQL
// commits DDL implicitly, so a failed migration is undone statement by statement (issue 4).
const available = await mysqlReachable()

const V1 = '20240101000001'
const V2 = '20240101000002'

const USERS = 'CREATE TABLE users (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, email varchar(100) NOT NULL, name varchar(50) NOT NULL) ENGINE=InnoDB;\n'
// Four changes the MySQL planner orders as: create audit, add nickname, add uq_email, table comment.
const SECOND =
  'CREATE TABLE users (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, email varchar(100) NOT NULL, name varchar(50) NOT NULL,\n' +
  "  nickname varchar(50) NULL, UNIQUE KEY uq_email (email)) ENGINE=InnoDB COMMENT='people';\n" +
  'CREATE TABLE audit (id int NOT NULL PRIMARY KEY, note text) ENGINE=InnoDB;\n'

// A hand-written migration whose 4th statement fails after three that change schema and data.
const HAND_UP = [
  'CREATE TABLE audit (id int NOT NULL PRIMARY KEY, email varchar(100) NOT NULL) ENGINE=InnoDB;',
  'INSERT INTO audit (id, email) SELECT id, email FROM users;',
  'ALTER TABLE users ADD COLUMN nickname varchar(50) NULL;',
  'INSERT INTO nowhere VALUES (1);',
  '',
].join('\n')

describe.skipIf(!available)('mysql runner: partial failures, repair and concurrency on the real server', () => {
  let test: TestDatabase
  let work: string
  let config: ResolvedConfig

  beforeAll(async () => {
    test = await createTestDatabase('runner')
  })

  afterAll(async () => {
    await test?.drop()
    if (work !== undefined) rmSync(work, { recursive: true, force: true })
  })

  beforeEach(async () => {
    const name = quoteIdent(test.name)
    await test.driver.db.exec(`DROP DATABASE ${name}`)
    await test.driver.db.exec(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`)
    await test.driver.db.exec(`USE ${name}`)
    if (work !== undefined) rmSync(work, { recursive: true, force: true })
    work = mkdtempSync(path.join(os.tmpdir(), 'migrator-mysql-runner-'))
    config = {
      cwd: work,
      url: test.url.raw,
      dir: path.join(work, 'migrations'),
      target: path.join(work, 'schema.sql'),
      schemas: ['public'],
      historyTable: 'migrator_history',
      lockTimeoutMs: 5000,
      lockWaitMs: 10_000,
    }
    // Migration 1 (generated) creates users; the rows include a duplicate email.
    writeFileSync(config.target!, USERS)
    await diff(config, { name: 'users', now: at(V1) })
    expect((await up(config)).error?.message).toBeUndefined()
    await test.driver.db.exec("INSERT INTO users (email, name) VALUES ('a@example.com', 'A'), ('dup@example.com', 'B'), ('dup@example.com', 'C')")
  })

  /** SHOW CREATE TABLE of every table but the history, and every row: what must survive a failure. */
  async function snapshot(): Promise<Record<string, { ddl: string; rows: unknown[] }>> {
    const db = test.driver.db
    const tables = await db.query<{ name: string }>(
      "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME NOT IN ('migrator_history', 'migrator_history_snapshots') ORDER BY TABLE_NAME",
    )
    const out: Record<string, { ddl: string; rows: unknown[] }> = {}
    for (const { name } of tables) {
      const [show] = await db.query<Record<string, string>>(`SHOW CREATE TABLE ${quoteIdent(name)}`)
      // InnoDB never gives back AUTO_INCREMENT values a rolled-back insert took: not schema, not data.
      const ddl = (show?.['Create Table'] ?? show?.['Create View'] ?? '').replace(/ AUTO_INCREMENT=\d+/, '')
      out[name] = { ddl, rows: await db.query(`SELECT * FROM ${quoteIdent(name)} ORDER BY 1`) }
    }
    return out
  }

  async function history(): Promise<{ version: string; status: string; statements_applied: number }[]> {
    return test.driver.db.query('SELECT version, status, statements_applied FROM migrator_history ORDER BY version')
  }

  async function write(files: Record<string, string>): Promise<void> {
    await mkdir(config.dir, { recursive: true })
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(config.dir, name), text)
    await writeSum(config.dir)
  }

  function undoEvents(events: readonly RunEvent[]): unknown[] {
    return events.flatMap((e) => (e.kind === 'undo-statement' ? [[e.index, e.sql]] : []))
  }

  it('undoes statements 1–2 of a generated 4-statement migration whose 3rd fails on real data', async () => {
    const before = await snapshot()
    writeFileSync(config.target!, SECOND)
    const generated = await diff(config, { name: 'second', now: at(V2) })
    const statements = test.driver.splitStatements(generated.up)
    expect(statements.map((s) => s.sql)).toEqual([
      'CREATE TABLE `audit` (\n  `id` int NOT NULL,\n  `note` text NULL,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci',
      'ALTER TABLE `users` ADD COLUMN `nickname` varchar(50) NULL AFTER `name`',
      'ALTER TABLE `users` ADD UNIQUE INDEX `uq_email` (`email`)',
      "ALTER TABLE `users` COMMENT = 'people'",
    ])

    // The lint gate sees the duplicates first; forced past it, the server refuses statement 3.
    // (The tests below force past the gate too: they are about what the runner does on failure.)
    await expect(up(config)).rejects.toThrow(/refusing to apply: lint found 1 error-level finding: .*MF101 error: adds unique index uq_email on users \(email\): 1 duplicate row/)
    const events: RunEvent[] = []
    const result = await up(config, { force: true, onEvent: (e) => events.push(e) })
    expect(result.results.map((r) => [r.version, r.status])).toEqual([[V2, 'failed']])
    expect(result.error?.message).toBe(
      `${V2}_second.up.sql:${statements[2]?.line}: statement 3 (ALTER TABLE \`users\` ADD UNIQUE INDEX \`uq_email\` (\`email\`)) failed: ` +
        "Duplicate entry 'dup@example.com' for key 'uq_email'; " +
        `undid statements 2, 1 of ${V2}_second.up.sql; database and history are as before`,
    )
    expect(events.find((e) => e.kind === 'migration-start')).toMatchObject({ version: V2, transactional: false, statements: 4 })
    expect(events.filter((e) => e.kind === 'statement').map((e) => (e.kind === 'statement' ? e.index : 0))).toEqual([1, 2, 3])
    expect(undoEvents(events)).toEqual([
      [2, 'ALTER TABLE `users` DROP COLUMN `nickname`'],
      [1, 'DROP TABLE `audit`'],
    ])
    expect(await snapshot()).toEqual(before)
    expect(await history()).toEqual([{ version: V1, status: 'applied', statements_applied: 1 }])
  })

  // Issue 9: a down file without undo groups used to run whole, from its first statement: the undo
  // of statements that never ran. Now it runs only when it pairs with the up statement for statement.
  it('runs nothing from a hand-written down that does not pair with the up; the failed row says what stayed', async () => {
    const before = await snapshot()
    await write({ [`${V2}_audit.up.sql`]: HAND_UP, [`${V2}_audit.down.sql`]: 'ALTER TABLE users DROP COLUMN nickname;\nDROP TABLE audit;\n' })
    const events: RunEvent[] = []
    const result = await up(config, { force: true, onEvent: (e) => events.push(e) })
    expect(result.results.map((r) => r.status)).toEqual(['failed'])
    expect(result.error?.message).toBe(
      `${V2}_audit.up.sql:4: statement 4 (INSERT INTO nowhere VALUES (1)) failed: Table '${test.name}.nowhere' doesn't exist; ` +
        `statements 1-3 of ${V2}_audit.up.sql stayed applied (CREATE TABLE audit (id int NOT NULL PRI…; INSERT INTO audit (id, email) SELECT id…; ALTER TABLE users ADD COLUMN nickname v…); ` +
        `${V2}_audit.down.sql cannot be paired with them safely (it has 2 statements and the up file 4, but it needs one per up statement, in reverse order), so nothing was undone; ` +
        `history marks ${V2} failed with statements_applied = 3: undo them by hand, then run \`migrator repair\``,
    )
    expect(events.find((e) => e.kind === 'migration-failed')).toMatchObject({ undone: false })
    expect(undoEvents(events)).toEqual([])
    expect(await history()).toEqual([
      { version: V1, status: 'applied', statements_applied: 1 },
      { version: V2, status: 'failed', statements_applied: 3 },
    ])
    // Exactly statements 1-3 are in: audit with the copied rows, users with the new column and every row unchanged.
    const after = await snapshot()
    expect(after.audit?.rows).toEqual([
      { id: 1, email: 'a@example.com' },
      { id: 2, email: 'dup@example.com' },
      { id: 3, email: 'dup@example.com' },
    ])
    expect(after.users?.rows).toEqual((before.users?.rows as Record<string, unknown>[]).map((row) => ({ ...row, nickname: null })))
    expect(after.users?.ddl).toContain('`nickname` varchar(50) DEFAULT NULL')
  })

  it('undoes a hand-written migration whose down pairs with the up statement for statement', async () => {
    const before = await snapshot()
    const down = 'DELETE FROM nowhere;\nALTER TABLE users DROP COLUMN nickname;\nDELETE FROM audit;\nDROP TABLE audit;\n'
    await write({ [`${V2}_audit.up.sql`]: HAND_UP, [`${V2}_audit.down.sql`]: down })
    const events: RunEvent[] = []
    const result = await up(config, { force: true, onEvent: (e) => events.push(e) })
    expect(result.results.map((r) => r.status)).toEqual(['failed'])
    expect(result.error?.message).toBe(
      `${V2}_audit.up.sql:4: statement 4 (INSERT INTO nowhere VALUES (1)) failed: Table '${test.name}.nowhere' doesn't exist; ` +
        `undid statements 3, 2, 1 of ${V2}_audit.up.sql with statements 2, 3, 4 of ${V2}_audit.down.sql; database and history are as before`,
    )
    expect(events.find((e) => e.kind === 'migration-failed')).toMatchObject({ undone: true })
    // The undo of statement 4 (DELETE FROM nowhere) never runs: statement 4 never ran.
    expect(undoEvents(events)).toEqual([
      [3, 'ALTER TABLE users DROP COLUMN nickname'],
      [2, 'DELETE FROM audit'],
      [1, 'DROP TABLE audit'],
    ])
    expect(await snapshot()).toEqual(before)
    expect((await history()).map((r) => r.version)).toEqual([V1])
  })

  it('leaves a failed row counting what stayed when a paired undo fails; up refuses, status shows it, repair clears it', async () => {
    // The undo of statement 2 fails on the server (a subquery returning two rows), after statement 3's undo worked.
    const down = 'DELETE FROM nowhere;\nALTER TABLE users DROP COLUMN nickname;\nDELETE FROM audit WHERE id = (SELECT 1 UNION SELECT 2);\nDROP TABLE audit;\n'
    await write({ [`${V2}_audit.up.sql`]: HAND_UP, [`${V2}_audit.down.sql`]: down })
    const result = await up(config, { force: true })
    expect(result.results.map((r) => r.status)).toEqual(['failed'])
    expect(result.error?.message).toBe(
      `${V2}_audit.up.sql:4: statement 4 (INSERT INTO nowhere VALUES (1)) failed: Table '${test.name}.nowhere' doesn't exist; ` +
        `undid statement 3 of ${V2}_audit.up.sql; undoing statement 2 failed (${V2}_audit.down.sql:3: Subquery returns more than 1 row), ` +
        `so statements 1-2 of ${V2}_audit.up.sql stayed applied (CREATE TABLE audit (id int NOT NULL PRI…; INSERT INTO audit (id, email) SELECT id…); ` +
        `history marks ${V2} failed with statements_applied = 2: undo them by hand, then run \`migrator repair\``,
    )
    expect(await history()).toEqual([
      { version: V1, status: 'applied', statements_applied: 1 },
      { version: V2, status: 'failed', statements_applied: 2 },
    ])
    // The partial state is really there: audit with its copied rows, nickname already undone.
    expect(await test.driver.db.query('SELECT COUNT(*) AS n FROM audit')).toEqual([{ n: 3 }])
    expect(await test.driver.db.query("SELECT COUNT(*) AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND COLUMN_NAME = 'nickname'")).toEqual([{ n: 0 }])

    const refused = await up(config, { force: true }).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(FailedMigrationError)
    expect((refused as Error).message).toBe(`migration ${V2}_audit is recorded as failed; inspect the database, then run \`migrator repair\``)

    // Without the target: with one, status also replays the whole directory, see the next test.
    const report = await status({ ...config, target: undefined })
    expect(report.migrations.map((m) => [m.version, m.state])).toEqual([
      [V1, 'applied'],
      [V2, 'failed'],
    ])
    expect(report.migrations[1]?.hint).toBe(
      'statements 1-2 of it are in the database and were not undone (if a run was killed, check the next statement too): ' +
        'undo them by hand, then run `migrator repair` so `up` runs it again from the start',
    )
    expect(report.needsAttention).toBe(true)
    // What the failed migration left behind shows as drift from the applied migrations.
    expect(report.drift).toEqual(['create table audit'])

    // The user cleans up by hand and fixes the file; repair forgets the failed row.
    await test.driver.db.exec('DROP TABLE audit')
    const seen: string[] = []
    const repaired = await repair(config, async (actions) => {
      seen.push(...actions.map((a) => `${a.version} ${a.action}: ${a.detail}`))
      return true
    })
    expect(repaired.applied).toBe(true)
    expect(seen).toEqual([
      `${V2} remove-failed: forget failed ${V2}_audit (history counts statements 1-2 as still applied: undo them by hand first) so \`up\` runs it again from the start`,
    ])
    expect((await status({ ...config, target: undefined })).migrations.map((m) => [m.version, m.state])).toEqual([
      [V1, 'applied'],
      [V2, 'pending'],
    ])
    await write({ [`${V2}_audit.up.sql`]: HAND_UP.replace('INSERT INTO nowhere VALUES (1);', 'UPDATE audit SET email = LOWER(email);') })
    const again = await up(config)
    expect(again.error?.message).toBeUndefined()
    expect(await history()).toEqual([
      { version: V1, status: 'applied', statements_applied: 1 },
      { version: V2, status: 'applied', statements_applied: 4 },
    ])
  })

  it('undoes nothing when an applied statement has no undo group, rather than undoing down to it', async () => {
    const down = [
      '-- migrator:undo 4',
      'DELETE FROM nowhere;',
      '',
      '-- migrator:undo 3',
      'ALTER TABLE users DROP COLUMN nickname;',
      '',
      '-- migrator:undo 2',
      'DELETE FROM audit;',
      '',
      '-- cannot undo 1: hand-made table',
      '',
    ].join('\n')
    await write({ [`${V2}_audit.up.sql`]: HAND_UP, [`${V2}_audit.down.sql`]: down })
    const events: RunEvent[] = []
    const result = await up(config, { force: true, onEvent: (e) => events.push(e) })
    expect(result.error?.message).toBe(
      `${V2}_audit.up.sql:4: statement 4 (INSERT INTO nowhere VALUES (1)) failed: Table '${test.name}.nowhere' doesn't exist; ` +
        `statements 1-3 of ${V2}_audit.up.sql stayed applied (CREATE TABLE audit (id int NOT NULL PRI…; INSERT INTO audit (id, email) SELECT id…; ALTER TABLE users ADD COLUMN nickname v…); ` +
        `${V2}_audit.down.sql has no \`-- migrator:undo 1\` group for statement 1, so nothing was undone; ` +
        `history marks ${V2} failed with statements_applied = 3: undo them by hand, then run \`migrator repair\``,
    )
    expect(undoEvents(events)).toEqual([])
    expect(await history()).toEqual([
      { version: V1, status: 'applied', statements_applied: 1 },
      { version: V2, status: 'failed', statements_applied: 3 },
    ])
    expect(await test.driver.db.query('SELECT COUNT(*) AS n FROM audit')).toEqual([{ n: 3 }])
  })

  // MySQL runs a .ts migration outside a transaction: what its up() did before throwing stays.
  it('never calls the database as before after a module up() threw midway; the row and status say to check it', async () => {
    const module = [
      'interface Ctx { db: { exec(sql: string): Promise<void> } }',
      'export async function up(ctx: Ctx): Promise<void> {',
      "  await ctx.db.exec('CREATE TABLE module_made (id int NOT NULL PRIMARY KEY)')",
      "  throw new Error('backfill broke')",
      '}',
      'export async function down(ctx: Ctx): Promise<void> {',
      "  await ctx.db.exec('DROP TABLE module_made')",
      '}',
      '',
    ].join('\n')
    await write({ [`${V2}_module.ts`]: module })
    const events: RunEvent[] = []
    const result = await up(config, { force: true, onEvent: (e) => events.push(e) })
    expect(result.error?.message).toBe(
      `${V2}_module.ts: up() threw: backfill broke; ${V2}_module.ts up() ran outside a transaction, so whatever it changed before it failed stayed; nothing was undone; ` +
        `history marks ${V2} failed with statements_applied = 0: check the database and undo what up() changed by hand, then run \`migrator repair\``,
    )
    expect(events.find((e) => e.kind === 'migration-failed')).toMatchObject({ undone: false })
    // Neither its down() nor anything else ran: the table up() made is there.
    expect(await test.driver.db.query("SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'module_made'")).toEqual([{ n: 1 }])
    expect(await history()).toEqual([
      { version: V1, status: 'applied', statements_applied: 1 },
      { version: V2, status: 'failed', statements_applied: 0 },
    ])
    const report = await status({ ...config, target: undefined })
    expect(report.migrations[1]?.hint).toBe('its up() failed outside a transaction and may have changed the database: check it and undo those changes by hand, then run `migrator repair`')
  })

  // status replays every file to report ungenerated target changes; the failed migration's file
  // cannot replay, which must not hide the failed row or the way out.
  it('status still explains a failed migration when a target is configured', async () => {
    await write({ [`${V2}_audit.up.sql`]: HAND_UP, [`${V2}_audit.down.sql`]: 'DROP TABLE audit_log;\n' })
    expect((await up(config, { force: true })).results.map((r) => r.status)).toEqual(['failed'])
    const report = await status(config)
    expect(report.migrations.map((m) => [m.version, m.state])).toEqual([
      [V1, 'applied'],
      [V2, 'failed'],
    ])
    expect(report.migrations[1]?.hint).toMatch(/^statements 1-3 of it are in the database and were not undone .*: undo them by hand, then run `migrator repair` so `up` runs it again from the start$/)
    expect(report.replayError).toMatch(/audit/)
    expect(report.needsAttention).toBe(true)
  })

  // Without transactional DDL, a migration of data statements only still runs in one transaction.
  it('runs a data-only migration in one transaction, so a failing 3rd statement leaves no trace', async () => {
    const before = await snapshot()
    await write({
      [`${V2}_data.up.sql`]: [
        "INSERT INTO users (id, email, name) VALUES (10, 'new@example.com', 'N');",
        'UPDATE users SET name = LOWER(name);',
        "INSERT INTO users (id, email, name) VALUES (10, 'again@example.com', 'M');",
        '',
      ].join('\n'),
    })
    const result = await up(config, { force: true })
    expect(result.results.map((r) => r.status)).toEqual(['failed'])
    expect(result.error?.message).toMatch(/statement 3 .* failed: Duplicate entry '10' for key 'PRIMARY'; .*database and history are as before$/)
    expect(await snapshot()).toEqual(before)
    expect((await history()).map((r) => r.version)).toEqual([V1])
  })

  it('serializes two concurrent ups on GET_LOCK: each migration is applied exactly once', async () => {
    const files: Record<string, string> = {}
    for (let i = 2; i <= 5; i++) {
      const version = `2024010100000${i}`
      // Applied twice, the CREATE TABLE would fail and the counter would show 2.
      files[`${version}_step_${i}.up.sql`] = `CREATE TABLE t${i} (a int);\nINSERT INTO users (email, name) VALUES ('v${version}', 'step');\n`
    }
    await write(files)
    const events: [string, RunEvent][] = []
    const runs = await Promise.all(['a', 'b'].map((who) => up(config, { onEvent: (e) => events.push([who, e]) })))
    expect(runs.map((r) => r.error?.message)).toEqual([undefined, undefined])
    const applied = runs.map((r) => r.results.filter((x) => x.status === 'applied').map((x) => x.version))
    // Whoever got the lock first applied everything; the other waited, then found nothing pending.
    expect([...applied].sort((x, y) => y.length - x.length)).toEqual([['20240101000002', '20240101000003', '20240101000004', '20240101000005'], []])
    expect(new Set(events.map(([who]) => who)).size).toBe(1)
    expect(await test.driver.db.query("SELECT email, COUNT(*) AS n FROM users WHERE name = 'step' GROUP BY email ORDER BY email")).toEqual(
      ['2', '3', '4', '5'].map((i) => ({ email: `v2024010100000${i}`, n: 1 })),
    )
    expect((await history()).map((r) => `${r.version} ${r.status}`)).toEqual([V1, '20240101000002', '20240101000003', '20240101000004', '20240101000005'].map((v) => `${v} applied`))
  })
})

/** The clock for `diff`, so that a generated migration gets `version`. */
function at(version: string): Date {
  const [y, mo, d, h, mi, s] = [0, 4, 6, 8, 10, 12].map((i, k) => Number(version.slice(i, k === 0 ? 4 : i + 2)))
  return new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!))
}
