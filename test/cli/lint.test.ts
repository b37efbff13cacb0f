import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { execSqlite } from '../helpers/sqlite-dump.js'
import { tempProject, type TempProject } from './helpers.js'

let project: TempProject
beforeEach(() => {
  project = tempProject({
    'migrations/20240101000001_users.up.sql': "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);\n",
    'migrations/20240101000001_users.down.sql': 'DROP TABLE users;\n',
  })
})
afterEach(() => project.remove())

const url = () => `sqlite:${project.dir}/app.db`

describe('migrator lint (built CLI)', () => {
  it('prints findings with their fix, exits 2 on an error, --json is one stable document; up refuses unless --force', async () => {
    expect((await project.run(['hash', '--url', url()])).code).toBe(0)
    expect((await project.run(['up', '--url', url()])).code).toBe(0)
    // Live data only: the scratch replay has none, so only the live count can tell.
    execSqlite(`${project.dir}/app.db`, "INSERT INTO users (email) VALUES ('a@x'), ('a@x')")
    project.write('migrations/20240101000002_uniq.up.sql', 'CREATE UNIQUE INDEX users_email ON users (email);\n')
    expect((await project.run(['hash', '--url', url()])).code).toBe(0)

    const text = await project.run(['lint', '--url', url()])
    expect(text.code).toBe(2)
    expect(text.stdout).toContain('20240101000002_uniq.up.sql: risk high')
    expect(text.stdout).toContain('  MF101 error: adds unique index users_email on users (email): 1 duplicate row\n    fix: ')
    expect(text.stdout).toContain('IR101 warning')
    expect(text.stdout).toContain('1 error, 1 warning')

    const json = await project.run(['lint', '--json', '--url', url()])
    expect(json.code).toBe(2)
    const doc = JSON.parse(json.stdout) as { errors: number; warnings: number; migrations: { version: string; findings: { code: string; severity: string; rows?: number }[]; risk: { level: string } }[] }
    expect(doc.errors).toBe(1)
    expect(doc.migrations.map((m) => m.version)).toEqual(['20240101000002'])
    expect(doc.migrations[0]!.findings.map((f) => [f.code, f.severity, f.rows])).toEqual([
      ['MF101', 'error', 1],
      ['IR101', 'warning', undefined],
    ])

    const refused = await project.run(['up', '--url', url()])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/refusing to apply: lint found 1 error-level finding: .*MF101.*--force/)

    const latest = await project.run(['lint', '--latest', '2', '--json', '--url', url()])
    expect((JSON.parse(latest.stdout) as { migrations: unknown[] }).migrations).toHaveLength(2)
    expect((await project.run(['lint', '--latest', 'x', '--url', url()])).stderr).toContain('--latest: expected a positive whole number, got "x"')
  })

  it('exits 0 with no pending migrations', async () => {
    expect((await project.run(['hash', '--url', url()])).code).toBe(0)
    expect((await project.run(['up', '--url', url()])).code).toBe(0)
    const result = await project.run(['lint', '--url', url()])
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('No pending migrations\n')
  })
})
