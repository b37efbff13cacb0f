import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ChecksumMismatchError, FailedMigrationError, MigrationFailedError, MissingMigrationError } from '../../src/errors.js'
import { runDown } from '../../src/runner/down.js'
import { runUp } from '../../src/runner/run.js'
import { historyVersions, sandbox, tables, type Sandbox } from './setup.js'

const USERS = {
  '20240101000001_users.up.sql': "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\nINSERT INTO users (email) VALUES ('a@example.com');\n",
  '20240101000001_users.down.sql': 'DROP TABLE users;\n',
}
const POSTS = {
  '20240101000002_posts.up.sql': 'CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id));\nCREATE INDEX posts_user ON posts (user_id);\n',
  '20240101000002_posts.down.sql': 'DROP INDEX posts_user;\nDROP TABLE posts;\n',
}
const TAGS = {
  '20240101000003_tags.up.sql': 'CREATE TABLE tags (name TEXT PRIMARY KEY);\n',
  '20240101000003_tags.down.sql': 'DROP TABLE tags;\n',
}
// The third statement fails (line 6): the first two must be rolled back with it.
const BREAK = {
  '20240101000004_break.up.sql': [
    '-- adds a user and a column, then fails',
    "INSERT INTO users (email) VALUES ('b@example.com');",
    'ALTER TABLE users ADD COLUMN name TEXT;',
    '',
    '',
    'INSERT INTO nowhere (x)',
    '  VALUES (1);',
    '',
  ].join('\n'),
}

let box: Sandbox
beforeEach(async () => {
  box = await sandbox()
})
afterEach(async () => {
  await box.cleanup()
})

describe('runUp', () => {
  it('applies pending migrations in version order and records each in history', async () => {
    await box.write({ ...TAGS, ...USERS, ...POSTS })
    const driver = await box.open()
    const result = await runUp(driver, await box.files(), box.options())
    expect(result.error).toBeUndefined()
    expect(result.results.map((r) => [r.version, r.status])).toEqual([
      ['20240101000001', 'applied'],
      ['20240101000002', 'applied'],
      ['20240101000003', 'applied'],
    ])
    expect(box.events.filter((e) => e.kind === 'migration-start').map((e) => e.version)).toEqual(['20240101000001', '20240101000002', '20240101000003'])
    expect(tables(box)).toEqual(['migrator_history', 'posts', 'tags', 'users'])
    const files = await box.files()
    const rows = box.query<Record<string, unknown>>('SELECT * FROM migrator_history ORDER BY version')
    expect(rows).toHaveLength(3)
    expect(rows[0]).toMatchObject({
      version: '20240101000001',
      name: 'users',
      checksum: files[0]!.checksum,
      down_checksum: files[0]!.downChecksum,
      status: 'applied',
      applied_by: 'tester@host',
      statements_applied: 2,
      tool_version: '0.1.0-test',
    })
    expect(new Date(rows[0]!['applied_at'] as string).getTime()).toBeGreaterThan(Date.now() - 60_000)

    // A second run has nothing to do.
    const again = await runUp(driver, files, box.options())
    expect(again.results).toEqual([])
  })

  it('rolls a migration whose 3rd statement fails back completely, naming file, line and error', async () => {
    await box.write({ ...USERS, ...POSTS })
    const driver = await box.open()
    await runUp(driver, await box.files(), box.options())
    const before = box.dump()

    await box.write({ ...BREAK, ...TAGS })
    const result = await runUp(driver, await box.files(), box.options())

    expect(result.error).toBeInstanceOf(MigrationFailedError)
    const error = result.error as MigrationFailedError
    expect(error.message).toMatch(/^20240101000004_break\.up\.sql:6: statement 3 \(INSERT INTO nowhere \(x\) VALUES \(1\)\) failed: no such table: nowhere; the migration was rolled back/)
    expect(error.line).toBe(6)
    expect(result.results.map((r) => [r.version, r.status])).toEqual([
      ['20240101000003', 'applied'],
      ['20240101000004', 'failed'],
    ])
    // tags (version 3) ran before the failure; take it back to compare with the dump before.
    expect(box.dump()).not.toBe(before)
    const down = await runDown(driver, await box.files(), box.options())
    expect(down.results.map((r) => [r.version, r.status])).toEqual([['20240101000003', 'reverted']])
    expect(box.dump()).toBe(before)
    expect(historyVersions(box)).toEqual(['20240101000001', '20240101000002'])
  })

  it('leaves the database file byte-for-byte unchanged when the only pending migration fails', async () => {
    await box.write({ ...USERS })
    const driver = await box.open()
    await runUp(driver, await box.files(), box.options())
    const dump = box.dump()
    const bytes = await box.bytes()
    await box.write(BREAK)
    const result = await runUp(driver, await box.files(), box.options())
    expect(result.results.map((r) => r.status)).toEqual(['failed'])
    expect(box.dump()).toBe(dump)
    expect(await box.bytes()).toBe(bytes)
    expect(historyVersions(box)).toEqual(['20240101000001'])
    expect(box.events.find((e) => e.kind === 'migration-failed')).toMatchObject({ version: '20240101000004', undone: true })
  })

  it('rolls back when a check-after fails and says which check', async () => {
    await box.write({
      ...USERS,
      '20240101000002_checked.up.sql':
        "-- migrator:check-before SELECT count(*) = 1 FROM users\n-- migrator:check-after SELECT count(*) FROM users WHERE email = 'nobody'\nINSERT INTO users (email) VALUES ('c@example.com');\n",
    })
    const driver = await box.open()
    const result = await runUp(driver, await box.files(), box.options())
    expect(result.results.map((r) => r.status)).toEqual(['applied', 'failed'])
    expect(result.error?.message).toBe(
      "20240101000002_checked.up.sql: check-after `SELECT count(*) FROM users WHERE email = 'nobody'` failed (returned 0); the migration was rolled back; database and history are as before",
    )
    expect(box.query('SELECT email FROM users')).toEqual([{ email: 'a@example.com' }])
    expect(historyVersions(box)).toEqual(['20240101000001'])
    expect(box.events.filter((e) => e.kind === 'check-passed' || e.kind === 'check-failed').map((e) => [e.kind, e.kind === 'dry-run-sql' ? '' : e.version])).toEqual([
      ['check-passed', '20240101000002'],
      ['check-failed', '20240101000002'],
    ])
  })

  it('fails before any statement when a check-before is false', async () => {
    await box.write({ '20240101000001_guarded.up.sql': "-- migrator:check-before SELECT 1 WHERE 1 = 0\nCREATE TABLE t (a int);\n" })
    const driver = await box.open()
    const result = await runUp(driver, await box.files(), box.options())
    expect(result.error?.message).toMatch(/check-before `SELECT 1 WHERE 1 = 0` failed \(returned no row\)/)
    // Nothing was recorded, so the history table this run created is gone again: the database is as before.
    expect(tables(box)).toEqual([])
  })

  it('refuses to run when an applied file was edited, showing both hashes', async () => {
    await box.write({ ...USERS })
    const driver = await box.open()
    await runUp(driver, await box.files(), box.options())
    const original = (await box.files())[0]!.checksum
    await box.write({ '20240101000001_users.up.sql': "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);\n", ...TAGS })
    const edited = (await box.files())[0]!.checksum
    const error = await runUp(driver, await box.files(), box.options()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ChecksumMismatchError)
    expect((error as Error).message).toContain('20240101000001_users.up.sql changed after it was applied')
    expect((error as Error).message).toContain(original.slice(0, 12))
    expect((error as Error).message).toContain(edited.slice(0, 12))
    expect(tables(box)).not.toContain('tags')
  })

  it('refuses a failed history row and a missing applied file', async () => {
    await box.write({ ...USERS, ...POSTS })
    const driver = await box.open()
    await runUp(driver, await box.files(), box.options())
    await box.remove('20240101000001_users.up.sql')
    await box.remove('20240101000001_users.down.sql')
    await box.write(TAGS)
    await expect(runUp(driver, await box.files(), box.options())).rejects.toBeInstanceOf(MissingMigrationError)
    const allowed = await runUp(driver, await box.files(), box.options({ allowMissing: true }))
    expect(allowed.results.map((r) => [r.version, r.status])).toEqual([['20240101000003', 'applied']])
    box.exec("UPDATE migrator_history SET status = 'failed' WHERE version = '20240101000002'")
    await expect(runUp(driver, await box.files(), box.options({ allowMissing: true }))).rejects.toBeInstanceOf(FailedMigrationError)
  })

  it('stops at --to (inclusive) and after --steps', async () => {
    await box.write({ ...USERS, ...POSTS, ...TAGS })
    const driver = await box.open()
    const first = await runUp(driver, await box.files(), box.options({ steps: 1 }))
    expect(first.results.map((r) => r.version)).toEqual(['20240101000001'])
    const second = await runUp(driver, await box.files(), box.options({ to: '20240101000002' }))
    expect(second.results.map((r) => r.version)).toEqual(['20240101000002'])
    expect(historyVersions(box)).toEqual(['20240101000001', '20240101000002'])
    await expect(runUp(driver, await box.files(), box.options({ to: '20991231000000' }))).rejects.toThrow(/--to 20991231000000 names no migration/)
    await expect(runUp(driver, await box.files(), box.options({ steps: 0 }))).rejects.toThrow(/--steps must be a positive whole number/)
  })

  it('dry run writes nothing, not even the history table, and returns the SQL with transaction boundaries', async () => {
    await box.write({
      ...USERS,
      '20240101000002_posts.up.sql': '-- migrator:check-after SELECT 1\nCREATE TABLE posts (id INTEGER PRIMARY KEY);\n',
    })
    const driver = await box.open()
    const bytes = await box.bytes()
    const result = await runUp(driver, await box.files(), box.options({ dryRun: true }))
    expect(result.error).toBeUndefined()
    expect(result.sql).toBe(
      [
        '-- 20240101000001_users.up.sql',
        'BEGIN IMMEDIATE;',
        'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);',
        "INSERT INTO users (email) VALUES ('a@example.com');",
        'COMMIT;',
        '-- 20240101000002_posts.up.sql',
        'BEGIN IMMEDIATE;',
        'CREATE TABLE posts (id INTEGER PRIMARY KEY);',
        '-- check-after: SELECT 1',
        'COMMIT;',
        '',
      ].join('\n'),
    )
    expect(box.events.at(-1)).toEqual({ kind: 'dry-run-sql', sql: result.sql })
    expect(await box.bytes()).toBe(bytes)
    expect(tables(box)).toEqual([])
  })

  it('dry run with all-or-nothing shows one transaction around the run', async () => {
    await box.write({ ...USERS, ...TAGS })
    const driver = await box.open()
    const result = await runUp(driver, await box.files(), box.options({ dryRun: true, allOrNothing: true }))
    expect(result.sql?.split('\n').filter((l) => /^(BEGIN|COMMIT)/.test(l))).toEqual(['BEGIN IMMEDIATE;', 'COMMIT;'])
    expect(tables(box)).toEqual([])
  })

  it('all-or-nothing rolls back the whole run when a later migration fails', async () => {
    await box.write({ ...USERS })
    const driver = await box.open()
    await runUp(driver, await box.files(), box.options())
    const before = box.dump()
    await box.write({ ...POSTS, ...TAGS, ...BREAK })
    const result = await runUp(driver, await box.files(), box.options({ allOrNothing: true }))
    expect(result.results.map((r) => [r.version, r.status])).toEqual([
      ['20240101000002', 'undone'],
      ['20240101000003', 'undone'],
      ['20240101000004', 'failed'],
    ])
    expect(result.error?.message).toMatch(/^20240101000004_break\.up\.sql:6: .*the whole run was rolled back \(2 earlier migrations of this run undone\)/)
    expect(box.dump()).toBe(before)
  })
})

describe('runDown', () => {
  it('reverts the newest migration by default, then --steps, --to and --all', async () => {
    await box.write({ ...USERS, ...POSTS, ...TAGS })
    const driver = await box.open()
    await runUp(driver, await box.files(), box.options({ steps: 2 }))
    const afterTwo = box.dump()
    await runUp(driver, await box.files(), box.options())

    const one = await runDown(driver, await box.files(), box.options())
    expect(one.results.map((r) => [r.version, r.status])).toEqual([['20240101000003', 'reverted']])
    expect(box.dump()).toBe(afterTwo)

    await runUp(driver, await box.files(), box.options())
    const toFirst = await runDown(driver, await box.files(), box.options({ to: '20240101000001' }))
    expect(toFirst.results.map((r) => r.version)).toEqual(['20240101000003', '20240101000002'])
    expect(historyVersions(box)).toEqual(['20240101000001'])

    await runUp(driver, await box.files(), box.options())
    const steps = await runDown(driver, await box.files(), box.options({ steps: 2 }))
    expect(steps.results.map((r) => r.version)).toEqual(['20240101000003', '20240101000002'])

    const all = await runDown(driver, await box.files(), box.options({ all: true }))
    expect(all.results.map((r) => r.version)).toEqual(['20240101000001'])
    expect(tables(box)).toEqual(['migrator_history'])
    expect(historyVersions(box)).toEqual([])
  })

  it('dry run shows the down SQL and changes nothing', async () => {
    await box.write({ ...USERS, ...POSTS })
    const driver = await box.open()
    await runUp(driver, await box.files(), box.options())
    const bytes = await box.bytes()
    const result = await runDown(driver, await box.files(), box.options({ dryRun: true }))
    expect(result.sql).toBe(['-- revert 20240101000002_posts.down.sql', 'BEGIN IMMEDIATE;', 'DROP INDEX posts_user;', 'DROP TABLE posts;', 'COMMIT;', ''].join('\n'))
    expect(await box.bytes()).toBe(bytes)
  })

  it('rolls a failing down back and keeps the migration applied', async () => {
    await box.write({ ...USERS, ...POSTS, '20240101000002_posts.down.sql': 'DROP INDEX posts_user;\nDROP TABLE no_such_table;\n' })
    const driver = await box.open()
    await runUp(driver, await box.files(), box.options())
    const before = box.dump()
    const result = await runDown(driver, await box.files(), box.options())
    expect(result.error?.message).toMatch(/^20240101000002_posts\.down\.sql:2: statement 2 \(DROP TABLE no_such_table\) failed: no such table: no_such_table; the down was rolled back/)
    expect(box.dump()).toBe(before)
  })

  it('refuses a missing or edited down file before reverting anything', async () => {
    await box.write({ ...USERS, ...POSTS })
    const driver = await box.open()
    await runUp(driver, await box.files(), box.options())
    const before = box.dump()
    await box.write({ '20240101000001_users.down.sql': 'DROP TABLE IF EXISTS users;\n' })
    const edited = await runDown(driver, await box.files(), box.options({ all: true })).catch((e: unknown) => e)
    expect(edited).toBeInstanceOf(ChecksumMismatchError)
    expect((edited as Error).message).toContain('20240101000001_users.down.sql changed after it was applied')
    await box.write({ '20240101000001_users.down.sql': USERS['20240101000001_users.down.sql'] })
    await box.remove('20240101000002_posts.down.sql')
    await expect(runDown(driver, await box.files(), box.options())).rejects.toThrow(
      'cannot revert 20240101000002_posts: 20240101000002_posts.down.sql does not exist; write it, then run down again',
    )
    expect(box.dump()).toBe(before)
  })
})
