import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { diff } from '../../src/api/diff.js'
import { up } from '../../src/api/migrate.js'
import { writeSum } from '../../src/migrations/sum.js'
import { parseUrl } from '../../src/config/url.js'
import { dialect as sqlite } from '../../src/dialects/sqlite/index.js'
import { schemaFingerprint } from '../../src/safety/fingerprint.js'
import { dumpSqlite } from '../helpers/sqlite-dump.js'
import { project, type Project } from './project.js'

let p: Project
beforeEach(async () => {
  p = await project()
})
afterEach(async () => {
  await p.cleanup()
})

const BASE = {
  '20240101000001_users.up.sql': "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, nick TEXT);\nINSERT INTO users (email, nick) VALUES ('a@x', 'a'), ('b@x', NULL), ('c@x', 'c');\n",
  '20240101000001_users.down.sql': 'DROP TABLE users;\n',
}

async function applyBase(): Promise<void> {
  await p.write(BASE)
  const result = await up(p.config())
  expect(result.error).toBeUndefined()
}

describe('built-in post-checks (api up)', () => {
  it('schema-as-expected: diff records the fingerprint and up verifies it', async () => {
    await applyBase()
    const target = path.join(p.root, 'schema.sql')
    await writeFile(target, 'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, nick TEXT, age INTEGER);\n')
    const outcome = await diff(p.config({ target }), { name: 'add_age', now: new Date('2024-01-02T00:00:00Z') })
    expect(outcome.up).toMatch(/^-- migrator:expect-schema sha256:[0-9a-f]{64} -> sha256:[0-9a-f]{64}$/m)
    expect(outcome.up).toContain('-- Lint: no findings')
    const result = await up(p.config())
    expect(result.error).toBeUndefined()
    expect(p.query<{ name: string }>("SELECT name FROM pragma_table_info('users')").map((r) => r.name)).toEqual(['id', 'email', 'nick', 'age'])
  })

  it('schema-as-expected in the older whole-schema form trips on drift, rolls back completely and says what differs', async () => {
    await applyBase()
    const target = path.join(p.root, 'schema.sql')
    await writeFile(target, 'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, nick TEXT, age INTEGER);\n')
    const outcome = await diff(p.config({ target }), { name: 'add_age', now: new Date('2024-01-02T00:00:00Z') })
    // What diff wrote before it scoped the check: the fingerprint of the whole schema after the file.
    const scratch = await sqlite.open(parseUrl('sqlite::memory:'))
    for (const sql of ['CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, nick TEXT)', 'ALTER TABLE users ADD COLUMN age INTEGER']) await scratch.db.exec(sql)
    const whole = schemaFingerprint(await scratch.inspect())
    await scratch.close()
    await writeFile(outcome.written!.up, (await readFile(outcome.written!.up, 'utf8')).replace(/^-- migrator:expect-schema .*$/m, `-- migrator:expect-schema ${whole}`))
    await writeSum(p.dir)
    expect((await up(p.config(), { dryRun: true })).error).toBeUndefined()
    p.exec('CREATE TABLE sneaky (id INTEGER)') // changed by hand after the diff
    const before = dumpSqlite(p.dbFile)
    const result = await up(p.config())
    expect(result.error?.message).toMatch(/built-in check schema-as-expected failed: the schema after 20240102000000_add_age\.up\.sql is not the one it was generated for/)
    expect(result.error?.message).toContain('the database would still need: drop table "sneaky"')
    expect(result.error?.message).toContain('the migration was rolled back')
    expect(dumpSqlite(p.dbFile)).toBe(before)
  })

  it('schema-as-expected ignores drift outside what the migration changes, and trips on drift in it (a hand-made index a rebuild would drop)', async () => {
    await applyBase()
    const target = path.join(p.root, 'schema.sql')
    await writeFile(target, 'CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(100), nick TEXT);\n')
    const outcome = await diff(p.config({ target }), { name: 'type_email', now: new Date('2024-01-02T00:00:00Z') })
    expect(outcome.up).toContain('rewrite: 1-6 (alter table users: change type of column email)') // a SQLite table rebuild
    p.exec('CREATE INDEX sneaky ON users (nick)') // by hand, after the diff: the rebuild does not know it
    const before = dumpSqlite(p.dbFile)
    // lint sees it first, on a scratch copy of the structure: up refuses before running anything.
    await expect(up(p.config())).rejects.toThrow(/refusing to apply: lint found 1 error-level finding: 20240102000000_type_email\.up\.sql: MF100 .*changed column users\.email, index users\.sneaky/)
    expect(dumpSqlite(p.dbFile)).toBe(before)
    // Forced past lint, the runner's own check trips and rolls back.
    const result = await up(p.config(), { force: true })
    expect(result.error?.message).toMatch(/built-in check schema-as-expected failed: 20240102000000_type_email\.up\.sql changed column users\.email, index users\.sneaky, but that is not the change it was generated for: the database drifted in what it touches/)
    expect(result.error?.message).toContain('the migration was rolled back')
    expect(dumpSqlite(p.dbFile)).toBe(before)

    p.exec('DROP INDEX sneaky; CREATE TABLE unrelated (id INTEGER)') // drift the migration does not touch
    expect((await up(p.config())).error).toBeUndefined()
    expect(p.query<{ id: number; email: string; nick: string | null }>('SELECT id, email, nick FROM users ORDER BY id')).toEqual([
      { id: 1, email: 'a@x', nick: 'a' }, { id: 2, email: 'b@x', nick: null }, { id: 3, email: 'c@x', nick: 'c' },
    ])
  })

  it('schema-as-expected trips on a hand-edited generated file and says how to accept the edit', async () => {
    await applyBase()
    const target = path.join(p.root, 'schema.sql')
    await writeFile(target, 'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, nick TEXT, age INTEGER);\n')
    const outcome = await diff(p.config({ target }), { name: 'add_age', now: new Date('2024-01-02T00:00:00Z') })
    await writeFile(outcome.written!.up, (await readFile(outcome.written!.up, 'utf8')).replaceAll('"age"', '"years"'))
    await writeSum(p.dir)
    const before = dumpSqlite(p.dbFile)
    await expect(up(p.config())).rejects.toThrow(/MF100 .*file was edited after `migrator diff` wrote it .*remove its `-- migrator:expect-schema` line/)
    expect(dumpSqlite(p.dbFile)).toBe(before)
    const result = await up(p.config(), { force: true })
    expect(result.error?.message).toMatch(/file was edited after `migrator diff` wrote it .*remove its `-- migrator:expect-schema` line/)
    expect(dumpSqlite(p.dbFile)).toBe(before)
  })

  it('no-rows-lost trips when an altered table loses rows, rolls back; allow-row-change permits it', async () => {
    await applyBase()
    const lossy = [
      'CREATE TABLE users_new (id INTEGER PRIMARY KEY, email TEXT NOT NULL, nick TEXT);',
      'INSERT INTO users_new SELECT id, email, nick FROM users WHERE nick IS NOT NULL;',
      'DROP TABLE users;',
      'ALTER TABLE users_new RENAME TO users;',
    ].join('\n')
    await p.write({ '20240101000002_rebuild.up.sql': lossy, '20240101000002_rebuild.down.sql': 'SELECT 1;' })
    const before = dumpSqlite(p.dbFile)
    const result = await up(p.config())
    expect(result.error?.message).toContain('built-in check no-rows-lost failed: users had 3 rows before and 2 after')
    expect(dumpSqlite(p.dbFile)).toBe(before)

    await p.write({ '20240101000002_rebuild.up.sql': `-- migrator:allow-row-change\n${lossy}` })
    expect((await up(p.config())).error).toBeUndefined()
    expect(p.query<{ n: number }>('SELECT count(*) AS n FROM users')[0]!.n).toBe(2)
  })

  it('a .ts migration\'s own checks run by name; a failing one rolls back', async () => {
    await applyBase()
    await p.write({
      '20240101000002_backfill.ts': [
        'export const checks = {',
        "  before: ['SELECT count(*) = 3 FROM users'],",
        "  after: [{ name: 'no NULL nicks', sql: 'SELECT count(*) = 0 FROM users WHERE nick IS NULL' }],",
        '}',
        "export async function up(ctx) { await ctx.db.exec(\"UPDATE users SET email = 'z' WHERE id = 1\") }",
        'export async function down() {}',
      ].join('\n'),
    })
    const before = dumpSqlite(p.dbFile)
    const result = await up(p.config())
    expect(result.error?.message).toContain('check-after `no NULL nicks` failed (returned 0)')
    expect(dumpSqlite(p.dbFile)).toBe(before)
  })

  it('up refuses error-level lint findings unless force', async () => {
    await applyBase()
    await p.write({ '20240101000002_uniq.up.sql': "CREATE UNIQUE INDEX users_email ON users (email);", '20240101000002_uniq.down.sql': 'DROP INDEX users_email;' })
    p.exec("UPDATE users SET email = 'a@x'")
    await expect(up(p.config())).rejects.toThrow(/refusing to apply: lint found 1 error-level finding: 20240101000002_uniq\.up\.sql: MF101 error: adds unique index users_email on users \(email\): 2 duplicate rows; .*--force/)
    const forced = await up(p.config(), { force: true })
    expect(forced.error?.message).toMatch(/UNIQUE constraint failed/)
  })
})
