import { execFileSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { formatVersion } from '../../src/migrations/directory.js'
import { availableDialects, createDatabase, type DialectKey, type HandMadeDatabase } from './dialect-databases.js'
import { tempProject, type CliResult, type TempProject } from './helpers.js'

const available = await availableDialects()

const CONFIG = `export default { dir: './migrations', target: './schema.sql' }\n`

/** The declared schema per dialect: users, plus the columns a branch adds or changes. */
function schema(dialect: DialectKey, extra: { email?: string; nickname?: boolean; age?: boolean } = {}): string {
  const id = dialect === 'sqlite' ? 'id INTEGER PRIMARY KEY' : 'id int PRIMARY KEY'
  const columns = [
    id,
    `email ${extra.email ?? 'varchar(50)'}`,
    ...(extra.nickname === true ? ['nickname varchar(40)'] : []),
    ...(extra.age === true ? ['age int'] : []),
  ]
  return `CREATE TABLE users (\n  ${columns.join(',\n  ')}\n);\n`
}

const cleanup: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

async function database(dialect: DialectKey, prefix: string): Promise<HandMadeDatabase> {
  const db = await createDatabase(dialect, prefix)
  cleanup.push(() => db.drop())
  return db
}

function git(project: TempProject, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd: project.dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
}

/** Like git, for a merge that is expected to stop on conflicts. */
function gitMergeConflicts(project: TempProject, branch: string): string[] {
  try {
    git(project, 'merge', '--no-edit', branch)
    return []
  } catch {
    return git(project, 'diff', '--name-only', '--diff-filter=U').trim().split('\n').filter((l) => l !== '')
  }
}

function ok(result: CliResult): CliResult {
  expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0)
  return result
}

const newestVersion = (project: TempProject): string =>
  readdirSync(path.join(project.dir, 'migrations')).filter((f) => f.endsWith('.up.sql')).sort().at(-1)!.slice(0, 14)

/** Waits until the clock has passed `version`, so the next `diff` gets a later version (as on another day). */
async function after(version: string): Promise<void> {
  while (formatVersion(new Date()) <= version) await new Promise((resolve) => setTimeout(resolve, 100))
}

const ROWS = "INSERT INTO users (id, email) VALUES (1, 'a@x'), (2, NULL), (3, 'ünïcødé');"

for (const dialect of ['postgres', 'mariadb', 'sqlite'] as const) {
  describe.skipIf(!available[dialect])(`two branches, one merge, on ${dialect} (a real git repository, the built CLI)`, () => {
    it('independent migrations from two branches apply after the merge on a database that ran either branch and on a fresh one', { timeout: 600_000 }, async () => {
      const [dbA, dbB, dbB2, fresh, fresh2] = (await Promise.all(['teama', 'teamb', 'teamb2', 'teamf', 'teamf2'].map((p) => database(dialect, p)))) as HandMadeDatabase[] as [HandMadeDatabase, HandMadeDatabase, HandMadeDatabase, HandMadeDatabase, HandMadeDatabase]
      const project = tempProject({ 'migrator.config.ts': CONFIG, 'schema.sql': schema(dialect), '.gitignore': '*.db\n' })
      cleanup.push(() => project.remove())
      const url = (db: HandMadeDatabase) => ['--url', db.url]
      git(project, 'init', '-q')
      ok(await project.run(['init']))
      ok(await project.run(['diff', 'create_users', ...url(dbA)]))
      git(project, 'add', '-A')
      git(project, 'commit', '-qm', 'users')
      const base = newestVersion(project)

      // Branch a adds users.nickname, generated against a database at main's state.
      git(project, 'checkout', '-qb', 'a')
      ok(await project.run(['up', ...url(dbA)]))
      await dbA.exec(ROWS)
      await after(base)
      project.write('schema.sql', schema(dialect, { nickname: true }))
      ok(await project.run(['diff', 'add_nickname', ...url(dbA)]))
      const versionA = newestVersion(project)
      ok(await project.run(['up', ...url(dbA)]))
      git(project, 'add', '-A')
      git(project, 'commit', '-qm', 'nickname')

      // Branch b, from main, adds users.age to the same table, later.
      git(project, 'checkout', '-q', 'main')
      git(project, 'checkout', '-qb', 'b')
      for (const db of [dbB, dbB2]) {
        ok(await project.run(['up', ...url(db)]))
        await db.exec(ROWS)
      }
      await after(versionA)
      project.write('schema.sql', schema(dialect, { age: true }))
      ok(await project.run(['diff', 'add_age', ...url(dbB)]))
      const versionB = newestVersion(project)
      expect(versionB > versionA).toBe(true)
      for (const db of [dbB, dbB2]) ok(await project.run(['up', ...url(db)]))
      git(project, 'add', '-A')
      git(project, 'commit', '-qm', 'age')

      // Merge b first, then a: schema.sql and migrator.sum conflict; resolved as the README says.
      git(project, 'checkout', '-q', 'main')
      git(project, 'merge', '-q', '--no-edit', 'b')
      expect(gitMergeConflicts(project, 'a').sort()).toEqual(['migrations/migrator.sum', 'schema.sql'])
      project.write('schema.sql', schema(dialect, { nickname: true, age: true }))
      const unresolved = await project.run(['validate'])
      expect(unresolved.code).toBe(2)
      expect(unresolved.stdout + unresolved.stderr).toMatch(/migrator hash/)
      ok(await project.run(['hash']))
      git(project, 'add', '-A')
      git(project, 'commit', '-qm', 'merge a')

      // CI on the merged directory: valid on a fresh database, lint clean, nothing left to generate.
      ok(await project.run(['validate', ...url(fresh)]))
      ok(await project.run(['lint', ...url(fresh)]))

      // The database that ran branch a gets b's migration, a newer one: a plain up.
      ok(await project.run(['up', ...url(dbA)]))
      // The one that ran branch b has a's older migration pending: out of order, refused until allowed.
      const status = await project.run(['status', '--json', ...url(dbB)])
      expect((JSON.parse(status.stdout) as { migrations: { version: string; state: string }[] }).migrations.map((m) => [m.version, m.state])).toEqual([
        [base, 'applied'], [versionA, 'out-of-order'], [versionB, 'applied'],
      ])
      const refused = await project.run(['up', ...url(dbB)])
      expect(refused.code).toBe(1)
      expect(refused.stderr).toMatch(new RegExp(`older than ${versionB}.*${versionA}_add_nickname\\.up\\.sql.*--allow-out-of-order`))
      ok(await project.run(['up', '--allow-out-of-order', ...url(dbB)]))
      // A fresh database runs both in version order; every one of them ends at the merged target.
      ok(await project.run(['up', ...url(fresh)]))
      for (const db of [dbA, dbB, fresh]) {
        const check = ok(await project.run(['diff', '--check', ...url(db)]))
        expect(check.stdout.trim()).toBe('No changes')
        ok(await project.run(['status', '--check', ...url(db)]))
      }
      for (const db of [dbA, dbB]) {
        expect(await db.query('SELECT id, email, nickname, age FROM users ORDER BY id')).toEqual([
          { id: 1, email: 'a@x', nickname: null, age: null },
          { id: 2, email: null, nickname: null, age: null },
          { id: 3, email: 'ünïcødé', nickname: null, age: null },
        ])
      }

      // Or rebase the migration merged second, before any shared database ran it: it goes last.
      const rebased = ok(await project.run(['rebase', versionA, ...url(dbB2)]))
      const versionA2 = newestVersion(project)
      expect(versionA2 > versionB).toBe(true)
      expect(rebased.stdout + rebased.stderr).toContain(`${versionA}_add_nickname.up.sql → ${versionA2}_add_nickname.up.sql`)
      expect(project.exists(`migrations/${versionA}_add_nickname.up.sql`)).toBe(false)
      expect(project.read(`migrations/${versionA2}_add_nickname.up.sql`)).toContain(`${versionA2}_add_nickname`)
      expect(project.read(`migrations/${versionA2}_add_nickname.down.sql`)).not.toContain(versionA)
      expect(project.read('migrations/migrator.sum')).toContain(`${versionA2}_add_nickname.down.sql`)
      ok(await project.run(['validate', ...url(dbB2)]))
      ok(await project.run(['up', ...url(dbB2)]))
      ok(await project.run(['up', ...url(fresh2)]))
      for (const db of [dbB2, fresh2]) expect((await project.run(['diff', '--check', ...url(db)])).code).toBe(0)
      // A database that applied the old version keeps it: rebase refuses to orphan its history row.
      const applied = await project.run(['rebase', base, ...url(dbA)])
      expect(applied.code).toBe(1)
      expect(applied.stderr).toMatch(/is applied in the configured database/)
    })

    it('two branches changing the same column are a conflict validate reports before any database is touched', { timeout: 600_000 }, async () => {
      const [dbC, dbD] = (await Promise.all(['teamc', 'teamd'].map((p) => database(dialect, p)))) as [HandMadeDatabase, HandMadeDatabase]
      const project = tempProject({ 'migrator.config.ts': CONFIG, 'schema.sql': schema(dialect), '.gitignore': '*.db\n' })
      cleanup.push(() => project.remove())
      const url = (db: HandMadeDatabase) => ['--url', db.url]
      git(project, 'init', '-q')
      ok(await project.run(['init']))
      ok(await project.run(['diff', 'create_users', ...url(dbC)]))
      git(project, 'add', '-A')
      git(project, 'commit', '-qm', 'users')
      const base = newestVersion(project)

      git(project, 'checkout', '-qb', 'c')
      ok(await project.run(['up', ...url(dbC)]))
      await dbC.exec(ROWS)
      await after(base)
      project.write('schema.sql', schema(dialect, { email: 'varchar(100)' }))
      ok(await project.run(['diff', 'widen_email', ...url(dbC)]))
      const versionC = newestVersion(project)
      ok(await project.run(['up', ...url(dbC)]))
      git(project, 'add', '-A')
      git(project, 'commit', '-qm', 'widen to 100')

      git(project, 'checkout', '-q', 'main')
      git(project, 'checkout', '-qb', 'd')
      ok(await project.run(['up', ...url(dbD)]))
      await after(versionC)
      project.write('schema.sql', schema(dialect, { email: 'varchar(200)' }))
      ok(await project.run(['diff', 'widen_email_more', ...url(dbD)]))
      const versionD = newestVersion(project)
      git(project, 'add', '-A')
      git(project, 'commit', '-qm', 'widen to 200')

      git(project, 'checkout', '-q', 'main')
      git(project, 'merge', '-q', '--no-edit', 'c')
      expect(gitMergeConflicts(project, 'd').sort()).toEqual(['migrations/migrator.sum', 'schema.sql'])
      project.write('schema.sql', schema(dialect, { email: 'varchar(200)' }))
      ok(await project.run(['hash']))
      git(project, 'add', '-A')
      git(project, 'commit', '-qm', 'merge d')

      const historyBefore = await dbC.query('SELECT version, status FROM migrator_history ORDER BY version')
      const inspectBefore = ok(await project.run(['inspect', '--format', 'json', ...url(dbC)])).stdout
      const validate = await project.run(['validate', ...url(dbC)])
      expect(validate.code).toBe(2)
      expect(validate.stdout + validate.stderr).toMatch(new RegExp(`${versionD}_widen_email_more\\.up\\.sql changed column [a-z.]*users\\.email, but .*another migration before it changes them too \\(a conflict`))
      // lint says the same (MF100, on a scratch copy of the database's structure), so up refuses before it runs anything.
      const lint = await project.run(['lint', ...url(dbC)])
      expect(lint.code).toBe(2)
      expect(lint.stdout + lint.stderr).toMatch(/MF100[\s\S]*another migration before it changes them too \(a conflict/)
      const latest = await project.run(['lint', '--latest', '1', ...url(dbC)])
      expect(latest.code).toBe(2)
      expect(latest.stdout + latest.stderr).toMatch(/MF100[\s\S]*a conflict/)
      const up = await project.run(['up', ...url(dbC)])
      expect(up.code).toBe(1)
      expect(up.stderr).toMatch(/refusing to apply: lint found 1 error-level finding: .*MF100.*a conflict.*nothing was changed/)
      // Nothing touched: the database's history, schema and rows are as they were.
      expect(await dbC.query('SELECT version, status FROM migrator_history ORDER BY version')).toEqual(historyBefore)
      expect(ok(await project.run(['inspect', '--format', 'json', ...url(dbC)])).stdout).toEqual(inspectBefore)
      expect(await dbC.query('SELECT id, email FROM users ORDER BY id')).toEqual([
        { id: 1, email: 'a@x' }, { id: 2, email: null }, { id: 3, email: 'ünïcødé' },
      ])
    })
  })
}
