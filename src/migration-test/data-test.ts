import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import type { Db } from '../db.js'
import type { Driver } from '../dialects/dialect.js'
import { DirectoryError } from '../errors.js'
import { DATA_TEST_FILE } from '../migrations/directory.js'
import type { MigrationFile } from '../migrations/file.js'

/** One statement or expectation of a data test, with the line it starts on. */
export interface DataTestLine {
  readonly sql: string
  readonly line: number
}

/**
 * A migration's data test, `<version>_<name>.test.sql` beside its pair:
 *
 * ```sql
 * -- migrator:before
 * INSERT INTO users (id, name) VALUES (1, 'Ann Lee');
 * -- migrator:expect SELECT first_name = 'Ann' FROM users WHERE id = 1
 * -- migrator:expect-after-down SELECT name = 'Ann Lee' FROM users WHERE id = 1
 * ```
 *
 * The statements after `-- migrator:before` (up to the next directive) run before the up; each
 * `expect` query must return true after the up, each `expect-after-down` query after the down.
 */
export interface DataTest {
  /** File name relative to the migration directory, for messages. */
  readonly file: string
  readonly before: readonly DataTestLine[]
  readonly expect: readonly DataTestLine[]
  readonly expectAfterDown: readonly DataTestLine[]
}

/**
 * The data tests of `dir` by migration version. A test file whose migration is not in `files` is a
 * DirectoryError naming it: it would silently never run.
 */
export async function readDataTests(driver: Driver, dir: string, files: readonly MigrationFile[]): Promise<Map<string, DataTest>> {
  const tests = new Map<string, DataTest>()
  for (const name of (await readdir(dir)).sort()) {
    const match = DATA_TEST_FILE.exec(name)
    if (match === null) continue
    const migration = files.find((f) => f.version === match[1] && f.slug === match[2])
    if (migration === undefined) {
      throw new DirectoryError(`${path.join(dir, name)}: data test without a migration ${match[1]}_${match[2]}; rename it after its migration or delete it`)
    }
    tests.set(migration.version, parseDataTest(driver, name, await readFile(path.join(dir, name), 'utf8')))
  }
  return tests
}

/** Parses a data test's text; a directive other than the three, or a SQL line outside `before`, is a DirectoryError naming its line. */
export function parseDataTest(driver: Driver, file: string, text: string): DataTest {
  const before: DataTestLine[] = []
  const expect: DataTestLine[] = []
  const expectAfterDown: DataTestLine[] = []
  const lines = text.split('\n')
  let section: { start: number; lines: string[] } | undefined
  const flush = (): void => {
    if (section === undefined) return
    const start = section.start
    for (const statement of driver.splitStatements(section.lines.join('\n'))) before.push({ sql: statement.sql, line: start + statement.line - 1 })
    section = undefined
  }
  lines.forEach((raw, index) => {
    const line = index + 1
    const directive = /^\s*--\s*migrator:([a-z-]+)\s*(.*)$/.exec(raw)
    if (directive === null) {
      if (section !== undefined) section.lines.push(raw)
      else if (raw.trim() !== '' && !/^\s*--/.test(raw)) throw new DirectoryError(`${file}:${line}: SQL outside a \`-- migrator:before\` section; put it under one, or make it an expectation`)
      return
    }
    flush()
    const [, kind = '', rest = ''] = directive
    const query = rest.trim().replace(/;$/, '')
    if (kind === 'before') section = { start: line + 1, lines: [] }
    else if ((kind === 'expect' || kind === 'expect-after-down') && query !== '') (kind === 'expect' ? expect : expectAfterDown).push({ sql: query, line })
    else throw new DirectoryError(`${file}:${line}: expected \`-- migrator:before\`, \`-- migrator:expect <query>\` or \`-- migrator:expect-after-down <query>\``)
  })
  flush()
  return { file, before, expect, expectAfterDown }
}

/**
 * A migration's data test, whatever it is written in (a `.test.sql` file, a module's `test`
 * export): `before` runs before the up and returns the failure, if any; `afterUp` and `afterDown`
 * return one line per expectation that did not hold, each naming the file.
 */
export interface DataTestRun {
  before(db: Db): Promise<string | undefined>
  afterUp(db: Db): Promise<string[]>
  afterDown(db: Db): Promise<string[]>
}

/** The run of a `.test.sql` data test. */
export function sqlTestRun(test: DataTest): DataTestRun {
  return {
    before: (db) => runBefore(db, test),
    afterUp: (db) => runExpectations(db, test, test.expect, 'after the up'),
    afterDown: (db) => runExpectations(db, test, test.expectAfterDown, 'after the down'),
  }
}

/** Runs the `before` statements; the first that fails is returned as `<file>:<line>: …`. */
async function runBefore(db: Db, test: DataTest): Promise<string | undefined> {
  for (const statement of test.before) {
    try {
      await db.exec(statement.sql)
    } catch (error) {
      return `${test.file}:${statement.line}: the before statement failed: ${messageOf(error, statement.sql)}`
    }
  }
  return undefined
}

/** Runs expectations; one line `<file>:<line>: …` per expectation that is not true (or fails), `when` saying at which point. */
async function runExpectations(db: Db, test: DataTest, expectations: readonly DataTestLine[], when: string): Promise<string[]> {
  const failures: string[] = []
  for (const expectation of expectations) {
    try {
      const rows = await db.query(expectation.sql)
      const value = rows[0] === undefined ? undefined : Object.values(rows[0])[0]
      if (!isTrue(value)) failures.push(`${test.file}:${expectation.line}: expected true ${when}, got ${rows[0] === undefined ? 'no row' : String(value)}: ${expectation.sql}`)
    } catch (error) {
      failures.push(`${test.file}:${expectation.line}: the expectation failed ${when}: ${messageOf(error, expectation.sql)}`)
    }
  }
  return failures
}

/** true as each driver returns it: boolean, 1, '1', 't', 'true'. */
function isTrue(value: unknown): boolean {
  return value === true || value === 1 || value === 1n || value === '1' || value === 't' || value === 'true'
}

/** The error's first line, without the statement text some drivers put before it (`<sql> - <message>`). */
function messageOf(error: unknown, sql: string): string {
  const message = error instanceof Error ? error.message : String(error)
  return (message.startsWith(`${sql} - `) ? message.slice(sql.length + 3) : message).split('\n')[0] ?? ''
}
