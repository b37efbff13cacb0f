import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { openDriver } from '../../src/dialects/registry.js'
import type { Driver } from '../../src/dialects/dialect.js'
import { HistoryStore, type HistoryRow } from '../../src/runner/history.js'
import { cli, killedAt, prng } from './harness.js'
import { writeMigrations, type Migration } from './migrations.js'
import { createTarget, HISTORY, reachable, type Target } from './targets.js'

// MariaDB commits each DDL statement, so a down runs statement by statement: the runner's lock
// timeout must bound each statement's metadata-lock wait (a waiting ALTER queues every later query
// on its table), and a down that stops part-way, on an error or a SIGKILL, must be recorded exactly
// and finished by the next `down`.
const available = await reachable('mysql')
const TRIALS = Number(process.env.MIGRATOR_RELIABILITY_TRIALS ?? 6)

const V1 = '20240101000001'
const V2 = '20240101000002'
const SET: Migration[] = [
  {
    version: V1,
    slug: 'keep',
    noTransaction: false,
    statements: ['CREATE TABLE keep (id int PRIMARY KEY, v int, note varchar(50))'],
    undo: ['DROP TABLE keep'],
  },
  {
    version: V2,
    slug: 'extend',
    noTransaction: false,
    statements: [
      'CREATE TABLE extra (id int PRIMARY KEY, label varchar(20))',
      "INSERT INTO extra (id, label) VALUES (1, 'ü-été'), (2, NULL)",
      "ALTER TABLE keep ADD COLUMN tag varchar(20) DEFAULT 'x'",
      'CREATE INDEX keep_v ON keep (v)',
    ],
    // undo[i] undoes statements[i]; the down runs them newest first: DROP INDEX, the ALTER (it copies
    // the table, so it takes a while), DELETE, DROP TABLE.
    undo: ['DROP TABLE extra', 'DELETE FROM extra', 'ALTER TABLE keep DROP COLUMN tag, ALGORITHM=COPY', 'DROP INDEX keep_v ON keep'],
  },
]

describe.skipIf(!available)('a down on MariaDB, statement by statement', () => {
  let work: string
  let target: Target
  let driver: Driver
  let before: string

  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'migrator-down-mysql-'))
    await writeMigrations(path.join(work, 'migrations'), SET)
    writeFileSync(path.join(work, 'migrator.config.json'), JSON.stringify({ lockTimeout: '1s' }))
  })

  afterAll(() => {
    rmSync(work, { recursive: true, force: true })
  })

  beforeEach(async () => {
    await driver?.close()
    await target?.drop()
    target = await createTarget('mysql', work)
    driver = await openDriver(target.parsed)
    expect((await cli(work, target, ['up', '--steps', '1'])).code).toBe(0)
    // Rows an application wrote: NULLs, unicode, boundary numbers, a long string.
    await driver.db.exec(
      "INSERT INTO keep (id, v, note) SELECT seq, seq % 97, IF(seq % 5 = 0, NULL, CONCAT('note ', seq)) FROM seq_1_to_20000",
    )
    await driver.db.exec(`INSERT INTO keep (id, v, note) VALUES (2147483647, -2147483648, '${'é'.repeat(50)}')`)
    before = await target.state()
    const up = await cli(work, target, ['up'])
    expect(up.code, up.stderr).toBe(0)
  }, 60_000)

  afterAll(async () => {
    await driver?.close()
    await target?.drop()
  })

  const rowOf = async (version: string): Promise<HistoryRow | undefined> => (await new HistoryStore(driver, HISTORY).list()).find((r) => r.version === version)
  const storedStatus = async (version: string): Promise<string> => {
    const rows = await driver.db.query<{ status: string }>(`SELECT status FROM ${HISTORY} WHERE version = ?`, [version])
    return rows[0]?.status ?? 'none'
  }

  /** Waits until no session but the test's own is connected to the database (at most 60 s). */
  async function sessionsGone(): Promise<void> {
    for (let waited = 0; waited < 60_000; waited += 100) {
      const others = await driver.db.query<{ n: number | string }>('SELECT count(*) AS n FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID <> CONNECTION_ID()')
      if (Number(others[0]?.n ?? 0) === 0) return
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    throw new Error('the killed run\'s server session did not end within 60 s')
  }

  /** Another session reads `extra` in an open transaction: its metadata lock makes DROP TABLE extra wait. */
  async function holdExtra(): Promise<Driver> {
    const holder = await openDriver(target.parsed)
    await holder.db.exec('START TRANSACTION')
    await holder.db.query('SELECT * FROM extra')
    return holder
  }

  it('bounds a DDL statement by lockTimeout, records the down as stopped after its statements, and the next down finishes it', async () => {
    const holder = await holdExtra()
    let stopped
    try {
      stopped = await cli(work, target, ['down', '--allow-data-loss'])
    } finally {
      await holder.db.exec('ROLLBACK')
      await holder.close()
    }
    // The lock wait ended the down at its DROP TABLE (statement 4) instead of queueing behind the reader.
    expect(stopped.code).toBe(1)
    expect(stopped.stderr).toMatch(/statement 4 \(DROP TABLE extra\) failed: Lock wait timeout exceeded/)
    expect(stopped.stderr).toMatch(/statements 1-3 of the down had already run and stay; history records the down as interrupted after statement 3: fix the cause, then run `migrator down` again to finish it/)
    expect(await storedStatus(V2)).toBe('reverting')
    expect((await rowOf(V2))?.statementsApplied).toBe(3)

    // Until the down is finished, up refuses and says how to go on.
    const refused = await cli(work, target, ['up'])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(`the down of migration ${V2}_extend stopped part-way (3 of its statements ran); run \`migrator down\` to finish reverting it`)

    const finished = await cli(work, target, ['down', '--allow-data-loss'])
    expect(finished.code, finished.stderr).toBe(0)
    expect(finished.stderr).toContain(
      `${V2}_extend.down.sql was interrupted by an earlier down while statement 4 (DROP TABLE extra) ran, which the live schema shows did not take effect, so it resumes after statement 3`,
    )
    expect(await target.state()).toBe(before)
    expect((await new HistoryStore(driver, HISTORY).list()).map((r) => [r.version, r.status])).toEqual([[V1, 'applied']])
  }, 60_000)

  it('bounds an up statement by lockTimeout too', async () => {
    expect((await cli(work, target, ['down', '--allow-data-loss'])).code).toBe(0)
    const holder = await openDriver(target.parsed)
    let run
    try {
      await holder.db.exec('START TRANSACTION')
      await holder.db.query('SELECT * FROM keep LIMIT 1')
      run = await cli(work, target, ['up'])
    } finally {
      await holder.db.exec('ROLLBACK')
      await holder.close()
    }
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/statement 3 \(ALTER TABLE keep ADD COLUMN tag .*\) failed: Lock wait timeout exceeded/)
    // Its first two statements were undone through the down's undo groups: nothing of V2 stays.
    expect(await target.state()).toBe(before)
    expect(await rowOf(V2)).toBeUndefined()
  }, 60_000)

  it(`history says exactly how far a killed down got, and the next down finishes it (${TRIALS} trials)`, async () => {
    const seed = Number(process.env.MIGRATOR_RELIABILITY_SEED ?? Math.floor(Math.random() * 2 ** 31))
    const random = prng(seed)
    const outcomes: string[] = []
    for (let trial = 1; trial <= TRIALS; trial++) {
      const at = { statement: 1 + Math.floor(random() * 4), delayMs: Math.floor(random() * 60) }
      const context = `seed ${seed} trial ${trial} (kill ${at.delayMs} ms after statement ${at.statement})`
      if (trial > 1) expect((await cli(work, target, ['up'])).code, context).toBe(0)
      await killedAt(work, target, at, ['down', '--allow-data-loss'])
      // The killed client's statement runs on in its server session (a copying ALTER renames its
      // table at the end): judge history and schema once that session is gone, as the next
      // runner does by waiting for the runner lock it held.
      await sessionsGone()
      const row = await rowOf(V2)
      const status = await storedStatus(V2)
      let outcome = row === undefined ? 'finished' : `${status} ${row.statementsApplied}`
      if (row !== undefined) {
        expect(['applied', 'reverting'], context).toContain(status)
        // A count never overstates what ran: each statement the row counts is visibly done.
        const n = status === 'reverting' ? row.statementsApplied : 0
        const schema = await driver.inspect({ exclude: [HISTORY] })
        const keep = schema.tables.find((t) => t.name === 'keep')!
        if (n >= 1) expect(keep.indexes.some((i) => i.name === 'keep_v'), context).toBe(false)
        if (n >= 2) expect(keep.columns.some((c) => c.name === 'tag'), context).toBe(false)
        if (n >= 4) expect(schema.tables.some((t) => t.name === 'extra'), context).toBe(false)
        const next = await cli(work, target, ['down', '--allow-data-loss', '--lock-wait', '60s'])
        expect(next.code, `${context}: ${next.stderr}`).toBe(0)
        if (/resumes after statement \d+/.test(next.stderr)) outcome += ` → ${next.stderr.match(/resumes after statement \d+/)![0]}`
      }
      expect(await target.state(), `${context}: the database differs from a finished down's`).toBe(before)
      expect((await new HistoryStore(driver, HISTORY).list()).map((r) => [r.version, r.status]), context).toEqual([[V1, 'applied']])
      outcomes.push(outcome)
    }
    console.info(`down kills on MariaDB, seed ${seed}: ${outcomes.join('; ')}`)
  }, 60_000 + TRIALS * 30_000)
})
