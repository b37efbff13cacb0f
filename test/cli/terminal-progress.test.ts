import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { execSqlite, querySqlite } from '../helpers/sqlite-dump.js'
import { runInTerminal, tempProject, type TempProject } from './helpers.js'

const CONFIG = `export default { url: 'sqlite:./app.db', dir: './migrations' }\n`
const ROWS = 3000
// 30 chunks with an 80 ms pause after each: the backfill runs for about 2.5 s.
const BACKFILL = `-- migrator:backfill table=users set="name = coalesce(email, '') || '!'" where="name IS NULL" batch=100 sleep=80\nSELECT 1;\n`

let project: TempProject
afterEach(() => project?.remove())

/** Emails with NULLs, unicode and a long string, so the filled values say every row got its own. */
function email(id: number): string | null {
  if (id % 97 === 0) return null
  if (id % 101 === 0) return `ünï🐘${id}@example.com`
  if (id === ROWS) return `${'x'.repeat(5000)}@example.com`
  return `user${id}@example.com`
}

/** A SQLite project with `ROWS` users and a pending migration that backfills users.name. */
async function backfillProject(): Promise<string> {
  project = tempProject({
    'migrator.config.ts': CONFIG,
    'migrations/20260101000000_users.up.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, name TEXT);\n',
    'migrations/20260101000000_users.down.sql': 'DROP TABLE users;\n',
    'migrations/20260101000100_fill_names.up.sql': BACKFILL,
    'migrations/20260101000100_fill_names.down.sql': 'UPDATE users SET name = NULL;\n',
  })
  expect((await project.run(['hash'])).code).toBe(0)
  expect((await project.run(['up', '--to', '20260101000000'])).code).toBe(0)
  const db = path.join(project.dir, 'app.db')
  const values = Array.from({ length: ROWS }, (_, i) => {
    const value = email(i + 1)
    return `(${i + 1}, ${value === null ? 'NULL' : `'${value}'`})`
  })
  execSqlite(db, `INSERT INTO users (id, email) VALUES ${values.join(', ')};`)
  return db
}

function expectAllBackfilled(db: string): void {
  const rows = querySqlite<{ id: number; email: string | null; name: string | null }>(db, 'SELECT id, email, name FROM users ORDER BY id')
  expect(rows).toHaveLength(ROWS)
  expect(rows.filter((r) => r.name !== `${r.email ?? ''}!`)).toEqual([])
  expect(rows.find((r) => r.id === 101)?.name).toBe('ünï🐘101@example.com!')
}

describe('backfill progress on a terminal that cannot draw a progress line (SQLite, through the built CLI)', { timeout: 120_000 }, () => {
  it('with 0 columns, progress is a few plain lines (not megabytes of cursor codes) and every row is backfilled', async () => {
    const db = await backfillProject()
    const run = await runInTerminal(['up'], { cwd: project.dir, columns: 0 })
    expect(run.code).toBe(0)
    // The run used to write ~12 MB of cursor-up/erase codes in 4 s and never finish.
    expect(run.screen.length).toBeLessThan(4096)
    expect(run.screen).not.toContain('\u001b[1A')
    expect(run.screen).toMatch(/ {2}backfill users: 3,000 rows\r?\n/)
    expect(run.screen).toMatch(/ {2}backfill users: [\d,]+\/3,000 rows, [\d,]+ rows\/s/)
    expect(run.screen).toMatch(/ {2}backfill users: 3,000 rows in \d+\.\d s\r?\n/)
    expect(run.screen).toMatch(/applied 20260101000100_fill_names/)
    // Plain periodic lines: at most one progress line every 5 s (the run takes about 2.5 s).
    expect(run.screen.match(/rows\/s/g)?.length).toBeLessThanOrEqual(2)
    expectAllBackfilled(db)
  })

  it('with TERM=dumb, progress is plain lines too', async () => {
    const db = await backfillProject()
    const run = await runInTerminal(['up'], { cwd: project.dir, columns: 80, env: { TERM: 'dumb' } })
    expect(run.code).toBe(0)
    expect(run.screen.length).toBeLessThan(4096)
    expect(run.screen).not.toContain('\u001b[1A')
    expect(run.screen).toMatch(/ {2}backfill users: [\d,]+\/3,000 rows, [\d,]+ rows\/s/)
    expectAllBackfilled(db)
  })

  it('a terminal that reports its width still gets the spinner drawn in place', async () => {
    const db = await backfillProject()
    const run = await runInTerminal(['up'], { cwd: project.dir, columns: 80, env: { TERM: 'xterm' } })
    expect(run.code).toBe(0)
    // ora hides the cursor while it animates and redraws its line in place.
    expect(run.screen).toContain('\u001b[?25l')
    expect(run.screen).toMatch(/applied 20260101000100_fill_names/)
    expectAllBackfilled(db)
  })
})
