import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { reliabilitySet, writeMigrations, type Migration } from './migrations.js'
import { checkAgreement, cli, prng, referenceStates, killedAt, type Reference } from './harness.js'
import { createTarget, HISTORY, type DialectName, type Target } from './targets.js'
import { replaySchema } from '../../src/api/replay.js'
import { readDirectory } from '../../src/migrations/directory.js'
import { HistoryStore } from '../../src/runner/history.js'
import { historyKey, SnapshotStore } from '../../src/runner/snapshots.js'
import { schemaDifferences } from '../../src/schema/differences.js'
import { toolVersion } from '../../src/version.js'

/** Trials per dialect: MIGRATOR_RELIABILITY_TRIALS, 10 by default. */
export const TRIALS = Number(process.env.MIGRATOR_RELIABILITY_TRIALS ?? 10)

/**
 * SIGKILL at random points of `up` (through the built CLI) on `dialect`: after each kill, history and
 * schema agree (checkAgreement), and the next `up`, after `repair` where the tool asks for a
 * human, ends with the schema and data of an uninterrupted run and every migration recorded once.
 * On MariaDB the next `up` never needs a human: a DDL statement left in doubt is settled from the
 * live schema.
 */
export function killTrials(dialect: DialectName, available: boolean): void {
  describe(`SIGKILL during up on ${dialect} (${TRIALS} trials)`, () => {
    const seed = Number(process.env.MIGRATOR_RELIABILITY_SEED ?? Math.floor(Math.random() * 2 ** 31))
    const set = reliabilitySet(dialect)
    const total = set.reduce((n, m) => n + m.statements.length, 0)
    let work: string
    let ref: Reference
    let inDoubt: (index: number, statement: number) => boolean

    beforeAll(async () => {
      if (!available) return
      work = mkdtempSync(path.join(os.tmpdir(), `migrator-kill-${dialect}-`))
      await writeMigrations(path.join(work, 'migrations'), set)
      const manual = await createTarget(dialect, work)
      try {
        ref = await referenceStates(manual, set)
        const driver = await manual.open()
        // Which statements may be left in doubt: those run one by one that cannot share a transaction with their record.
        const transactional = (sql: string): boolean => driver.isTransactional?.(sql) === true
        const stepwise = (m: Migration): boolean => m.noTransaction || (!driver.capabilities.transactionalDdl && !m.statements.every(transactional))
        inDoubt = (index, statement) => stepwise(set[index]!) && !transactional(set[index]!.statements[statement - 1]!)
        await driver.close()
      } finally {
        await manual.drop()
      }
    }, 300_000)
    afterAll(() => {
      if (work !== undefined) rmSync(work, { recursive: true, force: true })
    })

    it.skipIf(!available)('an uninterrupted up gives the reference state', async () => {
      const target = await createTarget(dialect, work)
      try {
        const up = await cli(work, target, ['up'])
        expect(up.code, up.stderr).toBe(0)
        expect((await target.state()) === ref.final).toBe(true)
        // The run recorded the schema it produced, and status compares with it instead of replaying.
        const status = await cli(work, target, ['status', '--json'])
        expect(status.code, status.stderr).toBe(0)
        expect(JSON.parse(status.stdout)).toMatchObject({ driftFrom: 'snapshot', drift: [] })
        await expectSnapshotTrue(work, target, 'uninterrupted')
      } finally {
        await target.drop()
      }
    }, 120_000)

    it.skipIf(!available)(`history and schema agree after each kill, and the next up finishes like an uninterrupted run (seed ${seed})`, async () => {
      const random = prng(seed)
      const outcomes: string[] = []
      for (let trial = 1; trial <= TRIALS; trial++) {
        const at = { statement: Math.floor(random() * (total + 1)), delayMs: Math.floor(random() * (random() < 0.2 ? 1500 : 25)) }
        const context = `${dialect} seed ${seed} trial ${trial} (kill ${at.delayMs} ms after statement ${at.statement})`
        const target = await createTarget(dialect, work)
        try {
          const killed = await killedAt(work, target, at)
          expect(killed.code === 0 || killed.killed, `${context}: up ended on its own with ${killed.code}: ${killed.stderr}`).toBe(true)
          const verdict = checkAgreement(await target.history(), await target.state(), set, ref, inDoubt, context)
          await expectSnapshotTrue(work, target, context)
          // On SQLite a running row might be a live runner's: up waits this long for it to move.
          // No --force: up's lint gate finishes the interrupted migration on its scratch copy first.
          const next = await cli(work, target, ['up', '--lock-wait', dialect === 'sqlite' ? '2s' : '60s'])
          let outcome = verdict.partial === undefined ? `${verdict.applied} applied` : `${set[verdict.partial.index]!.version} at ${verdict.partial.row.statementsApplied}${verdict.partial.inDatabase > verdict.partial.row.statementsApplied ? '+1 in doubt' : ''}`
          if (next.code !== 0) {
            // Only a statement run alone may need a human, and never on MariaDB, which reads it off the schema.
            expect(dialect, `${context}: ${next.stderr}`).not.toBe('mysql')
            expect(next.stderr, context).toMatch(/^error: \d{14}_\w+ (was interrupted by an earlier run|is being applied by another run)/)
            expect(verdict.partial, context).toBeDefined()
            const { index, inDatabase } = verdict.partial!
            // The human: undo what is in the database (the down file's undo groups say how), then repair.
            const migration = set[index]!
            for (let i = inDatabase; i >= 1; i--) await target.exec(migration.undo[i - 1]!)
            const repaired = await cli(work, target, ['repair', '--yes'])
            expect(repaired.code, `${context}: ${repaired.stderr}`).toBe(0)
            const again = await cli(work, target, ['up'])
            expect(again.code, `${context}: ${again.stderr}`).toBe(0)
            outcome += ', repaired'
          }
          expect((await target.state()) === ref.final, `${context}: the database differs from an uninterrupted run's`).toBe(true)
          const rows = await target.history()
          expect(rows.map((r) => [r.version, r.status, r.statementsApplied]), context).toEqual(set.map((m) => [m.version, 'applied', m.statements.length]))
          await expectSnapshotTrue(work, target, context)
          outcomes.push(outcome)
        } finally {
          await target.drop()
        }
      }
      expect(outcomes).toHaveLength(TRIALS)
      // Where each kill left the run (version and statements the row counts; +1 in doubt: settled by the next up or by hand).
      console.info(`${dialect} seed ${seed}: ${outcomes.join('; ')}`)
    }, 120_000 + TRIALS * 30_000)
  })
}

/**
 * A schema snapshot stored for the history as it is (src/runner/snapshots.ts) says what a replay of
 * the applied migrations gives: a killed run never leaves one that would hide or invent drift.
 */
async function expectSnapshotTrue(work: string, target: Target, context: string): Promise<void> {
  const driver = await target.open()
  try {
    const rows = await new HistoryStore(driver, HISTORY).list()
    const key = historyKey({ driver, schemas: ['public'], toolVersion }, rows)
    const snapshot = key === undefined ? undefined : await new SnapshotStore(driver, HISTORY).find(key)
    if (snapshot === undefined) return
    const dir = path.join(work, 'migrations')
    const applied = new Set(rows.filter((r) => r.status === 'applied').map((r) => r.version))
    const config = { cwd: work, url: target.url, dir, schemas: ['public'], historyTable: HISTORY, lockTimeoutMs: 5000, lockWaitMs: 5000 }
    const replayed = await replaySchema(driver, config, (await readDirectory(dir)).filter((f) => applied.has(f.version)))
    expect(schemaDifferences(driver, snapshot.schema, replayed), `${context}: the stored snapshot is not what the applied migrations produce`).toEqual([])
  } finally {
    await driver.close()
  }
}
