import { cpSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { availableDialects, createDatabase, type DialectKey } from './dialect-databases.js'
import { SCENARIOS } from './drizzle-scenarios.js'
import { ROOT, tempProject, type CliResult, type TempProject } from './helpers.js'

/**
 * Issue 16: a drizzle-orm schema as the target, on every dialect, through the built CLI. drizzle-kit
 * turns it into SQL that the scratch database runs, so the migration `diff` writes creates what
 * drizzle declares, applying it leaves nothing to diff, and an edit of the drizzle schema (column,
 * index, declared rename) gives the same migration as that edit written as SQL, keeping the rows.
 */

const available = await availableDialects()
const TARGET = 'src/db/schema/*.ts'

/** A project whose node_modules is this repository's: drizzle-orm and drizzle-kit are the user's packages. */
function drizzleProject(url: string): TempProject {
  const project = tempProject({ 'migrator.config.json': JSON.stringify({ url, dir: './migrations', target: `./${TARGET}` }) })
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(project.dir, 'node_modules'), 'dir')
  mkdirSync(path.join(project.dir, 'migrations'))
  return project
}

function ok(run: CliResult): CliResult {
  expect(run.code, run.stderr).toBe(0)
  expect(run.stderr).not.toMatch(/^error/m)
  return run
}

/** The statements of a dry-run diff, without the header comments (versions, fingerprints). */
const statements = (run: CliResult): string => run.stdout.split('\n').filter((line) => !line.startsWith('--')).join('\n').trim()

for (const dialect of ['sqlite', 'postgres', 'mariadb'] as const satisfies readonly DialectKey[]) {
  const scenario = SCENARIOS[dialect]
  describe.skipIf(!available[dialect])(`a drizzle-orm schema as target on ${dialect} (through the built CLI)`, { timeout: 300_000 }, () => {
    it('diff → up → No changes; an edit with a declared rename equals the same edit in SQL and keeps the rows', async () => {
      const db = await createDatabase(dialect, 'drizzle')
      const project = drizzleProject(db.url)
      try {
        project.write('src/db/schema/tables.ts', scenario.tables)
        project.write('src/db/schema/views.ts', scenario.views)
        ok(await project.run(['hash']))

        const created = ok(await project.run(['diff', 'create']))
        expect(created.stdout).toMatch(/wrote|\.up\.sql/)
        const up = project.read(`migrations/${readdirSync(path.join(project.dir, 'migrations')).find((f) => f.endsWith('.up.sql'))}`)
        for (const fragment of scenario.created) expect(up).toMatch(fragment)
        ok(await project.run(['up']))
        await db.exec(scenario.rows)
        expect(ok(await project.run(['diff', '--dry-run'])).stdout.trim()).toBe('No changes')

        // The live schema written as drizzle declarations is, as the target, the same schema.
        project.write('inspected/schema.ts', ok(await project.run(['inspect', '--format', 'drizzle'])).stdout)
        expect(ok(await project.run(['diff', '--dry-run', '--to', 'inspected/schema.ts'])).stdout.trim()).toBe('No changes')

        // The same edit, as drizzle and as SQL over the live schema, plans the same statements.
        const live = ok(await project.run(['inspect', '--format', 'sql'])).stdout
        project.write('schema.sql', `${live}\n${scenario.editSql}`)
        project.write('src/db/schema/tables.ts', scenario.edited)
        const fromDrizzle = ok(await project.run(['diff', '--dry-run']))
        const fromSql = ok(await project.run(['diff', '--dry-run', '--to', 'schema.sql']))
        expect(statements(fromDrizzle)).toBe(statements(fromSql))
        expect(fromDrizzle.stdout).toMatch(/RENAME COLUMN ["`]name["`] TO ["`]full_name["`]/)
        expect(fromDrizzle.stdout).toMatch(/ADD COLUMN ["`]nickname["`]/)
        expect(fromDrizzle.stdout).toMatch(/(CREATE|ADD) INDEX ["`]users_nickname["`]/)
        expect(fromDrizzle.stdout).not.toMatch(/DROP COLUMN/)

        ok(await project.run(['diff', 'edit_users']))
        ok(await project.run(['up']))
        expect(await db.query('SELECT email, full_name, nickname FROM users ORDER BY email')).toEqual([
          { email: 'a@example.com', full_name: 'Ada Lovelace', nickname: null },
          { email: 'b@example.com', full_name: null, nickname: null },
          { email: 'c@example.com', full_name: '日本語 ✓', nickname: null },
        ])
        expect((await db.query<{ name: string }>('SELECT name FROM teams ORDER BY slug')).map((r) => r.name)).toEqual(['x'.repeat(300), 'Zoë & co'])
        expect(ok(await project.run(['diff', '--dry-run'])).stdout.trim()).toBe('No changes')
        expect(ok(await project.run(['diff', '--dry-run', '--to', 'schema.sql'])).stdout.trim()).toBe('No changes')
      } finally {
        project.remove()
        await db.drop()
      }
    })
  })
}

describe('examples/drizzle (SQLite, through the built CLI)', { timeout: 240_000 }, () => {
  it('its schema diffs, applies and then has No changes, leaving drizzle-kit\'s history alone; inspect --format drizzle of the result does too', async () => {
    const db = await createDatabase('sqlite', 'drizzle-example')
    const project = drizzleProject(db.url)
    try {
      cpSync(path.join(ROOT, 'examples', 'drizzle', 'src'), path.join(project.dir, 'src'), { recursive: true })
      // A database drizzle-kit migrated before: its history table is not part of the schema.
      await db.exec("CREATE TABLE __drizzle_migrations (id INTEGER PRIMARY KEY, hash text NOT NULL, created_at numeric); INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('abc', 1)")
      ok(await project.run(['hash']))
      ok(await project.run(['diff', 'init']))
      ok(await project.run(['up']))
      expect(ok(await project.run(['diff', '--check'])).stdout.trim()).toBe('No changes')
      project.write('inspected.ts', ok(await project.run(['inspect', '--format', 'drizzle'])).stdout)
      expect(ok(await project.run(['diff', '--check', '--to', 'inspected.ts'])).stdout.trim()).toBe('No changes')
      expect(project.read('inspected.ts')).not.toContain('__drizzle_migrations')
      expect(await db.query('SELECT hash FROM __drizzle_migrations')).toEqual([{ hash: 'abc' }])
    } finally {
      project.remove()
      await db.drop()
    }
  })
})

describe('a declared table rename in a drizzle-orm target (SQLite, through the built CLI)', { timeout: 240_000 }, () => {
  it('renames the table and its column in place, keeping the rows', async () => {
    const db = await createDatabase('sqlite', 'drizzle-rename')
    const project = drizzleProject(db.url)
    try {
      await db.exec("CREATE TABLE people (id INTEGER PRIMARY KEY NOT NULL, name text); INSERT INTO people VALUES (1, 'Zoë'), (2, NULL)")
      project.write(
        'src/db/schema/users.ts',
        `import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
export const renames = [{ from: 'people', to: 'users' }, { table: 'users', from: 'name', to: 'full_name' }]
export const users = sqliteTable('users', { id: integer().primaryKey(), fullName: text('full_name') })
`,
      )
      ok(await project.run(['hash']))
      const diff = ok(await project.run(['diff', '--dry-run']))
      expect(statements(diff)).toBe('ALTER TABLE "people" RENAME TO "users";\n\nALTER TABLE "users" RENAME COLUMN "name" TO "full_name";')
      ok(await project.run(['diff', 'rename_people']))
      ok(await project.run(['up']))
      expect(await db.query('SELECT id, full_name FROM users ORDER BY id')).toEqual([{ id: 1, full_name: 'Zoë' }, { id: 2, full_name: null }])
      expect(ok(await project.run(['diff', '--check'])).stdout.trim()).toBe('No changes')
    } finally {
      project.remove()
      await db.drop()
    }
  })
})
