import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Driver } from '../../src/dialects/dialect.js'
import { BackfillIncompleteError, runBackfill } from '../../src/backfill/run.js'
import type { BackfillEvent } from '../../src/backfill/events.js'
import type { BackfillSpec } from '../../src/backfill/spec.js'
import { specId } from '../../src/backfill/spec.js'
import { MARIADB, POSTGRES, SQLITE, scalar, seedItems } from './databases.js'
import type { DatabaseKind, FreshDatabase } from './databases.js'

const ROWS = 100_000

function nameSpec(driver: Driver, table = 'items', batch = 5000): BackfillSpec {
  const q = (n: string): string => driver.quoteIdent(n)
  return { table, set: `${q('name')} = upper(${q('email')})`, where: `${q('name')} IS NULL`, batch }
}

for (const kind of [SQLITE, POSTGRES, MARIADB] as DatabaseKind[]) {
  const available = await kind.available()
  describe.skipIf(!available)(`backfill on ${kind.name}`, () => {
    let db: FreshDatabase
    beforeAll(async () => {
      db = await kind.create('backfill')
      await seedItems(db.driver, ROWS)
    })
    afterAll(async () => {
      await db?.drop()
    })

    it(`backfills ${ROWS} rows in keyset chunks, reporting progress, and verifies none is left`, async () => {
      const { driver } = db
      const events: BackfillEvent[] = []
      const writer = kind.name === 'sqlite' ? undefined : startWriter(await db.open(), events)
      const result = await runBackfill(driver, nameSpec(driver), { onEvent: (e) => events.push(e) })
      const writes = await writer?.stop()

      const q = (n: string): string => driver.quoteIdent(n)
      const inserted = writes?.inserted ?? 0
      expect(writes?.failures ?? []).toEqual([])
      if (writes !== undefined) expect(writes.inserted > 0 && writes.updated > 0).toBe(true)
      // Nothing lost, nothing left, every row holds the backfilled value.
      expect(await scalar(driver, `SELECT count(*) FROM ${q('items')}`)).toBe(ROWS + inserted)
      expect(await scalar(driver, `SELECT count(*) FROM ${q('items')} WHERE ${q('name')} IS NULL`)).toBe(0)
      expect(await scalar(driver, `SELECT count(*) FROM ${q('items')} WHERE ${q('name')} <> upper(${q('email')})`)).toBe(0)
      // The writers' updates all landed (the backfill never overwrote a concurrent write).
      expect(await scalar(driver, `SELECT coalesce(sum(${q('counter')}), 0) FROM ${q('items')}`)).toBe(writes?.updated ?? 0)
      expect(result.rowsDone).toBeGreaterThanOrEqual(ROWS)
      expect(result.resumedFrom).toBe(0)

      const start = events.find((e) => e.kind === 'backfill-start')
      expect(start).toMatchObject({ kind: 'backfill-start', table: 'items', resumedFrom: 0 })
      expect((start as { total?: number }).total).toBeGreaterThanOrEqual(ROWS)
      const progress = events.filter((e) => e.kind === 'backfill-progress')
      expect(progress.length).toBeGreaterThanOrEqual(ROWS / 5000)
      expect(progress.every((e) => e.chunkRows <= 5000 && e.rowsPerSecond > 0)).toBe(true)
      expect(progress.some((e) => e.etaMs !== undefined)).toBe(true)
      expect(events.at(-1)).toMatchObject({ kind: 'backfill-done', rowsDone: result.rowsDone })

      // The checkpoint row says done, so a rerun starts over and finds nothing to do.
      const rows = await driver.db.query<Record<string, unknown>>(`SELECT ${q('done')} AS done, ${q('rows_done')} AS rows_done FROM ${q('migrator_backfill')} WHERE ${q('id')} = ?`, [result.id])
      expect(rows.map((r) => [Number(r.done), Number(r.rows_done)])).toEqual([[1, result.rowsDone]])
      const again = await runBackfill(driver, nameSpec(driver))
      expect(again).toMatchObject({ rowsDone: 0, resumedFrom: 0 })
    })

    it('resumes from its checkpoint after SIGKILL and ends like an uninterrupted run', async () => {
      const { driver } = db
      const q = (n: string): string => driver.quoteIdent(n)
      await seedItems(driver, 20_000, 'killed')
      await seedItems(driver, 20_000, 'reference')
      await driver.db.exec(`UPDATE ${q('killed')} SET ${q('name')} = 'kept' WHERE ${q('id')} % 7 = 0`)
      await driver.db.exec(`UPDATE ${q('reference')} SET ${q('name')} = 'kept' WHERE ${q('id')} % 7 = 0`)

      const seen = await runChildUntil(db.url.raw, 'killed', 6000)
      const mid = await scalar(driver, `SELECT count(*) FROM ${q('killed')} WHERE ${q('name')} IS NULL`)
      expect(mid).toBeGreaterThan(0) // killed midway: work was left

      const events: BackfillEvent[] = []
      const resumed = await runBackfill(driver, nameSpec(driver, 'killed', 1000), { onEvent: (e) => events.push(e) })
      expect(resumed.resumedFrom).toBeGreaterThanOrEqual(seen)
      expect(resumed.rowsThisRun).toBe(mid)
      expect(resumed.rowsDone).toBe(resumed.resumedFrom + mid)
      expect(events[0]).toMatchObject({ kind: 'backfill-start', resumedFrom: resumed.resumedFrom })

      await runBackfill(driver, nameSpec(driver, 'reference', 1000))
      const differing = await scalar(
        driver,
        `SELECT count(*) FROM ${q('killed')} k JOIN ${q('reference')} r ON r.${q('id')} = k.${q('id')} WHERE k.${q('name')} = r.${q('name')}`,
      )
      expect(differing).toBe(20_000)
      expect(await scalar(driver, `SELECT count(*) FROM ${q('killed')}`)).toBe(20_000)
    })

    it('walks composite keys and fails clearly when `set` does not clear `where`', async () => {
      const { driver } = db
      const q = (n: string): string => driver.quoteIdent(n)
      await driver.db.exec(`CREATE TABLE ${q('pairs')} (${q('a')} integer NOT NULL, ${q('b')} integer NOT NULL, ${q('v')} integer NULL, PRIMARY KEY (${q('a')}, ${q('b')}))`)
      const values: string[] = []
      for (let a = 1; a <= 13; a++) for (let b = 1; b <= 11; b++) values.push(`(${a}, ${b})`)
      await driver.db.exec(`INSERT INTO ${q('pairs')} (${q('a')}, ${q('b')}) VALUES ${values.join(', ')}`)
      const chunks: number[] = []
      const result = await runBackfill(
        driver,
        { table: 'pairs', set: `${q('v')} = ${q('a')} * 100 + ${q('b')}`, where: `${q('v')} IS NULL`, batch: 7 },
        { onEvent: (e) => e.kind === 'backfill-progress' && chunks.push(e.chunkRows) },
      )
      expect(result.rowsDone).toBe(143)
      expect(chunks).toEqual([...Array(20).fill(7), 3])
      expect(await scalar(driver, `SELECT count(*) FROM ${q('pairs')} WHERE ${q('v')} = ${q('a')} * 100 + ${q('b')}`)).toBe(143)

      // upper(NULL) is NULL: rows with a NULL email can never leave `where`.
      const bad: BackfillSpec = { table: 'pairs', set: `${q('v')} = NULL`, where: `${q('a')} = 3`, batch: 5 }
      const error = await runBackfill(driver, bad, { maxPasses: 2 }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(BackfillIncompleteError)
      expect((error as Error).message).toMatch(/backfill of pairs left 11 rows matching ".*" after 2 passes/)
      expect(specId(bad)).toMatch(/^[0-9a-f]{32}$/)
    })

    it('throttles to maxRowsPerSecond', async () => {
      const { driver } = db
      await seedItems(driver, 600, 'slow')
      const started = Date.now()
      await runBackfill(driver, nameSpec(driver, 'slow', 100), { maxRowsPerSecond: 2000 })
      // 600 rows at 2000 rows/s: the last chunk may not wait, so at least 500 rows' worth.
      expect(Date.now() - started).toBeGreaterThanOrEqual(240)
    })
  })
}

interface WriterTotals {
  readonly inserted: number
  readonly updated: number
  readonly failures: readonly string[]
}

/**
 * A background writer on its own session: inserts rows like the old application (name NULL) while
 * the backfill is in its first half, like the new one (name filled) afterwards, and increments the
 * counter of random existing rows throughout.
 */
function startWriter(driver: Driver, events: readonly BackfillEvent[]): { stop(): Promise<WriterTotals> } {
  const q = (n: string): string => driver.quoteIdent(n)
  let running = true
  let inserted = 0
  let updated = 0
  const failures: string[] = []
  const loop = (async () => {
    let i = 0
    while (running) {
      i++
      const progress = events.findLast((e) => e.kind === 'backfill-progress')
      const oldApp = progress === undefined || progress.total === undefined || progress.rowsDone < progress.total / 2
      try {
        if (i % 2 === 0) {
          const email = `writer${i}@example.com`
          await driver.db.exec(
            `INSERT INTO ${q('items')} (${q('email')}, ${q('name')}) VALUES (?, ${oldApp ? 'NULL' : '?'})`,
            oldApp ? [email] : [email, email.toUpperCase()],
          )
          inserted++
        } else {
          await driver.db.exec(`UPDATE ${q('items')} SET ${q('counter')} = ${q('counter')} + 1 WHERE ${q('id')} = ?`, [1 + ((i * 7919) % ROWS)])
          updated++
        }
      } catch (error) {
        failures.push(String(error))
      }
    }
  })()
  return {
    async stop() {
      running = false
      await loop
      await driver.close()
      return { inserted, updated, failures }
    },
  }
}

/** Runs test/backfill/child.ts and SIGKILLs it once it reports `killAt` rows done; returns the last rows done it reported. */
async function runChildUntil(url: string, table: string, killAt: number): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'jiti/register', 'test/backfill/child.ts', url, table, '1000', '15'], {
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  let seen = 0
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  for await (const line of createInterface({ input: child.stdout })) {
    const event = JSON.parse(line) as BackfillEvent
    if (event.kind === 'backfill-progress') seen = event.rowsDone
    if (seen >= killAt) {
      child.kill('SIGKILL')
      break
    }
  }
  const code = await exited
  if (seen < killAt) throw new Error(`child ended (exit ${code}) before ${killAt} rows: ${stderr}`)
  return seen
}
