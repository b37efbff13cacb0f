import { readdirSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { dumpSqlite, execSqlite, querySqlite } from '../helpers/sqlite-dump.js'
import { tempProject, type TempProject } from './helpers.js'

const CONFIG = `export default { url: 'sqlite:./app.db', dir: './migrations', target: './schema.sql' }\n`
const V1 = `CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE);
CREATE TABLE posts (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE, title TEXT NOT NULL);
`
const V2 = `CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL DEFAULT 'anon');
CREATE TABLE posts (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE, title VARCHAR(200) NOT NULL);
CREATE INDEX posts_author ON posts (author_id);
`

let project: TempProject
afterEach(() => project?.remove())

const migrationFiles = () => readdirSync(path.join(project.dir, 'migrations')).filter((f) => f.endsWith('.sql')).sort()
const db = () => path.join(project.dir, 'app.db')

function expectOneErrorLine(result: { code: number; stderr: string }, pattern: RegExp): void {
  expect(result.code).toBe(1)
  const lines = result.stderr.trim().split('\n')
  expect(lines).toHaveLength(1)
  expect(lines[0]).toMatch(/^error: /)
  expect(lines[0]).toMatch(pattern)
  expect(result.stderr).not.toMatch(/\n\s+at /)
}

describe('the main job on SQLite, through the built CLI', () => {
  it('diff → up → status → edit → diff → up keeps data → down restores', async () => {
    project = tempProject({ 'migrator.config.ts': CONFIG, 'schema.sql': V1 })
    const first = await project.run(['diff', 'create_blog'])
    expect(first.code).toBe(0)
    expect(migrationFiles()).toEqual([expect.stringMatching(/^\d{14}_create_blog\.down\.sql$/), expect.stringMatching(/^\d{14}_create_blog\.up\.sql$/)])
    const up1 = project.read(path.join('migrations', migrationFiles()[1]!))
    expect(up1).toMatch(/^-- /)
    expect(up1).toContain('CREATE TABLE "users"')
    expect(project.read('migrations/migrator.sum')).toContain(migrationFiles()[1]!)

    expect((await project.run(['up'])).code).toBe(0)
    expect((await project.run(['diff'])).stdout.trim()).toBe('No changes')
    execSqlite(db(), "INSERT INTO users (id, email) VALUES (1, 'a@x'), (2, 'b@x'); INSERT INTO posts VALUES (10, 1, 'hello'), (11, 2, 'world');")

    project.write('schema.sql', V2)
    const check = await project.run(['diff', '--check'])
    expect(check.code).toBe(2)
    const dry = await project.run(['diff', 'grow', '--dry-run'])
    expect(dry.code).toBe(0)
    expect(dry.stdout).toContain('ALTER TABLE "users" ADD COLUMN "name"')
    expect(migrationFiles()).toHaveLength(2)

    expect((await project.run(['diff', 'grow'])).code).toBe(0)
    expect(migrationFiles()).toHaveLength(4)
    const upDry = await project.run(['up', '--dry-run'])
    expect(upDry.stdout).toMatch(/BEGIN IMMEDIATE;[\s\S]*ALTER TABLE[\s\S]*COMMIT;/)
    expect(querySqlite(db(), "SELECT name FROM pragma_table_info('users')")).toHaveLength(2)

    const applied = await project.run(['up'])
    expect(applied.code).toBe(0)
    expect(querySqlite(db(), 'SELECT id, email, name FROM users ORDER BY id')).toEqual([
      { id: 1, email: 'a@x', name: 'anon' }, { id: 2, email: 'b@x', name: 'anon' },
    ])
    expect(querySqlite(db(), 'SELECT id, author_id, title FROM posts ORDER BY id')).toEqual([
      { id: 10, author_id: 1, title: 'hello' }, { id: 11, author_id: 2, title: 'world' },
    ])
    expect((await project.run(['diff'])).stdout.trim()).toBe('No changes')

    const status = await project.run(['status', '--json'])
    const report = JSON.parse(status.stdout) as { migrations: { state: string }[]; drift: string[]; ungenerated: string[] }
    expect(report.migrations.map((m) => m.state)).toEqual(['applied', 'applied'])
    expect(report.drift).toEqual([])
    expect(report.ungenerated).toEqual([])

    // The down drops users.name, which now holds a value in every row: refused without consent.
    const refused = await project.run(['down'])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/refusing to revert: it would destroy stored data: users\.name \(2 values\): drops column in \d{14}_grow\.down\.sql; .*--allow-data-loss/)
    expect(querySqlite(db(), "SELECT name FROM pragma_table_info('users')")).toHaveLength(3)
    expect((await project.run(['down', '--allow-data-loss'])).code).toBe(0)
    expect(querySqlite(db(), "SELECT name FROM pragma_table_info('users')").map((r) => (r as { name: string }).name)).toEqual(['id', 'email'])
    expect(querySqlite(db(), 'SELECT count(*) AS n FROM posts')).toEqual([{ n: 2 }])
    const pending = await project.run(['status', '--check'])
    expect(pending.code).toBe(2)
    expect(pending.stdout).toContain('1 pending')
  })

  it('reports drift when the database was changed by hand', async () => {
    project = tempProject({ 'migrator.config.ts': CONFIG, 'schema.sql': V1 })
    await project.run(['diff', 'init'])
    await project.run(['up'])
    expect((await project.run(['status', '--check'])).code).toBe(0)
    execSqlite(db(), 'CREATE TABLE sneaky (id INTEGER)')
    const status = await project.run(['status', '--check'])
    expect(status.code).toBe(2)
    expect(status.stdout).toMatch(/Drift[\s\S]*sneaky/)
  })

  it('diff --from dir compares the replayed directory without a live database change', async () => {
    project = tempProject({ 'migrator.config.ts': CONFIG, 'schema.sql': V1 })
    await project.run(['diff', 'init'])
    // Not applied: diffing against the live database refuses, --from dir works.
    const refused = await project.run(['diff', 'next'])
    expectOneErrorLine(refused, /not yet applied.*--from dir/)
    project.write('schema.sql', V2)
    const fromDir = await project.run(['diff', 'next', '--from', 'dir'])
    expect(fromDir.code).toBe(0)
    expect(migrationFiles()).toHaveLength(4)
  })

  it('a .ts schema module written by inspect --format ts works as the target', async () => {
    project = tempProject({ 'migrator.config.ts': CONFIG, 'schema.sql': V2 })
    await project.run(['diff', 'init'])
    await project.run(['up'])
    const module = await project.run(['inspect', '--format', 'ts'])
    expect(module.stdout).toMatch(/^import type \{ Schema \} from 'migrator'/)
    project.write('schema.ts', module.stdout)
    expect((await project.run(['diff', '--to', 'schema.ts'])).stdout.trim()).toBe('No changes')
    project.write('schema.ts', module.stdout.replace('"name": "posts_author"', '"name": "posts_by_author"'))
    const renamed = await project.run(['diff', '--to', 'schema.ts', '--dry-run'])
    expect(renamed.stdout).toContain('CREATE INDEX "posts_by_author"')
  })

  it('prints exactly one JSON document per command with --json', async () => {
    project = tempProject({ 'migrator.config.ts': CONFIG, 'schema.sql': V1 })
    for (const args of [['diff', 'a'], ['up'], ['status'], ['validate'], ['inspect'], ['hash'], ['down', '--dry-run'], ['diff']]) {
      const result = await project.run([...args, '--json'])
      expect(result.code, args.join(' ')).toBe(0)
      expect(() => JSON.parse(result.stdout), args.join(' ')).not.toThrow()
    }
  })
})

describe('failures leave the database exactly as before', () => {
  it('a migration whose 3rd statement fails rolls back schema, data and history', async () => {
    project = tempProject({ 'migrator.config.ts': CONFIG, 'schema.sql': V1 })
    await project.run(['diff', 'init'])
    await project.run(['up'])
    execSqlite(db(), "INSERT INTO users VALUES (1, 'a@x')")
    project.write('migrations/20990101000000_broken.up.sql', [
      'CREATE TABLE t1 (id INTEGER);',
      "INSERT INTO users VALUES (2, 'b@x');",
      'INSERT INTO no_such_table VALUES (1);',
      'CREATE TABLE t2 (id INTEGER);',
    ].join('\n'))
    project.write('migrations/20990101000000_broken.down.sql', 'DROP TABLE t1;\n')
    await project.run(['hash'])
    const before = dumpSqlite(db())
    const result = await project.run(['up'])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/20990101000000_broken\.up\.sql:3/)
    expect(result.stderr).toMatch(/no such table: no_such_table/)
    expect(dumpSqlite(db())).toBe(before)
  })

  it('a failing check-after rolls back and names the check', async () => {
    project = tempProject({ 'migrator.config.ts': CONFIG, 'schema.sql': V1 })
    await project.run(['diff', 'init'])
    await project.run(['up'])
    project.write('migrations/20990101000000_checked.up.sql', '-- migrator:check-after SELECT count(*) = 5 FROM users\nINSERT INTO users VALUES (1, \'a@x\');\n')
    project.write('migrations/20990101000000_checked.down.sql', 'DELETE FROM users WHERE id = 1;\n')
    await project.run(['hash'])
    const before = dumpSqlite(db())
    const result = await project.run(['up'])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('SELECT count(*) = 5 FROM users')
    expect(dumpSqlite(db())).toBe(before)
  })

  it('an edited applied file stops up with both hashes', async () => {
    project = tempProject({ 'migrator.config.ts': CONFIG, 'schema.sql': V1 })
    await project.run(['diff', 'init'])
    await project.run(['up'])
    const upFile = migrationFiles()[1]!
    project.write(`migrations/${upFile}`, `${project.read(`migrations/${upFile}`)}\n-- edited\n`)
    await project.run(['hash'])
    project.write('migrations/20990101000000_more.up.sql', 'CREATE TABLE more (id INTEGER);\n')
    await project.run(['hash'])
    const before = dumpSqlite(db())
    const result = await project.run(['up'])
    expectOneErrorLine(result, new RegExp(`${upFile}.*changed after it was applied.*[0-9a-f]{12}.*[0-9a-f]{12}`))
    expect(dumpSqlite(db())).toBe(before)
    expect((await project.run(['validate'])).code).toBe(2)
    expect((await project.run(['repair', '--yes'])).code).toBe(0)
    expect((await project.run(['up'])).code).toBe(0)
  })

  it('two concurrent up processes apply each migration exactly once', async () => {
    project = tempProject({ 'migrator.config.ts': CONFIG, 'schema.sql': V1 })
    for (let i = 1; i <= 6; i++) {
      // The check makes each migration take a while, so the two runners really overlap.
      const slow = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000) SELECT count(*) > 0 FROM c'
      project.write(`migrations/2099010100000${i}_m${i}.up.sql`, `-- migrator:check-before ${slow}\nCREATE TABLE t${i} (id INTEGER);\nINSERT INTO t${i} VALUES (${i});\n`)
    }
    await project.run(['hash'])
    const [a, b] = await Promise.all([project.run(['up', '--json']), project.run(['up', '--json'])])
    expect([a.code, b.code]).toEqual([0, 0])
    const statuses = [a, b].flatMap((r) => (JSON.parse(r.stdout) as { results: { version: string; status: string }[] }).results)
    const appliedVersions = statuses.filter((r) => r.status === 'applied').map((r) => r.version).sort()
    expect(appliedVersions).toEqual(['20990101000001', '20990101000002', '20990101000003', '20990101000004', '20990101000005', '20990101000006'])
    expect(querySqlite(db(), 'SELECT count(*) AS n FROM migrator_history')).toEqual([{ n: 6 }])
    for (let i = 1; i <= 6; i++) expect(querySqlite(db(), `SELECT count(*) AS n FROM t${i}`)).toEqual([{ n: 1 }])
  })
})

describe('bad input: one clear line, exit 1, nothing changed', () => {
  async function expectUntouched(setup: (p: TempProject) => void, args: string[], pattern: RegExp): Promise<void> {
    project = tempProject({ 'migrator.config.ts': CONFIG, 'schema.sql': V1 })
    await project.run(['diff', 'init'])
    await project.run(['up'])
    setup(project)
    const before = dumpSqlite(db())
    expectOneErrorLine(await project.run(args), pattern)
    expect(dumpSqlite(db())).toBe(before)
  }

  it('invalid config key', () =>
    expectUntouched((p) => p.write('migrator.config.ts', `export default { url: 'sqlite:./app.db', lockTimeout: 'fast' }\n`), ['up'], /lockTimeout/))
  it('unknown config key', () =>
    expectUntouched((p) => p.write('migrator.config.ts', `export default { url: 'sqlite:./app.db', dirr: './x' }\n`), ['up'], /dirr/))
  it('malformed URL', () => expectUntouched(() => undefined, ['up', '--url', 'postgres://u:secret@'], /URL/))
  it('unreadable migration directory', () => expectUntouched(() => undefined, ['up', '--dir', './nope'], /nope/))
  it('duplicate version', () =>
    expectUntouched((p) => {
      p.write('migrations/20990101000000_a.up.sql', 'SELECT 1;')
      p.write('migrations/20990101000000_b.up.sql', 'SELECT 1;')
    }, ['up'], /20990101000000/))
  it('malformed file name', () => expectUntouched((p) => p.write('migrations/2099_bad.up.sql', 'SELECT 1;'), ['up'], /2099_bad\.up\.sql/))
  it('empty up file', () =>
    expectUntouched((p) => {
      p.write('migrations/20990101000000_empty.up.sql', '-- nothing here\n')
      p.write('migrations/20990101000000_empty.down.sql', '')
    }, ['up'], /empty/))
  it('target with a syntax error', () =>
    expectUntouched((p) => p.write('schema.sql', 'CREATE TABLE ok (id INTEGER);\nCREATE TABLEX broken (id INTEGER);\n'), ['diff', 'x'], /schema\.sql:2/))
  it('does not print the password of a URL', async () => {
    project = tempProject({})
    const result = await project.run(['up', '--url', 'postgres://app:hunter2@127.0.0.1:1/db'])
    expect(result.code).toBe(1)
    expect(result.stderr).not.toContain('hunter2')
  })
})
