import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { dumpSqlite, execSqlite, querySqlite } from '../helpers/sqlite-dump.js'
import { runInTerminal, tempProject, type TempProject } from './helpers.js'

const CONFIG = `export default { url: 'sqlite:./app.db', dir: './migrations', target: './schema.sql' }\n`
const SCHEMA = `CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, bio TEXT);\nCREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);\n`

let project: TempProject
afterEach(() => project?.remove())
const db = () => path.join(project.dir, 'app.db')

/** A project whose database holds rows, with a generated migration that drops users.bio and notes. */
async function destructive(): Promise<void> {
  project = tempProject({ 'migrator.config.ts': CONFIG, 'schema.sql': SCHEMA })
  expect((await project.run(['diff', 'init'])).code).toBe(0)
  expect((await project.run(['up'])).code).toBe(0)
  execSqlite(db(), "INSERT INTO users VALUES (1, 'a@x', 'Ünïcode 🐘'), (2, NULL, NULL), (3, 'c@x', 'x'); INSERT INTO notes VALUES (1, 'keep me');")
  project.write('schema.sql', 'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);\n')
  expect((await project.run(['diff', 'shrink'])).code).toBe(0)
}

// Each test runs the CLI 6–10 times (about 0.5 s each on an idle machine).
describe('data loss needs consent (SQLite, through the built CLI)', { timeout: 180_000 }, () => {
  it('without a terminal up refuses in one line naming each table and column with its count; --force and --yes do not consent', async () => {
    await destructive()
    const before = dumpSqlite(db())
    for (const args of [['up'], ['up', '--force'], ['--yes', 'up'], ['up', '--force', '--yes']]) {
      const refused = await project.run(args)
      expect(refused.code).toBe(1)
      const lines = refused.stderr.trim().split('\n').filter((l) => l.startsWith('error:'))
      expect(lines).toEqual([expect.stringMatching(/^error: refusing to apply: it would destroy stored data: users\.bio \(2 values\): drops column in \d{14}_shrink\.up\.sql; notes \(1 row\): drops table in \d{14}_shrink\.up\.sql; nothing was changed; .*--allow-data-loss/)])
      expect(refused.stderr).not.toMatch(/\n\s+at /)
      expect(dumpSqlite(db())).toBe(before)
    }
    const json = await project.run(['up', '--json'])
    expect(json.code).toBe(1)
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'data-loss' } })
    expect(dumpSqlite(db())).toBe(before)
  })

  it('up --dry-run and lint report the same facts and change nothing; --allow-data-loss applies', async () => {
    await destructive()
    const before = dumpSqlite(db())
    const dry = await project.run(['up', '--dry-run', '--json'])
    expect(dry.code).toBe(0)
    expect(JSON.parse(dry.stdout).dataLoss).toEqual([
      expect.objectContaining({ table: 'users', column: 'bio', rows: 2, action: 'drops column' }),
      expect.objectContaining({ table: 'notes', rows: 1, action: 'drops table' }),
    ])
    const lint = await project.run(['lint'])
    expect(lint.code).toBe(2)
    expect(lint.stdout).toContain('DS102 error: drops column users.bio holding 2 non-NULL values')
    expect(lint.stdout).toContain('DS101 error: drops table notes with 1 row')
    expect(dumpSqlite(db())).toBe(before)

    expect((await project.run(['up', '--allow-data-loss'])).code).toBe(0)
    expect(dumpSqlite(db())).not.toContain('CREATE TABLE "notes"')
    expect(querySqlite(db(), 'SELECT * FROM users ORDER BY id')).toEqual([{ id: 1, email: 'a@x' }, { id: 2, email: null }, { id: 3, email: 'c@x' }])
  })

  it('on a terminal up and down ask, listing what would be lost: no keeps everything, yes goes ahead', async () => {
    await destructive()
    const before = dumpSqlite(db())
    const declined = await runInTerminal(['up'], { cwd: project.dir, answer: 'n' })
    expect(declined.code).toBe(1)
    expect(declined.screen).toContain('users.bio (2 values): drops column')
    expect(declined.screen).toContain('notes (1 row): drops table')
    expect(declined.screen).toContain('you declined, so nothing was changed')
    expect(dumpSqlite(db())).toBe(before)

    // The down of the first migration would drop users, which holds 3 rows.
    const downDeclined = await runInTerminal(['down', '--steps', '1'], { cwd: project.dir, answer: 'n' })
    expect(downDeclined.code).toBe(1)
    expect(downDeclined.screen).toContain('users (3 rows): drops table')
    expect(dumpSqlite(db())).toBe(before)

    const accepted = await runInTerminal(['up'], { cwd: project.dir, answer: 'y' })
    expect(accepted.code).toBe(0)
    expect(dumpSqlite(db())).not.toContain('CREATE TABLE "notes"')
  })

  it('config allowDataLoss consents like the flag; dropping an all-NULL column or an empty table needs no consent', async () => {
    await destructive()
    execSqlite(db(), 'UPDATE users SET bio = NULL; DELETE FROM notes;')
    const before = dumpSqlite(db())
    const dry = await project.run(['up', '--dry-run', '--json'])
    expect(JSON.parse(dry.stdout).dataLoss).toEqual([])
    expect(dumpSqlite(db())).toBe(before)
    expect((await project.run(['up'])).code).toBe(0)

    // The down recreates what the up dropped (no loss); the first migration's down drops users with rows.
    expect((await project.run(['down'])).code).toBe(0)
    expect((await project.run(['down'])).code).toBe(1)
    project.write('migrator.config.ts', `export default { url: 'sqlite:./app.db', dir: './migrations', target: './schema.sql', allowDataLoss: true }\n`)
    expect((await project.run(['down'])).code).toBe(0)
    expect(dumpSqlite(db())).not.toContain('CREATE TABLE "users"')
  })

  it('values-kept counts only what the copy lacks, and is checked when the file runs: a copy an earlier file of the run makes needs no consent, a missing one stops the drop', async () => {
    project = tempProject({ 'migrator.config.ts': CONFIG, 'schema.sql': SCHEMA })
    expect((await project.run(['diff', 'init'])).code).toBe(0)
    expect((await project.run(['up'])).code).toBe(0)
    execSqlite(db(), "INSERT INTO users VALUES (1, 'a@x', 'Ünïcode 🐘'), (2, NULL, NULL), (3, 'c@x', '" + 'long'.repeat(500) + "');")
    const bios = querySqlite(db(), 'SELECT id, bio FROM users ORDER BY id')
    project.write('migrations/20990101000001_copy.up.sql', 'ALTER TABLE users ADD COLUMN about TEXT;\n')
    project.write('migrations/20990101000001_copy.down.sql', 'ALTER TABLE users DROP COLUMN about;\n')
    project.write('migrations/20990101000003_contract.up.sql', '-- migrator:values-kept users.bio in about\nALTER TABLE users DROP COLUMN bio;\n')
    expect((await project.run(['hash'])).code).toBe(0)

    // Nothing copies bio: lint cannot count it up front (the first file could), the run-time check stops the drop.
    const stopped = await project.run(['up'])
    expect(stopped.code).toBe(1)
    expect(stopped.stderr).toMatch(/20990101000003_contract\.up\.sql.*check-before `SELECT count\(\*\) = 0 FROM "users" WHERE "bio" IS NOT NULL AND "about" IS NULL` failed/)
    expect(querySqlite(db(), 'SELECT id, bio FROM users ORDER BY id')).toEqual(bios)

    // Now the contract meets the live data first: the 2 values the copy lacks need consent.
    const refused = await project.run(['up'])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/error: refusing to apply: it would destroy stored data: users\.bio \(2 values\): drops column in 20990101000003_contract\.up\.sql/)
    expect(querySqlite(db(), 'SELECT id, bio FROM users ORDER BY id')).toEqual(bios)

    // A file of the same run fills the copy: no consent asked, every value lives on in about.
    project.write('migrations/20990101000002_fill.up.sql', 'UPDATE users SET about = bio;\n')
    expect((await project.run(['hash'])).code).toBe(0)
    const applied = await project.run(['up'])
    expect(applied.code, applied.stderr).toBe(0)
    expect(querySqlite(db(), 'SELECT id, about AS bio FROM users ORDER BY id')).toEqual(bios)
    expect(querySqlite(db(), "SELECT name FROM pragma_table_info('users')")).toEqual([{ name: 'id' }, { name: 'email' }, { name: 'about' }])
  })
})
