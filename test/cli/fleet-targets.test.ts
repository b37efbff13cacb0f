import { afterEach, describe, expect, it } from 'vitest'
import { querySqlite } from '../helpers/sqlite-dump.js'
import { runInTerminal, tempProject, type TempProject } from './helpers.js'

/** Refuses connections at once: a target that fails without waiting for a timeout. */
const DEAD = 'postgres://app:hunter2@127.0.0.1:1/nope'

const MIGRATIONS = {
  'migrations/20240101000000_notes.up.sql': "CREATE TABLE notes (id integer PRIMARY KEY, body text);\nINSERT INTO notes VALUES (1, 'ünï 🐘'), (2, NULL);\n",
  'migrations/20240101000000_notes.down.sql': 'DROP TABLE notes;\n',
}

let project: TempProject
afterEach(() => project?.remove())

async function setup(config: string): Promise<TempProject> {
  project = tempProject({ ...MIGRATIONS, 'migrator.config.ts': config })
  expect((await project.run(['hash'])).code).toBe(0)
  return project
}

/** Where the targets come from and what a fleet prints, on SQLite files and one unreachable server. */
describe('fleet targets and output (SQLite, through the built CLI)', { timeout: 120_000 }, () => {
  it('config targets from an async function; one log line per target, the summary table, redacted failures', async () => {
    await setup(`export default { dir: './migrations', targets: async () => ['sqlite:./a.db', 'sqlite:./b.db', '${DEAD}', 'sqlite:./c.db'] }\n`)
    const run = await project.run(['up', '--continue-on-error', '--concurrency', '2'])
    expect(run.code).toBe(1)
    expect(`${run.stdout}${run.stderr}`).not.toContain('hunter2')
    const lines = run.stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^target\s+version\s+status\s+ms\s+detail$/)
    const ok = (name: string) => new RegExp(`^sqlite:\\./${name}\\.db\\s+\\(none\\) → 20240101000000\\s+ok\\s+\\d+\\s+1 applied$`)
    expect(lines[1]).toMatch(ok('a'))
    expect(lines[2]).toMatch(ok('b'))
    expect(lines[3]).toMatch(/^postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/nope\s+failed\s+\d+\s+error$/)
    expect(lines[4]).toMatch(ok('c'))
    expect(lines.at(-1)).toBe('4 targets: 3 ok, 0 with findings, 1 failed, 0 not run')
    expect(run.stderr.match(/^\[\d\/4\] /gm)).toHaveLength(4)
    expect(run.stderr).toMatch(/^error: postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/nope: cannot connect/m)
    expect(querySqlite(`${project.dir}/c.db`, 'SELECT id, body FROM notes ORDER BY id')).toEqual([{ id: 1, body: 'ünï 🐘' }, { id: 2, body: null }])
  })

  it('by default the first failure stops new targets from starting; rerunning finishes the fleet', async () => {
    await setup(`export default { dir: './migrations' }\n`)
    project.write('fleet.txt', `# first the broken one\n${DEAD}\nsqlite:./a.db\nsqlite:./b.db\n`)
    const stopped = await project.run(['up', '--targets', 'fleet.txt', '--concurrency', '1', '--json'])
    expect(stopped.code).toBe(1)
    expect(JSON.parse(stopped.stdout)).toMatchObject({ total: 3, failed: 1, notRun: 2, targets: [{ status: 'failed' }, { status: 'not-run' }, { status: 'not-run' }] })
    expect(project.exists('a.db')).toBe(false)
    project.write('fleet.txt', 'sqlite:./a.db\nsqlite:./b.db\n')
    const rerun = await project.run(['up', '--targets', 'fleet.txt', '--json'])
    expect(rerun.code, rerun.stderr).toBe(0)
    expect(JSON.parse(rerun.stdout)).toMatchObject({ total: 2, ok: 2 })
  })

  it('--url runs one database instead of the config targets; fleet flags without a fleet are one usage line', async () => {
    await setup(`export default { dir: './migrations', targets: ['sqlite:./a.db', 'sqlite:./b.db'] }\n`)
    const single = await project.run(['up', '--url', 'sqlite:./single.db'])
    expect(single.code, single.stderr).toBe(0)
    expect(project.exists('single.db')).toBe(true)
    expect(project.exists('a.db')).toBe(false)
    const flag = await project.run(['status', '--url', 'sqlite:./single.db', '--canary', '1'])
    expect(flag.code).toBe(1)
    expect(flag.stderr.trim()).toBe('error: --canary runs over a fleet: pass --targets <file> or --tenant-schemas <pattern>, or set targets in the config')
    const tenants = await project.run(['status', '--url', 'sqlite:./single.db', '--tenant-schemas', 'tenant\\_%'])
    expect(tenants.code).toBe(1)
    expect(tenants.stderr.trim()).toMatch(/^error: --tenant-schemas: sqlite:.*single\.db has no schemas to run in \(tenant schemas are a PostgreSQL feature\)$/)
  })

  it('a config targets function that throws or returns no URLs is one config error', async () => {
    await setup(`export default { dir: './migrations', targets: async () => { throw new Error('registry ${DEAD} down') } }\n`)
    const thrown = await project.run(['status'])
    expect(thrown.code).toBe(1)
    expect(thrown.stderr.trim()).toBe('error: targets: the function failed: registry postgres://app:***@127.0.0.1:1/nope down')
    project.write('migrator.config.ts', `export default { dir: './migrations', targets: () => [42] }\n`)
    const wrong = await project.run(['status'])
    expect(wrong.stderr.trim()).toBe('error: targets: the function must return a non-empty array of database URL strings')
    project.write('migrator.config.ts', `export default { dir: './migrations', targets: 'sqlite:./a.db' }\n`)
    const invalid = await project.run(['status'])
    expect(invalid.stderr.trim()).toMatch(/^error: migrator\.config\.ts: targets: expected an array of database URLs or a function returning one/)
  })

  it('on a terminal, progress is one line with done/total and failures', async () => {
    await setup(`export default { dir: './migrations', targets: ['sqlite:./a.db', 'sqlite:./b.db'] }\n`)
    const run = await runInTerminal(['up'], { cwd: project.dir, columns: 100, env: { TERM: 'xterm' } })
    expect(run.code).toBe(0)
    expect(run.screen).toMatch(/[0-2]\/2 targets done, 0 failed/)
    expect(run.screen).not.toMatch(/^\[\d\/2\] /m)
    expect(run.screen).toMatch(/2 targets: 2 ok, 0 with findings, 0 failed, 0 not run/)
  })
})
