import { rmSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { execSqlite } from '../helpers/sqlite-dump.js'
import { tempProject, type TempProject } from './helpers.js'
import { expectHumanFailure, expectScenario, runTest, writeMigrations, type Scenario } from './migration-test-scenarios.js'

const CONFIG = "export default { url: 'sqlite:./app.db', dir: './migrations' }\n"

let project: TempProject
afterEach(() => project?.remove())

describe('migrator test on SQLite', () => {
  for (const scenario of ['correct', 'forgets-index', 'recreates-table', 'leaves-column'] as Scenario[]) {
    it(`${scenario}: round-trips on a scratch database and never creates the configured one`, { timeout: 120_000 }, async () => {
      project = tempProject({ 'migrator.config.ts': CONFIG })
      await expectScenario(project, 'sqlite', scenario, (name) => name)
      expect(project.exists('app.db')).toBe(false)
    })
  }

  it('names the failing migration, step and difference in its human output', { timeout: 120_000 }, async () => {
    project = tempProject({ 'migrator.config.ts': CONFIG })
    await expectHumanFailure(project, 'sqlite')
  })

  it('--latest tests only the newest migrations, applying the earlier ones untested', { timeout: 120_000 }, async () => {
    project = tempProject({ 'migrator.config.ts': CONFIG })
    await writeMigrations(project, 'sqlite', 'forgets-index')
    const { code, report } = await runTest(project, ['--latest', '1'])
    expect(code).toBe(0)
    expect(report).toMatchObject({ replayed: 2, failed: 0, migrations: [{ name: 'add_nick', status: 'irreversible' }] })
    const bad = await project.run(['test', '--latest', 'x'])
    expect(bad.code).toBe(1)
    expect(bad.stderr.trim()).toBe('error: --latest: expected a positive whole number, got "x"')
  })

  it('seeds columns of every kind the generator knows, with CHECK lists and bounds, JSON read by generated columns and NOT NULL honored, and keeps their values across the down', { timeout: 120_000 }, async () => {
    project = tempProject({ 'migrator.config.ts': CONFIG })
    project.write(
      'migrations/20240101000000_kinds.up.sql',
      "CREATE TABLE kinds (id integer PRIMARY KEY, code char(2) NOT NULL UNIQUE, state text NOT NULL CHECK (state IN ('on', 'off')), price numeric(8,2) CHECK (price > 0), born date, at timestamp, data blob, doc json, " +
        "discount REAL NOT NULL CHECK (discount >= 0 AND discount <= 1), email TEXT NOT NULL CHECK (instr(email, '@') > 1), attributes TEXT, " +
        "title TEXT GENERATED ALWAYS AS (json_extract(attributes, '$.Title')) STORED);\n",
    )
    project.write('migrations/20240101000000_kinds.down.sql', 'DROP TABLE kinds;\n')
    project.write('migrations/20240102000000_flag.up.sql', 'ALTER TABLE kinds ADD COLUMN flag boolean NOT NULL DEFAULT 0;\n')
    project.write('migrations/20240102000000_flag.down.sql', 'ALTER TABLE kinds DROP COLUMN flag;\n')
    expect((await project.run(['hash'])).code).toBe(0)
    const { code, report, stderr } = await runTest(project)
    expect(code, stderr).toBe(0)
    expect(report.migrations.map((m) => [m.status, m.seeded, m.notSeeded])).toEqual([
      ['pass', ['kinds'], undefined],
      ['pass', ['kinds'], undefined],
    ])
  })
})

describe('migrator test with .ts migrations on SQLite', () => {
  it('round-trips a module with down() and reports one without it as irreversible', { timeout: 120_000 }, async () => {
    project = tempProject({ 'migrator.config.ts': CONFIG })
    project.write('migrations/20240101000000_people.up.sql', 'CREATE TABLE people (id integer PRIMARY KEY, name text NOT NULL);\n')
    project.write('migrations/20240101000000_people.down.sql', 'DROP TABLE people;\n')
    project.write(
      'migrations/20240102000000_nick.ts',
      "export async function up(ctx) { await ctx.db.exec('ALTER TABLE people ADD COLUMN nick text') }\n" +
        "export async function down(ctx) { await ctx.db.exec('ALTER TABLE people DROP COLUMN nick') }\n",
    )
    project.write('migrations/20240103000000_tidy.ts', "export async function up(ctx) { await ctx.db.exec('UPDATE people SET nick = name') }\n")
    expect((await project.run(['hash'])).code).toBe(0)
    const { code, report, stderr } = await runTest(project)
    expect(code, stderr).toBe(0)
    expect(report.migrations.map((m) => [m.name, m.status])).toEqual([
      ['people', 'pass'],
      ['nick', 'pass'],
      ['tidy', 'irreversible'],
    ])

    // A module down() that forgets its column is caught like a SQL one.
    project.write('migrations/20240102000000_nick.ts', "export async function up(ctx) { await ctx.db.exec('ALTER TABLE people ADD COLUMN nick text') }\nexport async function down() {}\n")
    expect((await project.run(['hash'])).code).toBe(0)
    const failing = await runTest(project)
    expect(failing.code).toBe(2)
    expect(failing.report.migrations[1]).toMatchObject({
      status: 'fail',
      step: 'down',
      differences: ['the down did not restore the schema (before the up → after the down): alter table people: add column nick'],
    })
  })
})

describe('migrator verify on SQLite', () => {
  it('says OK on a sound database and finds rows inserted with foreign keys off', { timeout: 60_000 }, async () => {
    project = tempProject({ 'migrator.config.ts': CONFIG })
    execSqlite(`${project.dir}/app.db`, 'CREATE TABLE authors (id INTEGER PRIMARY KEY); CREATE TABLE books (id INTEGER PRIMARY KEY, author_id INTEGER REFERENCES authors (id)); INSERT INTO authors VALUES (1); INSERT INTO books VALUES (1, 1);')
    const sound = await project.run(['verify'])
    expect(sound.code, sound.stderr).toBe(0)
    expect(sound.stdout.trim()).toBe('OK: no problems found')

    execSqlite(`${project.dir}/app.db`, 'PRAGMA foreign_keys = OFF; INSERT INTO books VALUES (2, 7), (3, 8), (4, NULL);')
    const found = await project.run(['verify', '--json'])
    expect(found.code, found.stderr).toBe(2)
    expect(JSON.parse(found.stdout)).toEqual({
      database: 'sqlite:./app.db',
      findings: [{ kind: 'fk-orphans', table: 'books', object: 'foreign key to authors', rows: 2, message: '2 rows of books reference a missing row of authors (rowid 2, 3); delete or fix them' }],
    })
  })

  it('refuses a database file that does not exist, creating nothing', { timeout: 60_000 }, async () => {
    project = tempProject({ 'migrator.config.ts': CONFIG })
    const result = await project.run(['verify'])
    expect(result.code).toBe(1)
    expect(project.exists('app.db')).toBe(false)
  })
})

describe('migration data tests (<version>_<name>.test.sql) on SQLite', () => {
  const DATA_TEST =
    '-- Names split on the first space.\n' +
    '-- migrator:before\n' +
    "INSERT INTO people (id, name) VALUES (1, 'Ann Lee');\n" +
    'INSERT INTO people (id, name)\n' +
    "  VALUES (2, 'Bo');\n" +
    "-- migrator:expect SELECT first_name = 'Ann' FROM people WHERE id = 1\n" +
    "-- migrator:expect SELECT first_name = 'Bo' FROM people WHERE id = 2\n" +
    "-- migrator:expect-after-down SELECT count(*) = 2 FROM people WHERE name IN ('Ann Lee', 'Bo')\n"

  async function project3(upSplit: string, test: string): Promise<TempProject> {
    const p = tempProject({ 'migrator.config.ts': CONFIG })
    p.write('migrations/20240101000000_people.up.sql', 'CREATE TABLE people (id integer PRIMARY KEY, name text NOT NULL);\n')
    p.write('migrations/20240101000000_people.down.sql', 'DROP TABLE people;\n')
    p.write('migrations/20240102000000_first_name.up.sql', `ALTER TABLE people ADD COLUMN first_name text;\n${upSplit}`)
    p.write('migrations/20240102000000_first_name.down.sql', 'ALTER TABLE people DROP COLUMN first_name;\n')
    p.write('migrations/20240102000000_first_name.test.sql', test)
    expect((await p.run(['hash'])).code).toBe(0)
    return p
  }

  it('passes when every expectation holds, and fails naming the file and line of the one that does not', { timeout: 120_000 }, async () => {
    // Handles names with a space only: 'Bo' keeps a NULL first name.
    project = await project3("UPDATE people SET first_name = substr(name, 1, instr(name, ' ') - 1) WHERE name LIKE '% %';\n", DATA_TEST)
    const failing = await project.run(['test', '--json'])
    expect(failing.code, failing.stderr).toBe(2)
    expect(JSON.parse(failing.stdout).migrations[1]).toMatchObject({
      name: 'first_name',
      status: 'fail',
      step: 'up',
      differences: ["20240102000000_first_name.test.sql:7: expected true after the up, got null: SELECT first_name = 'Bo' FROM people WHERE id = 2"],
    })

    project.remove()
    project = await project3(
      "UPDATE people SET first_name = CASE WHEN instr(name, ' ') > 0 THEN substr(name, 1, instr(name, ' ') - 1) ELSE name END;\n",
      DATA_TEST,
    )
    const passing = await project.run(['test', '--json'])
    expect(passing.code, passing.stderr).toBe(0)
    expect(JSON.parse(passing.stdout).migrations.map((m: { status: string }) => m.status)).toEqual(['pass', 'pass'])
  })

  it('names the line of a failing before statement, and of a failing expect-after-down', { timeout: 120_000 }, async () => {
    const split = "UPDATE people SET first_name = name;\n"
    project = await project3(split, "-- migrator:before\nINSERT INTO people (id, name) VALUES (1, 'Ann');\nINSERT INTO people (id) VALUES (2);\n")
    const before = await project.run(['test', '--json'])
    expect(before.code).toBe(2)
    expect(JSON.parse(before.stdout).migrations[1]).toMatchObject({ status: 'fail', step: 'before' })
    expect(JSON.parse(before.stdout).migrations[1].differences[0]).toMatch(/^20240102000000_first_name\.test\.sql:3: the before statement failed: .*NOT NULL/)

    project.remove()
    project = await project3(split, '-- migrator:expect-after-down SELECT count(*) = 1 FROM people\n')
    const afterDown = await project.run(['test', '--json'])
    expect(afterDown.code).toBe(2)
    expect(JSON.parse(afterDown.stdout).migrations[1]).toMatchObject({
      status: 'fail',
      step: 'down',
      differences: ['20240102000000_first_name.test.sql:1: expected true after the down, got 0: SELECT count(*) = 1 FROM people'],
    })
  })

  it('refuses a data test without its migration, and a malformed directive, with one line and exit 1', { timeout: 120_000 }, async () => {
    project = await project3('', "-- migrator:expect SELECT 1\n")
    project.write('migrations/20240109000000_gone.test.sql', '-- migrator:expect SELECT 1\n')
    const orphan = await project.run(['test'])
    expect(orphan.code).toBe(1)
    expect(orphan.stderr.trim()).toMatch(/20240109000000_gone\.test\.sql: data test without a migration 20240109000000_gone; rename it after its migration or delete it$/)

    rmSync(`${project.dir}/migrations/20240109000000_gone.test.sql`)
    project.write('migrations/20240102000000_first_name.test.sql', '-- migrator:expects SELECT 1\n')
    const malformed = await project.run(['test'])
    expect(malformed.code).toBe(1)
    expect(malformed.stderr.trim()).toBe(
      'error: 20240102000000_first_name.test.sql:1: expected `-- migrator:before`, `-- migrator:expect <query>` or `-- migrator:expect-after-down <query>`',
    )
  })
})
