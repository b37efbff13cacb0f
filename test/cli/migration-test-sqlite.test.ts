import { afterEach, describe, expect, it } from 'vitest'
import { execSqlite } from '../helpers/sqlite-dump.js'
import { tempProject, type TempProject } from './helpers.js'
import { expectHumanFailure, expectScenario, type Scenario } from './migration-test-scenarios.js'

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
    const { writeMigrations, runTest } = await import('./migration-test-scenarios.js')
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
    const { runTest } = await import('./migration-test-scenarios.js')
    const { code, report, stderr } = await runTest(project)
    expect(code, stderr).toBe(0)
    expect(report.migrations.map((m) => [m.status, m.seeded, m.notSeeded])).toEqual([
      ['pass', ['kinds'], undefined],
      ['pass', ['kinds'], undefined],
    ])
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
