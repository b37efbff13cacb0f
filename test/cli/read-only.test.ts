import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { execSqlite } from '../helpers/sqlite-dump.js'
import { tempProject, type TempProject } from './helpers.js'

const CONFIG = "export default { url: 'sqlite:./app.db', dir: './migrations', target: './schema.sql' }\n"
const SCHEMA = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT DEFAULT 'anon');\n"

let project: TempProject
afterEach(() => project?.remove())

/** The project directory's files with a hash of each, so any file created or changed shows. */
function files(): Record<string, string> {
  return Object.fromEntries(
    readdirSync(project.dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => {
        const file = `${entry.parentPath}/${entry.name}`
        return [file.slice(project.dir.length + 1), createHash('sha256').update(readFileSync(file)).digest('hex')]
      }),
  )
}

async function withPendingMigration(): Promise<void> {
  project = tempProject({ 'migrator.config.ts': CONFIG, 'schema.sql': SCHEMA })
  // Generated against a throw-away database, so app.db itself does not exist yet.
  const generated = await project.run(['diff', 'create_users', '--url', 'sqlite:./scratch-only.db'])
  expect(generated.code, generated.stderr).toBe(0)
  project.write('scratch-only.db', '')
}

describe('read-only commands and dry runs create nothing', () => {
  it('up with no migration files has nothing to do and creates no database', { timeout: 120_000 }, async () => {
    project = tempProject({ 'migrator.config.ts': CONFIG, 'schema.sql': SCHEMA, 'migrations/.keep': '' })
    const before = files()
    const result = await project.run(['up'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain('No pending migrations')
    expect(files()).toEqual(before)
  })

  it('status, inspect and backup on a database file that does not exist: one clear error, no file', { timeout: 240_000 }, async () => {
    await withPendingMigration()
    const before = files()
    for (const args of [['status', '--url', 'sqlite:./typo.db'], ['inspect', '--url', 'sqlite:./typo.db'], ['backup', '--url', 'sqlite:./typo.db'], ['status']]) {
      const result = await project.run(args)
      expect(result.code, args.join(' ')).toBe(1)
      expect(result.stdout).toBe('')
      const lines = result.stderr.trim().split('\n')
      expect(lines, args.join(' ')).toHaveLength(1)
      expect(lines[0]).toMatch(/^error: cannot open SQLite database sqlite:\.\/(typo|app)\.db: the database file .*(typo|app)\.db does not exist; check the URL/)
      expect(result.stderr).not.toMatch(/pending/)
    }
    expect(files()).toEqual(before)
  })

  it('up --dry-run, down --dry-run and lint on a database that does not exist read it as empty and create nothing', { timeout: 240_000 }, async () => {
    await withPendingMigration()
    const before = files()
    const dry = await project.run(['up', '--dry-run'])
    expect(dry.code, dry.stderr).toBe(0)
    expect(dry.stdout).toMatch(/BEGIN IMMEDIATE;[\s\S]*CREATE TABLE "users"[\s\S]*COMMIT;/)
    const down = await project.run(['down', '--dry-run'])
    expect(down.code, down.stderr).toBe(0)
    expect(down.stdout).toBe('-- Nothing to revert\n')
    const lint = await project.run(['lint'])
    expect(lint.code, lint.stderr).toBe(0)
    expect(lint.stdout).toMatch(/_create_users\.up\.sql: risk low/)
    expect(files()).toEqual(before)
    expect(project.exists('app.db')).toBe(false)

    // down has nothing to revert on a database that does not exist: it says so and creates nothing.
    for (const args of [['down'], ['down', '--all']]) {
      const result = await project.run(args)
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0)
      expect(result.stderr).toContain('Nothing to revert')
    }
    expect(files()).toEqual(before)
    expect(project.exists('app.db')).toBe(false)

    // A real run creates it.
    expect((await project.run(['up'])).code).toBe(0)
    expect(project.exists('app.db')).toBe(true)
  })

  it('status, lint and dry runs leave an existing database byte for byte as it was', { timeout: 240_000 }, async () => {
    await withPendingMigration()
    expect((await project.run(['up'])).code).toBe(0)
    execSqlite(`${project.dir}/app.db`, "INSERT INTO users (id, email) VALUES (1, 'a@x'), (2, 'ü@x'); INSERT INTO users (id, email, name) VALUES (3, 'c@x', NULL);")
    project.write('schema.sql', `${SCHEMA}CREATE INDEX users_email ON users (email);\n`)
    expect((await project.run(['diff', 'index_email'])).code).toBe(0)
    const before = files()
    for (const args of [['status'], ['lint'], ['up', '--dry-run'], ['down', '--dry-run'], ['inspect'], ['validate'], ['diff', '--dry-run', '--from', 'dir']]) {
      const result = await project.run(args)
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0)
    }
    expect(files()).toEqual(before)
  })
})
