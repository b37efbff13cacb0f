import { createHash } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Driver } from '../../src/dialects/dialect.js'
import { MARIADB, POSTGRES, type DatabaseKind, type FreshDatabase } from '../backfill/databases.js'
import { runCli, type CliResult } from '../cli/helpers.js'

/**
 * Issue 9: `migrator diff --zero-downtime` + `migrator up` (the built CLI) keep every value of a
 * renamed or retyped column, whatever its default, nullability and the writes during the phases.
 * 500 seeded rows per table (NULLs, the default itself, other values, unicode, int boundaries) are
 * compared by primary key (a sha256 over `id:value` in id order, and the sum) before and after.
 */
const ROWS = 500
const TIMEOUT_MS = 240_000
/** The int values a conversion or a default is most likely to lose. */
const INT_EDGES = [-2147483648, 2147483647, 0, -1, 1]
const TEXTS = ['naïve café', '日本語のテキスト', 'emoji 😀🚀', `O'Reilly "quoted"`, 'back\\slash', '', 'x'.repeat(90)]

type Value = number | string | null

/** A seeded column: its values by row number and the default the table gives it. */
interface Seed {
  readonly column: string
  readonly value: (i: number) => Value
}

/** An int column's value for row `i`: NULL (when nullable), the default itself, an edge, or any other number. */
function intValue(i: number, nullable: boolean, byDefault: number): Value {
  if (nullable && i % 7 === 3) return null
  if (i % 13 === 0) return byDefault
  if (i % 11 === 0) return INT_EDGES[(i / 11) % INT_EDGES.length]!
  return ((i * 7919) % 200_003) - 100_000
}

function textValue(i: number, nullable: boolean): Value {
  if (nullable && i % 7 === 3) return null
  if (i % 5 === 0) return TEXTS[(i / 5) % TEXTS.length]!
  return `row ${i} — ünïcødé ${i * 31}`
}

/** A database with a project directory (config, migrations, schema.sql) that the built CLI runs in. */
interface Project {
  readonly driver: Driver
  readonly dir: string
  target(sql: string): Promise<void>
  cli(...args: string[]): Promise<CliResult>
  /** Runs `sql` (`?` bindings) on the project's own connection. */
  exec(sql: string, bindings?: readonly unknown[]): Promise<void>
  /** A second connection, as another application instance would have. */
  open(): Promise<Driver>
  drop(): Promise<void>
}

async function project(kind: DatabaseKind, prefix: string, table: string): Promise<Project> {
  const db: FreshDatabase = await kind.create(prefix)
  const dir = await mkdtemp(path.join(os.tmpdir(), 'migrator-zd-values-'))
  await writeFile(path.join(dir, 'migrator.config.json'), JSON.stringify({ url: db.url.raw, dir: './migrations', target: './schema.sql' }))
  await db.driver.db.exec(table)
  return {
    driver: db.driver,
    dir,
    target: (sql) => writeFile(path.join(dir, 'schema.sql'), sql),
    cli: (...args) => runCli(args, { cwd: dir }),
    exec: (sql, bindings = []) => db.driver.db.exec(sql, bindings),
    open: () => db.open(),
    async drop() {
      await rm(dir, { recursive: true, force: true })
      await db.drop()
    },
  }
}

/** Inserts rows 1..ROWS of `t` with the seeds' values, 100 rows per statement. */
async function seed(p: Project, seeds: readonly Seed[]): Promise<void> {
  const columns = ['id', ...seeds.map((s) => s.column)]
  for (let start = 1; start <= ROWS; start += 100) {
    const ids = Array.from({ length: Math.min(100, ROWS - start + 1) }, (_, k) => start + k)
    await p.exec(
      `INSERT INTO t (${columns.join(', ')}) VALUES ${ids.map(() => `(${columns.map(() => '?').join(', ')})`).join(', ')}`,
      ids.flatMap((i) => [i, ...seeds.map((s) => s.value(i))]),
    )
  }
}

/** The seeded rows' `id:value` of `column` in id order (values as text, NULL as null), their sha256, and sum(column) when numeric. */
interface Snapshot {
  readonly rows: readonly (readonly [number, string | null])[]
  readonly checksum: string
  readonly sum: string | null
}

async function snapshot(driver: Driver, column: string): Promise<Snapshot> {
  const where = `id <= ${ROWS}`
  const rows = (await driver.db.query<{ id: unknown; v: unknown }>(`SELECT id, ${driver.quoteIdent(column)} AS v FROM t WHERE ${where} ORDER BY id`)).map(
    (r) => [Number(r.id), r.v === null ? null : String(r.v)] as const,
  )
  const checksum = createHash('sha256').update(rows.map(([id, v]) => `${id}:${v ?? '\u2205'}`).join('\n')).digest('hex')
  const numeric = rows.some(([, v]) => v !== null && /^-?\d+$/.test(v))
  const [total] = numeric ? await driver.db.query<{ s: unknown }>(`SELECT sum(${driver.quoteIdent(column)}) AS s FROM t WHERE ${where}`) : [{ s: null }]
  return { rows, checksum, sum: total?.s === null || total?.s === undefined ? null : String(total.s) }
}

/** The value of `column` in row `id`, as text. */
async function valueOf(driver: Driver, column: string, id: number): Promise<string | null> {
  const [row] = await driver.db.query<{ v: unknown }>(`SELECT ${driver.quoteIdent(column)} AS v FROM t WHERE id = ?`, [id])
  expect(row, `row ${id}`).toBeDefined()
  return row!.v === null ? null : String(row!.v)
}

type Phase = 'expand' | 'online' | 'contract'

/** The phases `diff <name> --zero-downtime` wrote, in order; nothing else may be written. */
async function generate(p: Project, name: string): Promise<Phase[]> {
  const run = await p.cli('diff', name, '--zero-downtime')
  expect(run.code, run.stderr).toBe(0)
  const ups = (await readdir(path.join(p.dir, 'migrations'))).filter((f) => f.endsWith('.up.sql')).sort()
  const phases = ups.map((f) => /_(expand|online|contract)\.up\.sql$/.exec(f)?.[1])
  expect(phases.every((phase) => phase !== undefined), ups.join(', ')).toBe(true)
  return phases as Phase[]
}

/**
 * `up --steps 1` per phase, `between(phase)` after each. No consent is given: the contract drops the
 * old column, but it declares (and guards) that its values are kept in the new one, so nothing
 * counts as destroyed; the assertions on the values prove it.
 */
async function applyPhases(p: Project, phases: readonly Phase[], between: (phase: Phase) => Promise<void> = async () => undefined): Promise<void> {
  for (const phase of phases) {
    const run = await p.cli('up', '--steps', '1')
    expect(run.code, `${phase}: ${run.stderr}`).toBe(0)
    await between(phase)
  }
}

async function expectNoChanges(p: Project): Promise<void> {
  const check = await p.cli('diff', '--check')
  expect(check.code, check.stdout + check.stderr).toBe(0)
  expect(check.stdout).toContain('No changes')
}

/** One value-preservation case: a table of one seeded column, and the declared change to it. */
interface Case {
  readonly title: string
  readonly table: string
  readonly target: string
  readonly seed: Seed
  /** The column after the migration. */
  readonly to: string
  /** What an INSERT that leaves the column out stores (the DEFAULT, or NULL without one). */
  readonly omitted: string | null
  readonly nullable: boolean
  /** A value the application writes explicitly during the phases. */
  readonly written: string
  /** Renames: the new application writes the new name once the online phase is done. */
  readonly renamed: boolean
}

const CASES: readonly Case[] = [
  {
    title: '(a) rename of a column with a DEFAULT',
    table: 'CREATE TABLE t (id int PRIMARY KEY, score int DEFAULT 7)',
    target: '-- migrator:rename column t.score to points\nCREATE TABLE t (id int PRIMARY KEY, points int DEFAULT 7);\n',
    seed: { column: 'score', value: (i) => intValue(i, true, 7) },
    to: 'points',
    omitted: '7',
    nullable: true,
    written: '-2147483648',
    renamed: true,
  },
  {
    title: '(b) rename of a NOT NULL column with a DEFAULT',
    table: "CREATE TABLE t (id int PRIMARY KEY, label varchar(200) NOT NULL DEFAULT 'none')",
    target: "-- migrator:rename column t.label to title\nCREATE TABLE t (id int PRIMARY KEY, title varchar(200) NOT NULL DEFAULT 'none');\n",
    seed: { column: 'label', value: (i) => (i % 17 === 0 ? 'none' : textValue(i, false)) },
    to: 'title',
    omitted: 'none',
    nullable: false,
    written: 'écrit pendant la migration ✓',
    renamed: true,
  },
  {
    title: '(c) type change int → bigint of a column with a DEFAULT',
    table: 'CREATE TABLE t (id int PRIMARY KEY, n int NOT NULL DEFAULT 5)',
    target: 'CREATE TABLE t (id int PRIMARY KEY, n bigint NOT NULL DEFAULT 5);\n',
    seed: { column: 'n', value: (i) => intValue(i, false, 5) },
    to: 'n',
    omitted: '5',
    nullable: false,
    written: '2147483647',
    renamed: false,
  },
  {
    title: '(d) type change of a NULLable column without default',
    table: 'CREATE TABLE t (id int PRIMARY KEY, note varchar(100))',
    target: 'CREATE TABLE t (id int PRIMARY KEY, note varchar(300));\n',
    seed: { column: 'note', value: (i) => textValue(i, true) },
    to: 'note',
    omitted: null,
    nullable: true,
    written: '書き込み 😀',
    renamed: false,
  },
]

for (const kind of [POSTGRES, MARIADB]) {
  const available = await kind.available()
  describe.skipIf(!available)(`zero-downtime phases keep every value on ${kind.name}`, () => {
    const projects: Project[] = []
    const open = async (prefix: string, table: string): Promise<Project> => {
      const p = await project(kind, prefix, table)
      projects.push(p)
      return p
    }
    afterAll(async () => {
      for (const p of projects) await p.drop()
    })

    for (const c of CASES) {
      it(`${c.title}: every row keeps its value, omitted columns get the default, a second diff is empty`, async () => {
        const p = await open('zdv', c.table)
        await seed(p, [c.seed])
        const before = await snapshot(p.driver, c.seed.column)
        expect(before.rows.filter(([, v]) => v === c.omitted).length).toBeGreaterThan(0)
        if (c.nullable) expect(before.rows.some(([, v]) => v === null)).toBe(true)

        await p.target(c.target)
        const phases = await generate(p, 'values')
        expect(phases).toEqual(c.nullable ? ['expand', 'contract'] : ['expand', 'online', 'contract'])
        // Rows the application writes between the phases: ids 1000 + k leave the column out, 2000 + k
        // write a value, 3000 + k write NULL (NULLable columns), 4000 + k come from the new code.
        let k = 0
        await applyPhases(p, phases, async (phase) => {
          if (phase === 'contract') return
          k++
          await p.exec(`INSERT INTO t (id) VALUES (?)`, [1000 + k])
          await p.exec(`INSERT INTO t (id, ${c.seed.column}) VALUES (?, ?)`, [2000 + k, c.written])
          if (c.nullable) {
            await p.exec(`INSERT INTO t (id, ${c.seed.column}) VALUES (?, NULL)`, [3000 + k])
            // An update to NULL must reach the new column too.
            await p.exec(`UPDATE t SET ${c.seed.column} = NULL WHERE id = ?`, [2 * k])
          }
          if (c.renamed && phase === phases.at(-2)) {
            await p.exec(`INSERT INTO t (id, ${c.to}) VALUES (?, ?)`, [4000 + k, c.written])
            await p.exec(`INSERT INTO t (id) VALUES (?)`, [4100 + k])
          }
        })
        await p.exec(`INSERT INTO t (id) VALUES (?)`, [5000])

        const updated = new Set(c.nullable ? Array.from({ length: k }, (_, j) => 2 * (j + 1)) : [])
        const expected = before.rows.map(([id, v]) => [id, updated.has(id) ? null : v] as const)
        const after = await snapshot(p.driver, c.to)
        expect(after.rows).toEqual(expected)
        if (updated.size === 0) {
          expect(after.checksum).toBe(before.checksum)
          expect(after.sum).toBe(before.sum)
        }
        for (let j = 1; j <= k; j++) {
          expect(await valueOf(p.driver, c.to, 1000 + j)).toBe(c.omitted)
          expect(await valueOf(p.driver, c.to, 2000 + j)).toBe(c.written)
          if (c.nullable) expect(await valueOf(p.driver, c.to, 3000 + j)).toBeNull()
        }
        if (c.renamed) {
          expect(await valueOf(p.driver, c.to, 4000 + k)).toBe(c.written)
          expect(await valueOf(p.driver, c.to, 4100 + k)).toBe(c.omitted)
        }
        expect(await valueOf(p.driver, c.to, 5000)).toBe(c.omitted)
        await expectNoChanges(p)
      }, TIMEOUT_MS)
    }

    it('(e) with a writer inserting and updating rows on its own connection during the phases, every value and every write survives', async () => {
      const p = await open('zdw', 'CREATE TABLE t (id int PRIMARY KEY, score int NOT NULL DEFAULT 7, n int DEFAULT 5)')
      await seed(p, [
        { column: 'score', value: (i) => intValue(i, false, 7) },
        { column: 'n', value: (i) => intValue(i, true, 5) },
      ])
      // What every row must hold in the end: the seed, then each write the writer made.
      const expected = new Map<number, [string | null, string | null]>()
      for (const row of (await snapshot(p.driver, 'score')).rows) expected.set(row[0], [row[1], null])
      for (const [id, n] of (await snapshot(p.driver, 'n')).rows) expected.get(id)![1] = n
      await p.target(
        '-- migrator:rename column t.score to points\nCREATE TABLE t (id int PRIMARY KEY, points int NOT NULL DEFAULT 7, n bigint DEFAULT 5);\n',
      )
      const phases = await generate(p, 'busy')
      expect(phases).toEqual(['expand', 'online', 'contract'])
      // Slow the backfills to 50-row chunks so the writes land while they walk the table.
      const expand = (await readdir(path.join(p.dir, 'migrations'))).find((f) => f.endsWith('_busy_expand.up.sql'))!
      const file = path.join(p.dir, 'migrations', expand)
      await writeFile(file, (await readFile(file, 'utf8')).replace(/batch=1000/g, 'batch=50 sleep=10'))
      expect((await p.cli('hash')).code).toBe(0)

      const writer = startWriter(await p.open(), expected)
      await applyPhases(p, ['expand', 'online'], async () => {
        await writer.settle()
      })
      const report = await writer.stop()
      expect(report.errors).toEqual([])
      expect(report.inserts).toBeGreaterThan(5)
      expect(report.updates).toBeGreaterThan(5)
      await applyPhases(p, ['contract'])

      const rows = await p.driver.db.query<{ id: unknown; points: unknown; n: unknown }>('SELECT id, points, n FROM t ORDER BY id')
      const text = (v: unknown): string | null => (v === null ? null : String(v))
      expect(rows.map((r) => [Number(r.id), text(r.points), text(r.n)])).toEqual([...expected.entries()].sort(([a], [b]) => a - b).map(([id, [s, n]]) => [id, s, n]))
      // The writer's INSERTs that left both columns out got both defaults.
      expect(report.omitted.length).toBeGreaterThan(0)
      for (const id of report.omitted) expect(expected.get(id)).toEqual(['7', '5'])
      await expectNoChanges(p)
    }, TIMEOUT_MS)

    it('(f) a backfill whose result differs from the old column fails the phase, naming table, column and count, and drops nothing', async () => {
      const p = await open('zdf', 'CREATE TABLE t (id int PRIMARY KEY, score int DEFAULT 0)')
      await seed(p, [{ column: 'score', value: (i) => intValue(i, true, 0) }])
      const before = await snapshot(p.driver, 'score')
      const differing = before.rows.filter(([, v]) => v !== '0').length
      await p.target('-- migrator:rename column t.score to points\nCREATE TABLE t (id int PRIMARY KEY, points int DEFAULT 0);\n')
      expect(await generate(p, 'bad')).toEqual(['expand', 'contract'])
      // What the generator wrote before this fix: the new column added WITH the default, so every
      // existing row reads 0 there and the backfill (`WHERE points IS NULL`) has nothing to do.
      const expand = (await readdir(path.join(p.dir, 'migrations'))).find((f) => f.endsWith('_bad_expand.up.sql'))!
      const file = path.join(p.dir, 'migrations', expand)
      const text = await readFile(file, 'utf8')
      const faulty = text.replace(/(ADD COLUMN [`"]points[`"] (?:integer|int)(?: NULL)?)/, '$1 DEFAULT 0')
      expect(faulty).not.toBe(text)
      await writeFile(file, faulty)
      expect((await p.cli('hash')).code).toBe(0)

      const failed = await p.cli('up', '--steps', '1')
      expect(failed.code).toBe(1)
      expect(failed.stderr).toMatch(/backfill of (public\.)?t failed verification/)
      expect(failed.stderr).toContain(`${differing} rows where `)
      expect(failed.stderr).toContain(kind.name === 'postgres' ? '"points" IS DISTINCT FROM "score"' : 'NOT (`points` <=> `score`)')
      // The contract never ran: the old column and its values are all there.
      expect(await snapshot(p.driver, 'score')).toEqual(before)
      // Nor does a rerun: the verification runs again and fails again, and the contract stays pending.
      const again = await p.cli('up')
      expect(again.code).toBe(1)
      expect(await snapshot(p.driver, 'score')).toEqual(before)
    }, TIMEOUT_MS)

    it('(g) the downs restore each previous phase with every value, including rows the new application wrote', async () => {
      const table = 'CREATE TABLE t (id int PRIMARY KEY, score int NOT NULL DEFAULT 7, n int DEFAULT 5)'
      const p = await open('zdg', table)
      const shape = await columns(p.driver)
      await seed(p, [
        { column: 'score', value: (i) => intValue(i, false, 7) },
        { column: 'n', value: (i) => intValue(i, true, 5) },
      ])
      const score = await snapshot(p.driver, 'score')
      const n = await snapshot(p.driver, 'n')
      await p.target('-- migrator:rename column t.score to points\nCREATE TABLE t (id int PRIMARY KEY, points int NOT NULL DEFAULT 7, n bigint DEFAULT 5);\n')
      expect(await generate(p, 'roundtrip')).toEqual(['expand', 'online', 'contract'])
      await applyPhases(p, ['expand', 'online'])
      // The new application is deployed, writes `points` only (`score` takes its default), then is rolled back.
      await p.exec('INSERT INTO t (id, points, n) VALUES (?, ?, ?)', [9001, 4242, 9])
      const rollback = await p.cli('down', '--steps', '2')
      expect(rollback.code, rollback.stderr).toBe(0)
      expect(await valueOf(p.driver, 'score', 9001)).toBe('4242')
      expect(await valueOf(p.driver, 'n', 9001)).toBe('9')
      expect(await snapshot(p.driver, 'score')).toEqual(score)
      expect(await snapshot(p.driver, 'n')).toEqual(n)

      const forward = await p.cli('up')
      expect(forward.code, forward.stderr).toBe(0)
      expect((await snapshot(p.driver, 'points')).checksum).toBe(score.checksum)
      expect((await snapshot(p.driver, 'n')).checksum).toBe(n.checksum)
      expect(await valueOf(p.driver, 'points', 9001)).toBe('4242')

      const back = await p.cli('down', '--steps', '3')
      expect(back.code, back.stderr).toBe(0)
      expect(await snapshot(p.driver, 'score')).toEqual(score)
      expect(await snapshot(p.driver, 'n')).toEqual(n)
      expect(await valueOf(p.driver, 'score', 9001)).toBe('4242')
      // The columns are the ones before the phases, NOT NULL and defaults included.
      expect(await columns(p.driver)).toEqual(shape)
    }, TIMEOUT_MS)
  })
}

/** The columns of `t` by name, as inspected (their position aside: a down re-adds a column at the end). */
async function columns(driver: Driver): Promise<unknown[]> {
  const table = (await driver.inspect()).tables.find((t) => t.name === 't')
  return [...(table?.columns ?? [])].sort((a, b) => a.name.localeCompare(b.name))
}

/** What the writer did, for the assertions. */
interface WriterReport {
  readonly inserts: number
  readonly updates: number
  /** Ids inserted with both columns left out. */
  readonly omitted: readonly number[]
  readonly errors: readonly string[]
}

/**
 * The old application on its own connection: inserts (leaving both columns out, or writing values,
 * NULL for `n`) and updates of random seeded rows (to values, `n` to NULL), 2 ms apart, until
 * stopped. Each write that succeeds updates `expected`; errors are recorded, never thrown.
 */
function startWriter(driver: Driver, expected: Map<number, [string | null, string | null]>): { settle(): Promise<void>; stop(): Promise<WriterReport> } {
  let stopped = false
  let ops = 0
  let inserts = 0
  let updates = 0
  const omitted: number[] = []
  const errors: string[] = []
  const loop = (async () => {
    let nextId = 10_001
    while (!stopped) {
      const op = ops % 4
      try {
        if (op === 0) {
          const id = nextId++
          await driver.db.exec('INSERT INTO t (id) VALUES (?)', [id])
          expected.set(id, ['7', '5'])
          omitted.push(id)
          inserts++
        } else if (op === 1) {
          const id = nextId++
          const score = ops % 3 === 0 ? 2147483647 : -ops
          const n = ops % 5 === 0 ? null : ops * 1000
          await driver.db.exec('INSERT INTO t (id, score, n) VALUES (?, ?, ?)', [id, score, n])
          expected.set(id, [String(score), n === null ? null : String(n)])
          inserts++
        } else {
          const id = 1 + ((ops * 7919) % ROWS)
          const n = op === 3 ? null : -ops
          await driver.db.exec('UPDATE t SET score = ?, n = ? WHERE id = ?', [ops, n, id])
          expected.set(id, [String(ops), n === null ? null : String(n)])
          updates++
        }
      } catch (error) {
        errors.push(`op ${ops}: ${(error as Error).message}`)
      }
      ops++
      await new Promise((resolve) => setTimeout(resolve, 2))
    }
  })()
  return {
    async settle() {
      const target = ops + 2
      while (ops < target && !stopped) await new Promise((resolve) => setTimeout(resolve, 5))
    },
    async stop() {
      stopped = true
      await loop
      await driver.close()
      return { inserts, updates, omitted, errors }
    },
  }
}
