import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { execSqlite } from '../helpers/sqlite-dump.js'
import { createTestDatabase, mysqlReachable, type TestDatabase } from '../helpers/mysql.js'
import { tempProject, type TempProject } from './helpers.js'

const mariadb = await mysqlReachable()

interface LintDoc {
  migrations: { file: string; findings: { code: string; message: string; fix?: string }[]; risk: { level: string; rowsTouched?: number; tables?: Record<string, number> } }[]
}

describe.skipIf(!mariadb)('lint on MariaDB: no TX102 where every file runs statement by statement', () => {
  let database: TestDatabase
  let project: TempProject

  beforeAll(async () => {
    database = await createTestDatabase('clinoise')
    project = tempProject({
      'migrations/20240101000001_users.up.sql': 'CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(100));\nCREATE TABLE logs (id INT PRIMARY KEY);\nINSERT INTO users VALUES (1, NULL);\n',
      'migrations/20240101000001_users.down.sql': 'DROP TABLE logs;\nDROP TABLE users;\n',
      'migrations/20240101000002_marked.up.sql': '-- migrator:no-transaction\nCREATE INDEX users_email ON users (email);\nCREATE INDEX logs_id ON logs (id);\n',
      'migrations/20240101000002_marked.down.sql': 'DROP INDEX logs_id ON logs;\nDROP INDEX users_email ON users;\n',
    })
    expect((await project.run(['hash'])).code).toBe(0)
  })

  afterAll(async () => {
    project?.remove()
    await database?.drop()
  })

  it('a multi-statement file, with or without no-transaction, gets no TX102 and no PostgreSQL advice', { timeout: 120_000 }, async () => {
    const result = await project.run(['lint', '--json', '--url', database.url.raw])
    expect(result.code, result.stderr).toBe(0)
    const doc = JSON.parse(result.stdout) as LintDoc
    expect(doc.migrations.map((m) => m.file)).toEqual(['20240101000001_users.up.sql', '20240101000002_marked.up.sql'])
    const findings = doc.migrations.flatMap((m) => m.findings)
    expect(findings.map((f) => f.code)).not.toContain('TX102')
    expect(JSON.stringify(findings)).not.toMatch(/CONCURRENTLY/)
  })
})

describe('lint on SQLite: renames touch no rows; TX102 where no-transaction gives up a transaction', () => {
  let project: TempProject
  afterEach(() => project?.remove())

  it('a rename says no rows touched, a rewrite counts them, TX102 stays for a no-transaction file', { timeout: 240_000 }, async () => {
    project = tempProject({
      'migrations/20240101000001_users.up.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY, nick TEXT);\nCREATE TABLE log (id INTEGER PRIMARY KEY);\n',
      'migrations/20240101000001_users.down.sql': 'DROP TABLE log;\nDROP TABLE users;\n',
    })
    const url = `sqlite:${project.dir}/app.db`
    expect((await project.run(['hash', '--url', url])).code).toBe(0)
    expect((await project.run(['up', '--url', url])).code).toBe(0)
    execSqlite(`${project.dir}/app.db`, "INSERT INTO users VALUES (1, 'a'), (2, NULL), (3, 'ç'); INSERT INTO log VALUES (1), (2), (3);")
    project.write('migrations/20240101000002_rename.up.sql', 'ALTER TABLE users RENAME COLUMN nick TO handle;\nALTER TABLE log RENAME TO logs;\n')
    project.write('migrations/20240101000002_rename.down.sql', 'ALTER TABLE logs RENAME TO log;\nALTER TABLE users RENAME COLUMN handle TO nick;\n')
    expect((await project.run(['hash', '--url', url])).code).toBe(0)

    const text = await project.run(['lint', '--url', url])
    expect(text.stdout).toMatch(/^20240101000002_rename\.up\.sql: risk medium$/m)
    expect(text.stdout).not.toMatch(/rows touched/)
    const doc = JSON.parse((await project.run(['lint', '--json', '--url', url])).stdout) as LintDoc
    expect(doc.migrations[0]!.risk).toMatchObject({ rowsTouched: 0, tables: {} })
    expect(doc.migrations[0]!.findings.map((f) => f.code).sort()).toEqual(['BC101', 'BC102'])

    // A change that rewrites the table counts its rows; on SQLite a no-transaction file still gets TX102.
    project.write('migrations/20240101000002_rename.up.sql', '-- migrator:no-transaction\nALTER TABLE users ADD COLUMN age INTEGER NOT NULL DEFAULT 0;\nALTER TABLE log RENAME TO logs;\n')
    project.write('migrations/20240101000002_rename.down.sql', 'ALTER TABLE logs RENAME TO log;\nALTER TABLE users DROP COLUMN age;\n')
    expect((await project.run(['hash', '--url', url])).code).toBe(0)
    const counted = JSON.parse((await project.run(['lint', '--json', '--url', url])).stdout) as LintDoc
    expect(counted.migrations[0]!.risk).toMatchObject({ rowsTouched: 3, tables: { users: 3 } })
    const tx102 = counted.migrations[0]!.findings.find((f) => f.code === 'TX102')
    expect(tx102?.message).toMatch(/^no-transaction file holds 2 statements/)
    expect(tx102?.fix).not.toMatch(/CONCURRENTLY/)
  })
})
