import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { writeSum } from '../../src/migrations/sum.js'
import { HistoryStore } from '../../src/runner/history.js'
import { cli } from './harness.js'
import { createTarget, DIALECTS, HISTORY, reachable, type DialectName, type Target } from './targets.js'

// A run killed part-way leaves a `running` row; these set one up by hand, statement by statement,
// to pin down what the next `up` does with each kind of statement in doubt.
const available = new Map(await Promise.all(DIALECTS.map(async (d) => [d, await reachable(d)] as const)))
const work = mkdtempSync(path.join(os.tmpdir(), 'migrator-interrupted-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

const VERSION = '20240101000001'
const STATEMENTS = [
  'CREATE TABLE a (id int PRIMARY KEY, x int)',
  'ALTER TABLE a MODIFY x bigint',
  "INSERT INTO a (id, x) VALUES (1, 9007199254740993)",
  'ALTER TABLE a ADD COLUMN y int DEFAULT 7',
]

/** A project with one migration; `statements` of it run by hand, and a `running` row counting `counted` of them. */
async function interrupted(dialect: DialectName, statements: readonly string[], ran: number, counted: number, noTransaction = false): Promise<{ dir: string; target: Target }> {
  const dir = mkdtempSync(path.join(work, `${dialect}-`))
  mkdirSync(path.join(dir, 'migrations'))
  writeFileSync(path.join(dir, 'migrations', `${VERSION}_part.up.sql`), `${noTransaction ? '-- migrator:no-transaction\n' : ''}${statements.map((s) => `${s};`).join('\n')}\n`)
  await writeSum(path.join(dir, 'migrations'))
  const target = await createTarget(dialect, dir)
  const driver = await target.open()
  try {
    for (const sql of statements.slice(0, ran)) await driver.db.exec(sql)
    const history = new HistoryStore(driver, HISTORY)
    await history.ensure()
    const { readDirectory } = await import('../../src/migrations/directory.js')
    const [file] = await readDirectory(path.join(dir, 'migrations'))
    await history.write(driver.db, {
      version: VERSION, name: 'part', checksum: file!.checksum, status: 'failed', interrupted: true,
      appliedAt: new Date().toISOString(), executionMs: 1, appliedBy: 'killed@host', statementsApplied: counted, toolVersion: '0.1.0',
    })
  } finally {
    await driver.close()
  }
  return { dir, target }
}

describe('the next up after a killed statement-by-statement run', () => {
  it.skipIf(available.get('mysql') !== true)('MariaDB: a DDL statement in doubt that took effect is counted, one that did not is run; data statements are never in doubt', async () => {
    // Killed after statement 4 ran, before it was counted: the column is there, so it is not added twice.
    const tookEffect = await interrupted('mysql', STATEMENTS, 4, 3)
    try {
      const up = await cli(tookEffect.dir, tookEffect.target, ['up'])
      expect(up.code, up.stderr).toBe(0)
      expect(up.stderr).toMatch(/was interrupted by an earlier run while statement 4 \(ALTER TABLE a ADD COLUMN y int DEFAULT 7\) ran, which the live schema shows took effect, so it resumes after statement 4/)
      expect((await tookEffect.target.history()).map((r) => [r.status, r.statementsApplied])).toEqual([['applied', 4]])
    } finally {
      await tookEffect.target.drop()
    }
    // Killed while statement 4 ran and before it took effect: it runs now, after the data statement, which is not re-run.
    const notYet = await interrupted('mysql', STATEMENTS, 3, 3)
    try {
      const up = await cli(notYet.dir, notYet.target, ['up'])
      expect(up.code, up.stderr).toBe(0)
      expect(up.stderr).toMatch(/which the live schema shows did not take effect, so it resumes after statement 3/)
      const driver = await notYet.target.open()
      try {
        expect(await driver.db.query('SELECT id, CAST(x AS char) AS x, y FROM a')).toEqual([{ id: 1, x: '9007199254740993', y: 7 }])
      } finally {
        await driver.close()
      }
    } finally {
      await notYet.target.drop()
    }
  }, 180_000)

  it.skipIf(available.get('mysql') !== true)("MariaDB: a pending migration that needs what the interrupted one has yet to create passes up's lint gate (no --force) and both apply", async () => {
    const { dir, target } = await interrupted('mysql', STATEMENTS, 3, 3)
    try {
      writeFileSync(path.join(dir, 'migrations', '20240101000002_index_y.up.sql'), 'CREATE INDEX a_y ON a (y);\n')
      await writeSum(path.join(dir, 'migrations'))
      const up = await cli(dir, target, ['up'])
      expect(up.code, up.stderr).toBe(0)
      expect(up.stderr).not.toMatch(/MF100/)
      expect((await target.history()).map((r) => [r.version, r.status, r.statementsApplied])).toEqual([[VERSION, 'applied', 4], ['20240101000002', 'applied', 1]])
      const driver = await target.open()
      try {
        expect(await driver.db.query("SELECT INDEX_NAME AS i, COLUMN_NAME AS c FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'a' AND INDEX_NAME = 'a_y'")).toEqual([{ i: 'a_y', c: 'y' }])
        expect(await driver.db.query('SELECT id, CAST(x AS char) AS x, y FROM a')).toEqual([{ id: 1, x: '9007199254740993', y: 7 }])
      } finally {
        await driver.close()
      }
    } finally {
      await target.drop()
    }
  }, 180_000)

  it.skipIf(available.get('mysql') !== true)('MariaDB: a statement whose effect the schema cannot show (MODIFY) is left to a human, and nothing runs', async () => {
    const { dir, target } = await interrupted('mysql', STATEMENTS, 2, 1)
    try {
      const before = await target.snapshot()
      const up = await cli(dir, target, ['up'])
      expect(up.code).toBe(1)
      expect(up.stderr.trim()).toBe(
        `error: ${VERSION}_part was interrupted by an earlier run (statement 1 of 4 is in the database, statement 2 was running), and whether statement 2 (ALTER TABLE a MODIFY x bigint) took effect cannot be told from the schema; nothing was run: undo statement 1 (and statement 2 if it took effect) of ${VERSION}_part.up.sql by hand, then run \`migrator repair\` so that \`up\` runs it again from the start`,
      )
      expect((await target.snapshot()) === before).toBe(true)
      // down and status read it as failed.
      const down = await cli(dir, target, ['down'])
      expect(down.code).toBe(1)
      expect(down.stderr).toMatch(/is recorded as failed/)
    } finally {
      await target.drop()
    }
  }, 180_000)

  it.skipIf(available.get('postgres') !== true)('PostgreSQL: a no-transaction file killed mid-statement is left to a human before anything runs; killed after all statements it finishes', async () => {
    const statements = ['CREATE TABLE a (id int PRIMARY KEY)', 'INSERT INTO a VALUES (1)', 'CREATE INDEX a_id ON a (id)']
    const doubt = await interrupted('postgres', statements, 1, 1, true)
    try {
      const up = await cli(doubt.dir, doubt.target, ['up'])
      expect(up.code).toBe(1)
      expect(up.stderr).toMatch(/^error: 20240101000001_part was interrupted by an earlier run \(statement 1 of 3 is in the database, statement 2 was running\), and whether statement 2 \(INSERT INTO a VALUES \(1\)\) took effect cannot be told from the schema; nothing was run/)
    } finally {
      await doubt.target.drop()
    }
    const done = await interrupted('postgres', statements, 3, 3, true)
    try {
      const up = await cli(done.dir, done.target, ['up'])
      expect(up.code, up.stderr).toBe(0)
      expect((await done.target.history()).map((r) => [r.status, r.statementsApplied])).toEqual([['applied', 3]])
    } finally {
      await done.target.drop()
    }
  }, 180_000)

  it('SQLite: a running row may be another up at work, so up waits for it, then says what to check', async () => {
    const { dir, target } = await interrupted('sqlite', ['CREATE TABLE a (id int PRIMARY KEY)', 'INSERT INTO a VALUES (1)'], 1, 1, true)
    const started = Date.now()
    const up = await cli(dir, target, ['up', '--lock-wait', '1s'])
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000)
    expect(up.code).toBe(1)
    expect(up.stderr.trim()).toBe(
      `error: ${VERSION}_part is being applied by another run (killed@host, statement 1 of 2 is in the database, statement 2 was running), which has not moved for 1 s; wait for it, or, if no other \`migrator up\` is running, an earlier run was interrupted: undo statement 1 (and statement 2 if it took effect) of ${VERSION}_part.up.sql by hand, then run \`migrator repair\` so that \`up\` runs it again from the start`,
    )
  }, 120_000)
})
