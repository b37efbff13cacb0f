import { readdirSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { querySqlite } from '../helpers/sqlite-dump.js'
import { tempProject, type TempProject } from './helpers.js'

const CONFIG = "export default { url: 'sqlite:./app.db', dir: './migrations', target: './schema.sql' }\n"

let project: TempProject
afterEach(() => project?.remove())

const migration = (suffix: string) => path.join('migrations', readdirSync(path.join(project.dir, 'migrations')).find((f) => f.endsWith(suffix))!)
const db = () => path.join(project.dir, 'app.db')

/** Exit 1 and exactly one `error:` line on stderr, which `pattern` matches. */
function oneError(result: { code: number; stdout: string; stderr: string }, pattern: RegExp): void {
  expect(result.code).toBe(1)
  const lines = result.stderr.trim().split('\n')
  expect(lines, result.stderr).toHaveLength(1)
  expect(lines[0]).toMatch(pattern)
}

describe('after `migrator new`, nothing waits for `migrator hash`', () => {
  it('status, lint and diff run right away and after editing the new files; up applies them; validate and hash record them', { timeout: 300_000 }, async () => {
    project = tempProject({ 'migrator.config.ts': CONFIG, 'schema.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\n' })
    expect((await project.run(['diff', 'init'])).code).toBe(0)
    expect((await project.run(['up'])).code).toBe(0)
    expect((await project.run(['new', 'add_nick'])).code).toBe(0)

    // Right after new: the empty migration is listed as pending, linted, and only up refuses it.
    const status = await project.run(['status', '--json'])
    expect(status.code, status.stderr).toBe(0)
    expect((JSON.parse(status.stdout) as { migrations: { name: string; state: string }[] }).migrations.map((m) => [m.name, m.state])).toEqual([['init', 'applied'], ['add_nick', 'pending']])
    expect((await project.run(['lint'])).code).toBe(0)
    expect((await project.run(['diff', '--dry-run', '--from', 'dir'])).code).toBe(0)
    oneError(await project.run(['up']), /_add_nick\.up\.sql: the up file has no statements \(only comments or whitespace\); write the migration or delete the file$/)

    // Edited: no `hash` needed to see, lint or apply it.
    project.write(migration('_add_nick.up.sql'), "ALTER TABLE users ADD COLUMN nick TEXT NOT NULL DEFAULT 'none';\n")
    project.write(migration('_add_nick.down.sql'), 'ALTER TABLE users DROP COLUMN nick;\n')
    for (const args of [['status'], ['lint'], ['diff', '--dry-run', '--from', 'dir']]) {
      const result = await project.run(args)
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0)
      expect(result.stderr, args.join(' ')).not.toMatch(/migrator hash|does not match/)
    }
    const applied = await project.run(['up'])
    expect(applied.code, applied.stderr).toBe(0)
    expect(querySqlite<{ name: string }>(db(), "SELECT name FROM pragma_table_info('users') ORDER BY cid").map((c) => c.name)).toEqual(['id', 'email', 'nick'])

    // CI's check: the edit is not recorded in migrator.sum until `hash` (or repair) records it.
    const validate = await project.run(['validate'])
    expect(validate.code).toBe(2)
    expect(validate.stdout).toMatch(/_add_nick\.up\.sql was edited after `migrator new` and migrator\.sum does not record the edit yet; review it and run `migrator hash`/)
    expect(validate.stdout).toMatch(/_add_nick\.down\.sql was edited after `migrator new`/)
    expect((await project.run(['hash'])).code).toBe(0)
    expect(await project.run(['validate'])).toMatchObject({ code: 0, stdout: 'OK: 2 migrations valid\n' })
  })
})

describe('an edited applied migration gets one next step everywhere', () => {
  it('status, up and validate all say: restore it, or `migrator repair`; repair accepts it in history and migrator.sum', { timeout: 300_000 }, async () => {
    project = tempProject({ 'migrator.config.ts': CONFIG, 'schema.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\n' })
    expect((await project.run(['diff', 'init'])).code).toBe(0)
    expect((await project.run(['up'])).code).toBe(0)
    const up = migration('_init.up.sql')
    project.write(up, `${project.read(up)}-- reviewed by ops\n`)

    const next = /restore the (changed )?file, or run `migrator repair` if the edit is intentional/
    for (const args of [['status'], ['up'], ['lint'], ['diff']]) {
      const result = await project.run(args)
      oneError(result, next)
      expect(result.stderr, args.join(' ')).not.toMatch(/migrator hash/)
    }
    const validate = await project.run(['validate'])
    expect(validate.code).toBe(2)
    const problems = validate.stdout.trim().split('\n')
    expect(problems).toHaveLength(2)
    for (const problem of problems) {
      expect(problem).toMatch(next)
      expect(problem).not.toMatch(/migrator hash/)
    }

    const repaired = await project.run(['repair', '--yes'])
    expect(repaired.code, repaired.stderr).toBe(0)
    expect(repaired.stderr).toMatch(/will accept the edited .*_init\.up\.sql/)
    expect(repaired.stderr).toMatch(/will record the migration files as they are in migrator\.sum \(.*_init\.up\.sql changed\)/)
    expect(await project.run(['validate'])).toMatchObject({ code: 0, stdout: 'OK: 1 migration valid\n' })
    const status = await project.run(['status', '--check'])
    expect(status.code, status.stdout + status.stderr).toBe(0)
    expect((await project.run(['up'])).code).toBe(0)
  })
})
