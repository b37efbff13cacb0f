import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, mysqlReachable, type TestDatabase } from '../helpers/mysql.js'
import { tempProject, type TempProject } from './helpers.js'
import { expectHumanFailure, expectScenario, type Scenario } from './migration-test-scenarios.js'

const available = await mysqlReachable()
let database: TestDatabase
let project: TempProject

beforeAll(async () => {
  if (available) database = await createTestDatabase('cli_test')
})
afterAll(async () => {
  if (available) await database.drop()
})
afterEach(() => project?.remove())

function newProject(): TempProject {
  return tempProject({ 'migrator.config.ts': `export default { url: ${JSON.stringify(database.url.raw)}, dir: './migrations' }\n` })
}

async function tableCount(): Promise<number> {
  const rows = await database.driver.db.query<{ n: number }>('SELECT count(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [database.name])
  return Number(rows[0]?.n)
}

describe.skipIf(!available)('migrator test on MariaDB', () => {
  for (const scenario of ['correct', 'forgets-index', 'recreates-table', 'leaves-column'] as Scenario[]) {
    it(`${scenario}: round-trips on a temporary database, never the configured one`, { timeout: 120_000 }, async () => {
      project = newProject()
      await expectScenario(project, 'mysql', scenario, (name) => name)
      expect(await tableCount()).toBe(0)
    })
  }

  it('names the failing migration, step and difference in its human output', { timeout: 120_000 }, async () => {
    project = newProject()
    await expectHumanFailure(project, 'mysql')
  })

  it('seeds enum, auto-increment, decimal, date and text columns and keeps them across a correct down', { timeout: 120_000 }, async () => {
    project = newProject()
    project.write(
      'migrations/20240101000000_kinds.up.sql',
      "CREATE TABLE kinds (id int AUTO_INCREMENT PRIMARY KEY, code char(2) NOT NULL UNIQUE, state enum('on','off') NOT NULL, price decimal(8,2), born date, at datetime, flag tinyint(1) NOT NULL DEFAULT 0, note text);\n",
    )
    project.write('migrations/20240101000000_kinds.down.sql', 'DROP TABLE kinds;\n')
    project.write('migrations/20240102000000_extra.up.sql', 'ALTER TABLE kinds ADD COLUMN extra varchar(10);\n')
    project.write('migrations/20240102000000_extra.down.sql', 'ALTER TABLE kinds DROP COLUMN extra;\n')
    expect((await project.run(['hash'])).code).toBe(0)
    const result = await project.run(['test', '--json'])
    expect(result.code, result.stderr).toBe(0)
    const report = JSON.parse(result.stdout) as { migrations: unknown[] }
    expect(report.migrations).toEqual([
      { version: '20240101000000', name: 'kinds', status: 'pass', seeded: ['kinds'] },
      { version: '20240102000000', name: 'extra', status: 'pass', seeded: ['kinds'] },
    ])
  })
})

describe.skipIf(!available)('migrator verify on MariaDB', () => {
  it('says OK on a sound database and finds foreign-key orphans loaded with foreign_key_checks = 0', { timeout: 60_000 }, async () => {
    project = newProject()
    const db = database.driver.db
    await db.exec('CREATE TABLE authors (id int PRIMARY KEY) ENGINE=InnoDB')
    await db.exec('CREATE TABLE books (id int PRIMARY KEY, author_id int, CONSTRAINT books_author FOREIGN KEY (author_id) REFERENCES authors (id)) ENGINE=InnoDB')
    await db.exec('INSERT INTO authors VALUES (1)')
    await db.exec('INSERT INTO books VALUES (1, 1)')
    const sound = await project.run(['verify'])
    expect(sound.code, sound.stderr).toBe(0)
    expect(sound.stdout.trim()).toBe('OK: no problems found')

    await db.exec('SET foreign_key_checks = 0')
    await db.exec('INSERT INTO books VALUES (2, 7), (3, 8), (4, NULL)')
    await db.exec('SET foreign_key_checks = 1')
    const found = await project.run(['verify', '--json'])
    expect(found.code, found.stderr).toBe(2)
    expect(JSON.parse(found.stdout).findings).toEqual([
      {
        kind: 'fk-orphans',
        table: 'books',
        object: 'books_author',
        rows: 2,
        message: 'books: foreign key books_author (author_id) → authors: 2 rows reference a missing parent (loaded with foreign_key_checks = 0?); delete or fix them',
      },
    ])
    await db.exec('DROP TABLE books')
    await db.exec('DROP TABLE authors')
  })
})
