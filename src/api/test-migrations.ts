import type { ResolvedConfig } from '../config/schema.js'
import type { InspectOptions, ScratchDriver } from '../dialects/dialect.js'
import { DirectoryError, MigratorError } from '../errors.js'
import { isEmptySql } from '../migrations/directory.js'
import type { MigrationFile } from '../migrations/file.js'
import { readDataTests, sqlTestRun, type DataTestRun } from '../migration-test/data-test.js'
import { moduleTestRun, readModuleTests } from '../migration-test/module-test.js'
import { compareRows, comparableTables, readRows, type TableRows } from '../migration-test/rows.js'
import { Seeder, type SeedProblem } from '../migration-test/seed.js'
import { runDown } from '../runner/down.js'
import { runUp } from '../runner/run.js'
import { loadModule, mentionsAnyTable } from '../runner/execute.js'
import { describeChange } from '../schema/describe.js'
import { diffSchemas } from '../schema/diff.js'
import { qualifiedName, type Schema } from '../schema/model.js'
import { listMigrations } from './directory.js'
import { inspectOptions, scratchRunOptions, withDriver, withScratch } from './session.js'

/** Where a migration's round trip failed. */
export type TestStep = 'before' | 'up' | 'down' | 'up-again'

export interface MigrationTest {
  readonly version: string
  readonly name: string
  /**
   * `pass`: up, down and up again behaved; `fail`: see `step` and `differences`; `irreversible`:
   * it has no down (no or an empty down file, a module without down()), so only its up ran;
   * `not-run`: an earlier failure left the scratch database where this one cannot be tested.
   */
  readonly status: 'pass' | 'fail' | 'irreversible' | 'not-run'
  readonly step?: TestStep
  /** What went wrong at `step`: the error, or one line per schema difference or row loss. */
  readonly differences?: readonly string[]
  /** Tables seeded with rows before the down (qualified names). */
  readonly seeded?: readonly string[]
  /** Tables the seeder could not fill, and why: their rows are not compared. */
  readonly notSeeded?: readonly SeedProblem[]
}

export interface TestReport {
  /** The migrations tested, in order (with --latest, only the newest N). */
  readonly migrations: readonly MigrationTest[]
  /** Migrations applied without testing before the tested ones (--latest). */
  readonly replayed: number
  readonly failed: number
}

export interface TestOptions {
  /** Test only the newest `latest` migrations (the earlier ones are applied first, untested). */
  readonly latest?: number
}

/**
 * `migrator test`: replays the migration directory on a scratch database (devUrl, or a temporary
 * one on the configured database's server; never the configured database itself) and round-trips
 * each migration: up, seed rows into the tables it touches, down (schema must be as before the up,
 * the seeded rows unchanged), up again (schema as after the first up). A migration's data test
 * (`<version>_<name>.test.sql`) adds its `before` statements ahead of the up and its expectations
 * after the up and after the down. Migrations run through the runner as `up` and `down` run them,
 * directives and transactions included.
 */
export async function testMigrations(config: ResolvedConfig, options: TestOptions = {}): Promise<TestReport> {
  const files = await listMigrations(config.dir)
  const latest = options.latest ?? files.length
  const tested = files.slice(Math.max(0, files.length - latest))
  const untested = files.slice(0, files.length - tested.length)
  return withDriver(
    config,
    (driver) =>
      withScratch(driver, config, async (scratch) => {
        const run = scratchRunOptions(config, 'migrator test')
        const last = untested.at(-1)
        if (last !== undefined) {
          const replay = await runUp(scratch, files, { ...run, to: last.version })
          if (replay.error !== undefined) {
            throw new MigratorError('test-replay-failed', `the migrations before the ${tested.length} tested do not apply on a scratch database: ${replay.error.message}`)
          }
        }
        const tester = new RoundTrip(scratch, inspectOptions(config, driver), files, run, await dataTests(scratch, config.dir, files))
        const migrations: MigrationTest[] = []
        for (const file of tested) {
          if (migrations.some((m) => m.status === 'fail')) {
            migrations.push({ version: file.version, name: file.slug, status: 'not-run' })
            continue
          }
          migrations.push(await tester.test(file))
        }
        return { migrations, replayed: untested.length, failed: migrations.filter((m) => m.status === 'fail').length }
      }),
    { readOnly: true, missingAsEmpty: true },
  )
}

class RoundTrip {
  private readonly seeder: Seeder
  /** The schema the previous migration left (checked by its second up): the next one's S0, not inspected again. */
  private current: Schema | undefined

  constructor(
    private readonly scratch: ScratchDriver,
    /** The live database's inspect options: the scratch database is inspected over the same schemas. */
    private readonly inspectOptions: InspectOptions,
    private readonly files: readonly MigrationFile[],
    private readonly run: ReturnType<typeof scratchRunOptions>,
    private readonly dataTests: ReadonlyMap<string, DataTestRun>,
  ) {
    this.seeder = new Seeder(scratch)
  }

  async test(file: MigrationFile): Promise<MigrationTest> {
    const ref = { version: file.version, name: file.slug }
    const fail = (step: TestStep, differences: readonly string[], seeded?: Seeded): MigrationTest => ({ ...ref, status: 'fail', step, differences, ...seeded })

    const data = this.dataTests.get(file.version)
    const before = this.current ?? (await this.inspect())
    this.current = undefined
    const prepared = await data?.before(this.scratch.db)
    if (prepared !== undefined) return fail('before', [prepared])
    const up = await runUp(this.scratch, this.files, { ...this.run, to: file.version })
    if (up.error !== undefined) return fail('up', [up.error.message])
    const expected = (await data?.afterUp(this.scratch.db)) ?? []
    if (expected.length > 0) return fail('up', expected)
    const after = await this.inspect()
    if (!(await reversible(file))) {
      this.current = after
      return { ...ref, status: 'irreversible' }
    }

    const seeded = await this.seed(file, before, after)
    const rows: TableRows[] = []
    for (const { table, columns } of comparableTables(before, after)) rows.push(await readRows(this.scratch, table, columns))

    const down = await runDown(this.scratch, this.files, { ...this.run, steps: 1 })
    if (down.error !== undefined) return fail('down', [down.error.message], seeded)
    const reverted = await this.inspect()
    const downProblems = [
      ...this.differences(before, reverted).map((d) => `the down did not restore the schema (before the up → after the down): ${d}`),
      ...(await compareRows(this.scratch, rows, reverted)),
      ...((await data?.afterDown(this.scratch.db)) ?? []),
    ]
    if (downProblems.length > 0) return fail('down', downProblems, seeded)

    const again = await runUp(this.scratch, this.files, { ...this.run, to: file.version })
    if (again.error !== undefined) return fail('up-again', [again.error.message], seeded)
    const reapplied = await this.inspect()
    const againProblems = this.differences(after, reapplied).map((d) => `the second up gave another schema than the first (first → second): ${d}`)
    if (againProblems.length > 0) return fail('up-again', againProblems, seeded)
    this.current = reapplied
    return { ...ref, status: 'pass', ...seeded }
  }

  private inspect(): Promise<Schema> {
    return this.scratch.inspect(this.inspectOptions)
  }

  /** One line per change from `expected` to `actual` (what `actual` has that `expected` does not, or lacks). */
  private differences(expected: Schema, actual: Schema): string[] {
    return diffSchemas(expected, actual, { capabilities: this.scratch.capabilities }).changes.map(describeChange)
  }

  /**
   * Seeds the tables the migration touches: those whose structure it changes, and those its SQL
   * names (a data migration), with their foreign-key parents.
   */
  private async seed(file: MigrationFile, before: Schema, after: Schema): Promise<Seeded> {
    const touched = new Set<string>()
    for (const change of diffSchemas(before, after, { capabilities: this.scratch.capabilities }).changes) {
      if (change.kind === 'createTable') touched.add(qualifiedName(change.table))
      else if (change.kind === 'alterTable' || change.kind === 'renameTable') touched.add(qualifiedName(change.to))
    }
    const text = `${file.format === 'sql' ? file.up : ''}\n${file.down ?? ''}`
    for (const table of after.tables) if (mentionsAnyTable(text, [table.name])) touched.add(qualifiedName(table))
    const notSeeded = await this.seeder.seed(after, touched)
    const seeded = [...touched].filter((t) => !notSeeded.some((p) => p.table === t)).sort()
    return { seeded, ...(notSeeded.length === 0 ? {} : { notSeeded }) }
  }
}

/** The data tests of the directory by version: `.test.sql` files and the `test` exports of module migrations. */
async function dataTests(scratch: ScratchDriver, dir: string, files: readonly MigrationFile[]): Promise<Map<string, DataTestRun>> {
  const tests = new Map<string, DataTestRun>()
  for (const [version, test] of await readDataTests(scratch, dir, files)) tests.set(version, sqlTestRun(test))
  for (const [version, test] of await readModuleTests(files)) {
    const file = files.find((f) => f.version === version)!
    if (tests.has(version)) throw new DirectoryError(`${file.upFile} exports a test and has a .test.sql data test too; keep one of them`)
    tests.set(version, moduleTestRun(scratch, file, test))
  }
  return tests
}

interface Seeded {
  readonly seeded: readonly string[]
  readonly notSeeded?: readonly SeedProblem[]
}

/** Whether the migration has a down to run: a non-empty down file, or a module exporting down(). */
async function reversible(file: MigrationFile): Promise<boolean> {
  if (file.format === 'module') return (await loadModule(file)).down !== undefined
  return file.down !== undefined && !isEmptySql(file.down)
}
