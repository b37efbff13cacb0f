import { mkdirSync, readdirSync, symlinkSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ROOT, tempProject } from './helpers.js'

/**
 * Issue 16: a drizzle-orm target drizzle or the database refuses is one error line naming the file
 * and what to do, exit 1, nothing written, stdout clean under --json (drizzle-kit prints and calls
 * process.exit on a schema it refuses; migrator reports that instead of exiting with it).
 */

const project = tempProject({ 'migrator.config.json': JSON.stringify({ url: 'sqlite:./app.db', dir: './migrations' }) })
symlinkSync(path.join(ROOT, 'node_modules'), path.join(project.dir, 'node_modules'), 'dir')
mkdirSync(path.join(project.dir, 'migrations'))
afterAll(() => project.remove())

const TABLE = `import { sql } from 'drizzle-orm'
import { check, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
`

const CASES: readonly { readonly what: string; readonly file: string; readonly text: string; readonly target?: string; readonly error: RegExp }[] = [
  {
    what: 'a table of another dialect',
    file: 'pg.ts',
    text: `import { integer, pgTable } from 'drizzle-orm/pg-core'\nexport const a = pgTable('a', { id: integer().primaryKey() })\n`,
    error: /^error: target pg\.ts: a is a PostgreSQL table, but the database is SQLite; declare it with sqliteTable \(drizzle-orm\/sqlite-core\)$/,
  },
  {
    what: 'a malformed renames list',
    file: 'bad-renames.ts',
    text: `${TABLE}export const renames = [{ table: 'a', from: 'old' }]\nexport const a = sqliteTable('a', { id: integer().primaryKey(), x: text() })\n`,
    error: /^error: target bad-renames\.ts: renames\[0\]: expected \{ table, from, to \} \(a column\) or \{ from, to \} \(a table\); see "drizzle-orm users" in the README$/,
  },
  {
    what: 'a rename into a column the schema does not have',
    file: 'lost-rename.ts',
    text: `${TABLE}export const renames = [{ table: 'a', from: 'old', to: 'nothere' }]\nexport const a = sqliteTable('a', { id: integer().primaryKey(), x: text() })\n`,
    error: /^error: lost-rename\.ts: renames\[0\]: the target has no column a\.nothere to rename into$/,
  },
  {
    what: 'an unknown casing',
    file: 'casing.ts',
    text: `${TABLE}export const casing = 'kebab'\nexport const a = sqliteTable('a', { id: integer().primaryKey() })\n`,
    error: /^error: target casing\.ts: casing: expected 'snake_case' or 'camelCase', got "kebab"$/,
  },
  {
    what: 'a schema drizzle-kit refuses (it exits the process)',
    file: 'checks.ts',
    text: `${TABLE}export const a = sqliteTable('a', { id: integer().primaryKey(), x: integer() }, (t) => [check('c', sql\`\${t.x} > 0\`), check('c', sql\`\${t.x} < 9\`)])\n`,
    error: /^error: target checks\.ts: drizzle-kit cannot generate its SQL: .*duplicated check constraint name in a.*; fix the schema$/,
  },
  {
    what: 'SQL the database refuses',
    file: 'indexes.ts',
    text: `import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
export const a = sqliteTable('a', { id: integer().primaryKey(), x: text() }, (t) => [index('same').on(t.x)])
export const b = sqliteTable('b', { id: integer().primaryKey(), y: text() }, (t) => [index('same').on(t.y)])
`,
    error: /^error: target indexes\.ts: the database refuses the SQL drizzle-kit generates for it: index same already exists \(in: CREATE INDEX `same` ON `b` \(`y`\);\); fix the target$/,
  },
  { what: 'a pattern matching no file', file: 'unused.ts', text: '', target: 'schema/*.ts', error: /^error: target schema\/\*\.ts: directory schema does not exist$/ },
]

describe('a drizzle-orm target that cannot be used (SQLite, through the built CLI)', { timeout: 240_000 }, () => {
  for (const c of CASES) {
    it(`${c.what}: one error line, exit 1, nothing written`, async () => {
      project.write(c.file, c.text)
      for (const args of [['diff', 'x', '--to', c.target ?? c.file], ['diff', '--json', '--dry-run', '--to', c.target ?? c.file]]) {
        const run = await project.run(args)
        expect(run.code).toBe(1)
        if (args.includes('--json')) {
          expect(JSON.parse(run.stdout)).toEqual({ error: { code: 'target', message: expect.any(String) } })
          expect(`error: ${JSON.parse(run.stdout).error.message}`).toMatch(c.error)
        } else {
          expect(run.stdout).toBe('')
          expect(run.stderr.trimEnd().split('\n')).toHaveLength(1)
          expect(run.stderr.trimEnd()).toMatch(c.error)
        }
      }
      expect(readdirSync(path.join(project.dir, 'migrations'))).toEqual([])
      expect(project.exists('app.db')).toBe(false)
    })
  }
})
