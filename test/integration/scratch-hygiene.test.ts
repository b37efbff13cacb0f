import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { hostTag, isStaleScratch, scratchName, STALE_AFTER_MS } from '../../src/dialects/scratch-name.js'
import { tempProject, type TempProject } from '../cli/helpers.js'
import { execSqlite, querySqlite } from '../helpers/sqlite-dump.js'
import { startCli, waitUntil } from './scratch-hygiene-cli.js'

// Issues 11 and 17: scratch names a later run can recognise, and (SQLite, through the built CLI) a
// devUrl that serves any number of commands and is left byte for byte as found, on every exit path.
// PostgreSQL and MariaDB: scratch-hygiene-postgres.test.ts, scratch-hygiene-mysql.test.ts.

describe('temporary scratch database names', () => {
  const HOUR = 3600 * 1000
  const now = Date.UTC(2025, 0, 2, 3, 4, 5)
  const at = (ms: number) => Math.floor(ms / 1000)

  it('say prefix, host, pid and creation time, and fit PostgreSQL and MySQL identifiers', () => {
    const name = scratchName(now)
    expect(name).toMatch(new RegExp(`^migrator_scratch_${hostTag()}_${process.pid}_${at(now)}_[0-9a-f]{6}$`))
    expect(scratchName(now)).not.toBe(name)
    const longest = `migrator_scratch_${hostTag('a'.repeat(300))}_${2 ** 32}_${at(now)}_abcdef`
    expect(longest.length).toBeLessThanOrEqual(63)
  })

  it('keep hosts apart: letters and digits only, long names cut with a hash of the whole', () => {
    expect(hostTag('Build-Agent.07')).toBe('buildagent07')
    expect(hostTag('---')).toBe('host')
    const a = hostTag('ip-10-0-1-23.eu-west-1.compute.internal')
    const b = hostTag('ip-10-0-1-24.eu-west-1.compute.internal')
    expect(a).toMatch(/^[a-z0-9]{16}$/)
    expect(a).not.toBe(b)
  })

  it('are stale when their process is gone on this host, or older than a day from another', () => {
    const mine = (pid: number, ms: number) => `migrator_scratch_${hostTag()}_${pid}_${at(ms)}_abcdef`
    const other = hostTag() === 'otherhost' ? 'elsewhere' : 'otherhost'
    const theirs = (ms: number) => `migrator_scratch_${other}_4242_${at(ms)}_abcdef`
    const alive = (pid: number) => pid === 100
    expect(isStaleScratch(mine(100, now - 30 * 24 * HOUR), now, alive)).toBe(false)
    expect(isStaleScratch(mine(101, now), now, alive)).toBe(true)
    expect(isStaleScratch(theirs(now - HOUR), now, alive)).toBe(false)
    expect(isStaleScratch(theirs(now - STALE_AFTER_MS + 1000), now, alive)).toBe(false)
    expect(isStaleScratch(theirs(now - STALE_AFTER_MS - 1000), now, alive)).toBe(true)
    // Names that migrator did not write this way are never dropped.
    for (const name of ['migrator_scratch_0123456789ab', `x${mine(101, now)}`, `${mine(101, now)}x`, `migrator_scratch_${hostTag()}_101_${at(now)}`, 'users']) {
      expect(isStaleScratch(name, now, alive)).toBe(false)
    }
    // The real liveness check: this process is alive.
    expect(isStaleScratch(mine(process.pid, now), now)).toBe(false)
  })
})

const TARGET = `
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, score INTEGER);
CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id), note TEXT DEFAULT 'none', total REAL);
CREATE INDEX orders_user ON orders (user_id);
CREATE VIEW user_emails AS SELECT id, email FROM users;
CREATE TRIGGER users_lower AFTER INSERT ON users BEGIN UPDATE users SET email = lower(NEW.email) WHERE id = NEW.id; END;
`

/** A module migration that stops mid-replay until killed, after telling the test it got there. */
const HOOK = `import { writeFileSync } from 'node:fs'
export async function up(ctx) {
  await ctx.db.exec('CREATE TABLE hooked (id INTEGER PRIMARY KEY, note TEXT)')
  writeFileSync(process.env.MIGRATOR_TEST_MARKER, 'waiting')
  await new Promise((resolve) => setTimeout(resolve, 600000))
}
export async function down() {}
`

const CONFIG = JSON.stringify({ url: 'sqlite:./app.db', devUrl: 'sqlite:./dev/dev.db', dir: './migrations', target: './schema.sql' })

/** A dev file that once held tables, in WAL mode: emptied, but not zero bytes and not fresh. */
function usedDevFile(file: string): void {
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.exec("CREATE TABLE t (x); INSERT INTO t VALUES (zeroblob(100000)); DROP TABLE t; PRAGMA user_version = 7;")
  db.close()
}

/** The dev directory: every file and its bytes. */
function devFiles(project: TempProject): Record<string, string> {
  const dir = path.join(project.dir, 'dev')
  return Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(path.join(dir, f)).toString('base64')]))
}

describe('SQLite dev databases are left exactly as found (built CLI)', () => {
  let project: TempProject
  afterEach(() => project?.remove())

  const kinds = {
    'a dev file that does not exist': () => undefined,
    'an empty dev file (zero bytes)': (file: string) => writeFileSync(file, ''),
    'a used and emptied dev file in WAL mode': usedDevFile,
  }

  for (const [kind, make] of Object.entries(kinds)) {
    it(`${kind} serves diff, status, lint, up, diff --dry-run and down in a row and stays byte-identical`, { timeout: 300_000 }, async () => {
      project = tempProject({ 'migrator.config.json': CONFIG, 'schema.sql': TARGET, 'dev/.keep': '' })
      make(path.join(project.dir, 'dev', 'dev.db'))
      // status reads the app database and refuses a missing file (a typo'd path); an empty one is a new database.
      writeFileSync(path.join(project.dir, 'app.db'), '')
      const found = devFiles(project)
      for (const args of [['diff', '--dry-run'], ['diff', 'init'], ['status'], ['lint'], ['up'], ['diff', '--dry-run'], ['status']]) {
        const result = await project.run(args)
        expect({ args, code: result.code, stderr: result.stderr }).toEqual({ args, code: 0, stderr: expect.not.stringMatching(/^error/m) })
        expect({ args, dev: devFiles(project) }).toEqual({ args, dev: found })
      }
      expect((await project.run(['diff', '--dry-run'])).stdout).toContain('No changes')

      // down analyzes its data loss on a scratch database too; it refuses, and nothing moves.
      const app = path.join(project.dir, 'app.db')
      execSqlite(app, `INSERT INTO users (email, score) VALUES ('A@X', 9223372036854775807), ('Ünïcode 🐘', NULL), ('${'long'.repeat(2000)}', -1);
        INSERT INTO orders (user_id, note, total) VALUES (1, NULL, 1e308), (2, 'ß', -0.0), (NULL, 'x', NULL);`)
      const rows = () => [querySqlite(app, 'SELECT * FROM users ORDER BY id'), querySqlite(app, 'SELECT * FROM orders ORDER BY id')]
      const before = rows()
      expect(before[0]).toHaveLength(3)
      const down = await project.run(['down'])
      expect(down.code).toBe(1)
      expect(down.stderr).toMatch(/users \(3 rows\)/)
      expect(rows()).toEqual(before)
      expect(devFiles(project)).toEqual(found)
    })
  }

  it('a dev file that holds tables is refused in one line naming them, and left untouched', { timeout: 120_000 }, async () => {
    project = tempProject({ 'migrator.config.json': CONFIG, 'schema.sql': TARGET, 'dev/.keep': '' })
    execSqlite(path.join(project.dir, 'dev', 'dev.db'), "CREATE TABLE users (id INTEGER, name TEXT); INSERT INTO users VALUES (1, 'kept'), (2, NULL); CREATE VIEW v AS SELECT id FROM users; CREATE INDEX users_id ON users (id);")
    writeFileSync(path.join(project.dir, 'app.db'), '')
    const found = devFiles(project)
    for (const args of [['diff', '--dry-run'], ['status'], ['diff', 'x']]) {
      const result = await project.run(args)
      expect(result.code).toBe(1)
      expect(result.stderr.trim().split('\n')).toEqual(['error: dev database sqlite:./dev/dev.db is not empty: table users, view v; point devUrl at an empty database'])
      expect(devFiles(project)).toEqual(found)
    }
    expect(project.exists('migrations')).toBe(false)
  })

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
    it(`${signal} in the middle of diff --from dir leaves the dev file and directory as they were`, { timeout: 120_000 }, async () => {
      project = tempProject({ 'migrator.config.json': CONFIG, 'schema.sql': TARGET, 'dev/.keep': '', 'migrations/20240101000000_hook.js': HOOK })
      usedDevFile(path.join(project.dir, 'dev', 'dev.db'))
      execSqlite(path.join(project.dir, 'app.db'), 'CREATE TABLE app (id INTEGER PRIMARY KEY)')
      expect((await project.run(['hash'])).code).toBe(0)
      const found = devFiles(project)
      const marker = path.join(project.dir, 'marker')
      const run = startCli(['diff', 'killed', '--from', 'dir'], project.dir, { MIGRATOR_TEST_MARKER: marker })
      await waitUntil('the hook waits in the scratch database', async () => existsSync(marker), run)
      run.kill(signal)
      expect((await run.done).signal).toBe(signal)
      expect(devFiles(project)).toEqual(found)
      expect(readdirSync(path.join(project.dir, 'migrations')).sort()).toEqual(['20240101000000_hook.js', 'migrator.sum'])
      expect(readdirSync(project.dir).sort()).toEqual(['app.db', 'dev', 'marker', 'migrations', 'migrator.config.json', 'schema.sql'])
    })
  }
})
