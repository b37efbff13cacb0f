import type { Db } from '../db.js'
import type { Driver } from '../dialects/dialect.js'
import { DirectoryError } from '../errors.js'
import type { MigrationFile } from '../migrations/file.js'
import { importUserModule } from '../modules.js'
import { messageOf, migrationContext, type MigrationContext } from '../runner/execute.js'
import type { DataTestRun } from './data-test.js'

/**
 * The data test of a `.ts`/`.js` migration, the role `<version>_<name>.test.sql` plays beside a
 * SQL pair:
 *
 * ```ts
 * export const test = {
 *   async before(ctx) { await ctx.db.exec("INSERT INTO people (id, name) VALUES (1, 'Ann Lee')") },
 *   async expect(ctx) { return (await ctx.db.query('SELECT first_name FROM people'))[0]?.first_name === 'Ann' },
 *   async expectAfterDown(ctx) { ... },
 * }
 * ```
 *
 * Each part is optional and gets the migration context on the scratch database. `before` runs
 * before the up; `expect` after the up, `expectAfterDown` after the down: each fails when it
 * returns false or throws (an assertion library's error message is shown as is).
 */
export interface ModuleTest {
  readonly before?: (ctx: MigrationContext) => unknown
  readonly expect?: (ctx: MigrationContext) => unknown
  readonly expectAfterDown?: (ctx: MigrationContext) => unknown
}

/**
 * The data tests the module migrations of `files` export (`test`, named or on the default export),
 * by version. A `test` export that is not an object of those functions is a DirectoryError naming
 * the file: it would silently never run.
 */
export async function readModuleTests(files: readonly MigrationFile[]): Promise<Map<string, ModuleTest>> {
  const tests = new Map<string, ModuleTest>()
  for (const file of files) {
    if (file.format !== 'module') continue
    // A module that does not load fails its up, where the runner says why.
    const loaded = (await importUserModule(file.path).catch(() => undefined)) as { test?: unknown; default?: { test?: unknown } } | undefined
    const test = loaded?.test ?? loaded?.default?.test
    if (test === undefined) continue
    const parts = ['before', 'expect', 'expectAfterDown'] as const
    const valid =
      typeof test === 'object' &&
      test !== null &&
      Object.keys(test).every((key) => (parts as readonly string[]).includes(key)) &&
      parts.every((part) => ['undefined', 'function'].includes(typeof (test as Record<string, unknown>)[part]))
    if (!valid) throw new DirectoryError(`${file.upFile}: \`export const test\` must be an object with optional functions before(ctx), expect(ctx) and expectAfterDown(ctx)`)
    tests.set(file.version, test as ModuleTest)
  }
  return tests
}

/** Runs a module's test parts on `db`; failures are `<file>: test.<part>() …` lines. */
export function moduleTestRun(driver: Driver, file: MigrationFile, test: ModuleTest): DataTestRun {
  const call = async (db: Db, part: keyof ModuleTest, when: string): Promise<string | undefined> => {
    const fn = test[part]
    if (fn === undefined) return undefined
    try {
      const value = await fn(migrationContext(driver, db))
      return value === false ? `${file.upFile}: test.${part}() returned false ${when}` : undefined
    } catch (error) {
      return `${file.upFile}: test.${part}() threw ${when}: ${messageOf(error)}`
    }
  }
  return {
    before: (db) => call(db, 'before', 'before the up'),
    afterUp: async (db) => [await call(db, 'expect', 'after the up')].filter((f): f is string => f !== undefined),
    afterDown: async (db) => [await call(db, 'expectAfterDown', 'after the down')].filter((f): f is string => f !== undefined),
  }
}
