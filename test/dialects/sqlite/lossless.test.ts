import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { diff } from '../../../src/api/diff.js'
import { down, up } from '../../../src/api/migrate.js'
import { withDriver } from '../../../src/api/session.js'
import type { ResolvedConfig } from '../../../src/config/schema.js'
import { guardOf } from '../../../src/schema/plan.js'

/**
 * A type change of column `c` of `t (id INTEGER PRIMARY KEY, c <from>)`, which SQLite applies by
 * rebuilding the table: every value is copied into a column of the new affinity. `rows` are SQL
 * literals by id; `lost` the ids whose value the copy would not keep.
 */
interface Retype {
  readonly name: string
  readonly from: string
  readonly to: string
  readonly rows: Readonly<Record<number, string>>
  readonly lost: readonly number[]
  /**
   * False when the down keeps the numbers but cannot give back the original storage: text '7'
   * comes back from a REAL as '7.0'; -2^63 stays a REAL in an INTEGER column.
   */
  readonly exactDown?: boolean
}

const CASES: readonly Retype[] = [
  {
    name: 'TEXT → INTEGER',
    from: 'CREATE TABLE t (id INTEGER PRIMARY KEY, c TEXT)',
    to: 'CREATE TABLE t (id INTEGER PRIMARY KEY, c INTEGER)',
    rows: {
      1: "'007'", 2: "'abc'", 3: "'42'", 4: 'NULL', 5: "' 7'", 6: "'1e3'", 7: "'99999999999999999999'", 8: "'1.5'", 9: "'-0'",
      10: "'٣'", 11: "x'00ff'", 12: "'-9223372036854775808'", 13: "''", 14: "'12abc'", 15: "'1.0'",
    },
    lost: [1, 5, 6, 7, 9, 15],
  },
  {
    // Not STRICT: a REAL that is not integral stays a REAL in an INTEGER column, so nothing is lost.
    name: 'REAL → INTEGER',
    from: 'CREATE TABLE t (id INTEGER PRIMARY KEY, c REAL)',
    to: 'CREATE TABLE t (id INTEGER PRIMARY KEY, c INTEGER)',
    rows: { 1: '1.5', 2: '2.0', 3: '1e20', 4: 'NULL', 5: '-0.25', 6: "'abc'" },
    lost: [],
  },
  {
    name: 'REAL → INTEGER in a STRICT table',
    from: 'CREATE TABLE t (id INTEGER PRIMARY KEY, c REAL) STRICT',
    to: 'CREATE TABLE t (id INTEGER PRIMARY KEY, c INTEGER) STRICT',
    rows: { 1: '1.5', 2: '2.0', 3: '1e20', 4: 'NULL', 5: '-0.25', 6: '9007199254740992.0' },
    lost: [1, 3, 5],
  },
  {
    name: 'TEXT → INTEGER in a STRICT table',
    from: 'CREATE TABLE t (id INTEGER PRIMARY KEY, c TEXT) STRICT',
    to: 'CREATE TABLE t (id INTEGER PRIMARY KEY, c INTEGER) STRICT',
    rows: { 1: "'007'", 2: "'abc'", 3: "'42'", 4: 'NULL', 5: "'1.5'", 6: "'-5'", 7: "''" },
    lost: [1, 2, 5, 7],
  },
  {
    name: 'TEXT → REAL',
    from: 'CREATE TABLE t (id INTEGER PRIMARY KEY, c TEXT)',
    to: 'CREATE TABLE t (id INTEGER PRIMARY KEY, c REAL)',
    rows: { 1: "'7'", 2: "'007'", 3: "'abc'", 4: "'0.1'", 5: "'1.50'", 6: 'NULL', 7: "'0.30000000000000004'", 8: "'0.1234567890123456789'" },
    lost: [2, 5, 8],
    exactDown: false,
  },
  {
    name: 'INTEGER → REAL',
    from: 'CREATE TABLE t (id INTEGER PRIMARY KEY, c INTEGER)',
    to: 'CREATE TABLE t (id INTEGER PRIMARY KEY, c REAL)',
    rows: { 1: '7', 2: '9007199254740992', 3: '9007199254740993', 4: '9223372036854775807', 5: 'NULL', 6: "'abc'", 7: '-9223372036854775808' },
    lost: [3, 4],
    exactDown: false,
  },
  {
    name: 'a table turning STRICT',
    from: 'CREATE TABLE t (id INTEGER PRIMARY KEY, c INTEGER)',
    to: 'CREATE TABLE t (id INTEGER PRIMARY KEY, c INTEGER) STRICT',
    rows: { 1: '7', 2: "'abc'", 3: '1.5', 4: 'NULL', 5: "x'00'", 6: '2.0' },
    lost: [2, 3, 5],
  },
]

interface Value {
  readonly id: number
  readonly type: string
  readonly quoted: string
  readonly text: string | null
}

let work: string
let config: ResolvedConfig
let file: string

beforeEach(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'migrator-sqlite-lossless-'))
  mkdirSync(path.join(work, 'migrations'))
  file = path.join(work, 'app.db')
  config = {
    cwd: work, url: `sqlite:${file}`, dir: path.join(work, 'migrations'), target: path.join(work, 'schema.sql'),
    schemas: ['public'], historyTable: 'migrator_history', lockTimeoutMs: 5000, lockWaitMs: 5000,
  }
})
afterEach(() => rmSync(work, { recursive: true, force: true }))

function withDb<T>(fn: (db: Database.Database) => T): T {
  const db = new Database(file)
  try {
    return fn(db)
  } finally {
    db.close()
  }
}

/** Every value with its storage class and exact literal (`quote`), and the column's type. */
function snapshot(): { type: unknown; values: Value[] } {
  return withDb((db) => ({
    type: db.prepare("SELECT c.type, l.strict FROM pragma_table_info('t') c, pragma_table_list('t') l WHERE c.name = 'c'").get(),
    values: db.prepare('SELECT id, typeof(c) AS type, quote(c) AS quoted, CAST(c AS TEXT) AS text FROM t ORDER BY id').all() as Value[],
  }))
}

/**
 * Whether `after` keeps `before`: the same value, or a number that text became and that reads back
 * as that text (a REAL with its `.0`), or a number that another number became with the same value.
 */
function keeps(before: Value, after: Value): boolean {
  if (before.type === after.type) return before.quoted === after.quoted
  const numeric = (t: string): boolean => t === 'integer' || t === 'real'
  if (before.type === 'text' && numeric(after.type)) return after.text === before.text || (after.type === 'real' && after.text === `${before.text}.0`)
  if (numeric(before.type) && (numeric(after.type) || after.type === 'text')) return Number(before.text) === Number(after.text)
  return false
}

describe('SQLite: generated rebuilds never convert values lossily', () => {
  for (const c of CASES) {
    it(`${c.name}: guards count exactly the values the copy would change; up fails with them and keeps every value, applies without them`, async () => {
      withDb((db) => {
        db.exec(c.from)
        for (const [id, literal] of Object.entries(c.rows)) db.exec(`INSERT INTO t VALUES (${id}, ${literal})`)
      })
      writeFileSync(config.target!, `${c.to};\n`)
      const outcome = await diff(config, { name: 'retype' })
      const guarded = outcome.plan.statements.filter((s) => s.guards !== undefined)
      expect(guarded.map((s) => s.sql)).toEqual([expect.stringMatching(/^INSERT INTO "_migrator_new_t" \("id", "c"\) SELECT "id", "c" FROM "t"$/)])

      // (a) the losses the driver reports match exactly the values the copy would change.
      const losses = await withDriver(config, async (driver) => {
        const current = await driver.inspect()
        return outcome.changes.flatMap((change) => driver.valueLosses?.(change, { current }) ?? [])
      })
      expect(losses.length).toBeGreaterThan(0)
      for (const loss of losses) {
        expect(loss).toMatchObject({ table: 't', column: 'c', from: '"t"' })
        expect(outcome.up).toContain(`-- migrator:check-before ${guardOf(loss)}\n`)
      }
      expect(guarded[0]!.guards).toEqual(losses.map(guardOf))
      const matched = withDb((db) => db.prepare(`SELECT id FROM t WHERE ${losses.map((l) => `(${l.where})`).join(' OR ')} ORDER BY id`).all())
      expect(matched.map((r) => (r as { id: number }).id)).toEqual([...c.lost])

      // (b) with values the copy would change, up fails on a guard and the database stays as it was.
      if (c.lost.length > 0) {
        const before = snapshot()
        const failed = await up(config, { force: true, allowDataLoss: true })
        expect(failed.error?.message).toMatch(/check-before `SELECT count\(\*\) = 0 FROM "t" WHERE .*` failed/)
        expect(snapshot()).toEqual(before)
        withDb((db) => db.exec(`DELETE FROM t WHERE id IN (${c.lost.join(', ')})`))
      }

      // (c) with only values it keeps, it applies and keeps each one; the down restores them exactly.
      const kept = snapshot()
      const applied = await up(config)
      expect(applied.error).toBeUndefined()
      const after = snapshot()
      expect(after.values.map((v) => v.id)).toEqual(kept.values.map((v) => v.id))
      const changed = after.values.filter((v, i) => !keeps(kept.values[i]!, v))
      expect(changed).toEqual([])
      const reverted = await down(config)
      expect(reverted.error).toBeUndefined()
      const restored = snapshot()
      expect(restored.type).toEqual(kept.type)
      expect(restored.values.filter((v, i) => !keeps(after.values[i]!, v))).toEqual([])
      if (c.exactDown !== false) expect(restored).toEqual(kept)
    })
  }

  it('a type change within one affinity converts nothing and carries no guard', async () => {
    withDb((db) => db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, c varchar(10)); INSERT INTO t VALUES (1, 'hello world')"))
    writeFileSync(config.target!, 'CREATE TABLE t (id INTEGER PRIMARY KEY, c varchar(3));\n')
    const outcome = await diff(config, { dryRun: true })
    expect(outcome.plan.statements.some((s) => s.guards !== undefined)).toBe(false)
    expect(outcome.up).not.toContain('check-before')
  })

  it('a renamed and retyped column is guarded under its old name (guards run before the rebuild)', async () => {
    withDb((db) => db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, old_c TEXT); INSERT INTO t VALUES (1, '42'), (2, '007')"))
    writeFileSync(config.target!, '-- migrator:rename column t.old_c to c\nCREATE TABLE t (id INTEGER PRIMARY KEY, c INTEGER);\n')
    const outcome = await diff(config, { name: 'rename' })
    expect(outcome.up).toMatch(/-- migrator:check-before SELECT count\(\*\) = 0 FROM "t" WHERE typeof\("old_c"\) = 'text' AND/)
    const failed = await up(config, { force: true, allowDataLoss: true })
    expect(failed.error?.message).toMatch(/check-before .* failed/)
    withDb((db) => db.exec('DELETE FROM t WHERE id = 2'))
    // Only fitting values left: lint reads the rebuild's copy as a rename, so no consent is needed.
    expect((await up(config)).error).toBeUndefined()
    expect(withDb((db) => db.prepare('SELECT id, c, typeof(c) AS type FROM t').all())).toEqual([{ id: 1, c: 42, type: 'integer' }])
  })
})
