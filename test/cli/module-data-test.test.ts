import { afterEach, describe, expect, it } from 'vitest'
import { tempProject, type TempProject } from './helpers.js'

const CONFIG = "export default { url: 'sqlite:./app.db', dir: './migrations' }\n"

let project: TempProject | undefined
afterEach(() => {
  project?.remove()
  project = undefined
})

/** A module migration that splits `name` into `first_name`, with `test` as given (a JS expression). */
function moduleWith(split: string, test: string): string {
  return `
export async function up(ctx) {
  await ctx.db.exec('ALTER TABLE people ADD COLUMN first_name text')
  await ctx.db.exec(${JSON.stringify(split)})
}
export async function down(ctx) {
  await ctx.db.exec('ALTER TABLE people DROP COLUMN first_name')
}
export const test = ${test}
`
}

const TEST = `{
  async before(ctx) {
    await ctx.db.exec("INSERT INTO people (id, name) VALUES (1, 'Ann Lee'), (2, 'Bo'), (3, 'Zoë Ünal-Écrivain')")
  },
  async expect(ctx) {
    const rows = await ctx.db.query('SELECT id, first_name FROM people WHERE id <= 3 ORDER BY id')
    const got = rows.map((r) => r.first_name).join('|')
    if (got !== 'Ann|Bo|Zoë') throw new Error('first names are ' + got)
  },
  async expectAfterDown(ctx) {
    return (await ctx.db.query("SELECT count(*) AS n FROM people WHERE name IN ('Ann Lee', 'Bo', 'Zoë Ünal-Écrivain')"))[0].n === 3
  },
}`

async function projectWith(split: string, test: string): Promise<TempProject> {
  const p = tempProject({ 'migrator.config.ts': CONFIG })
  p.write('migrations/20240101000000_people.up.sql', 'CREATE TABLE people (id integer PRIMARY KEY, name text NOT NULL);\n')
  p.write('migrations/20240101000000_people.down.sql', 'DROP TABLE people;\n')
  p.write('migrations/20240102000000_first_name.ts', moduleWith(split, test))
  const hashed = await p.run(['hash'])
  expect(hashed.code, hashed.stderr).toBe(0)
  return p
}

type Report = { migrations: { name: string; status: string; step?: string; differences?: string[] }[] }

describe('a module migration\'s `export const test` on SQLite', () => {
  it('runs before, expect and expectAfterDown around the round trip, and names the file of a failing one', { timeout: 120_000 }, async () => {
    const correct = "UPDATE people SET first_name = CASE WHEN instr(name, ' ') > 0 THEN substr(name, 1, instr(name, ' ') - 1) ELSE name END"
    project = await projectWith(correct, TEST)
    const passing = await project.run(['test', '--json'])
    expect(passing.code, passing.stderr).toBe(0)
    expect((JSON.parse(passing.stdout) as Report).migrations.map((m) => m.status)).toEqual(['pass', 'pass'])
    project.remove()

    // Handles names with a space only: 'Bo' keeps a NULL first name, and expect() says so.
    project = await projectWith("UPDATE people SET first_name = substr(name, 1, instr(name, ' ') - 1) WHERE name LIKE '% %'", TEST)
    const failing = await project.run(['test', '--json'])
    expect(failing.code, failing.stderr).toBe(2)
    expect((JSON.parse(failing.stdout) as Report).migrations[1]).toMatchObject({
      name: 'first_name',
      status: 'fail',
      step: 'up',
      differences: ['20240102000000_first_name.ts: test.expect() threw after the up: first names are Ann||Zoë'],
    })
    // The configured database was never touched.
    expect(project.exists('app.db')).toBe(false)
  })

  it('fails on expectAfterDown returning false, and on a before() that throws', { timeout: 120_000 }, async () => {
    const split = 'UPDATE people SET first_name = name'
    project = await projectWith(split, "{ async expectAfterDown(ctx) { return (await ctx.db.query('SELECT count(*) AS n FROM people'))[0].n === 99 } }")
    const afterDown = await project.run(['test', '--json'])
    expect(afterDown.code, afterDown.stderr).toBe(2)
    expect((JSON.parse(afterDown.stdout) as Report).migrations[1]).toMatchObject({
      status: 'fail',
      step: 'down',
      differences: ['20240102000000_first_name.ts: test.expectAfterDown() returned false after the down'],
    })
    project.remove()

    project = await projectWith(split, "{ async before(ctx) { await ctx.db.exec('INSERT INTO people (id) VALUES (1)') } }")
    const before = await project.run(['test', '--json'])
    expect(before.code).toBe(2)
    const failed = (JSON.parse(before.stdout) as Report).migrations[1]
    expect(failed).toMatchObject({ status: 'fail', step: 'before' })
    expect(failed?.differences?.[0]).toMatch(/^20240102000000_first_name\.ts: test\.before\(\) threw before the up: .*NOT NULL/)
  })

  it('refuses a test export of the wrong shape with one line and exit 1', { timeout: 60_000 }, async () => {
    project = await projectWith('UPDATE people SET first_name = name', '{ expects() {} }')
    const result = await project.run(['test'])
    expect(result.code).toBe(1)
    expect(result.stderr.trim()).toBe(
      'error: 20240102000000_first_name.ts: `export const test` must be an object with optional functions before(ctx), expect(ctx) and expectAfterDown(ctx)',
    )
  })
})
