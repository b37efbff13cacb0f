import { afterEach, describe, expect, it } from 'vitest'
import { querySqlite } from '../helpers/sqlite-dump.js'
import { tempProject, type TempProject } from './helpers.js'

const CONFIG = "export default { url: 'sqlite:./app.db', dir: './migrations', target: './schema.sql' }\n"
const V1 = 'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\n'
const V2 = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT NOT NULL DEFAULT 'anon');\n"

let project: TempProject
afterEach(() => project?.remove())

async function json<T>(args: readonly string[], code = 0): Promise<T> {
  const result = await project.run([...args, '--json'])
  expect(result.code, result.stderr).toBe(code)
  return JSON.parse(result.stdout) as T
}

interface DiffDoc {
  inSync: boolean
  changes: unknown[]
  lint: { findings: { code: string }[]; risk: { level: string; reasons: string[] } }
  files?: unknown
}
interface RunDoc {
  dryRun: boolean
  results: { version: string; name: string; status: string }[]
  sql?: string
}

describe('--json says what happened, and only that', () => {
  it('diff in sync reports no findings and low risk (no phantom IR101 for a file that does not exist)', { timeout: 240_000 }, async () => {
    project = tempProject({ 'migrator.config.ts': CONFIG, 'schema.sql': V1 })
    const created = await json<DiffDoc>(['diff', 'init'])
    expect(created.inSync).toBe(false)
    expect((await project.run(['up'])).code).toBe(0)

    const inSync = await json<DiffDoc>(['diff'])
    expect(inSync).toEqual({ inSync: true, changes: [], renameCandidates: [], lint: { findings: [], risk: { level: 'low', reasons: [] } } })
    expect(JSON.stringify(inSync)).not.toContain('_changes.up.sql')
    expect((await project.run(['diff'])).stderr).not.toMatch(/IR101|risk medium/)
  })

  it('up/down --dry-run say would-apply/would-revert with dryRun: true, and change nothing', { timeout: 240_000 }, async () => {
    project = tempProject({ 'migrator.config.ts': CONFIG, 'schema.sql': V1 })
    expect((await project.run(['diff', 'init'])).code).toBe(0)
    expect((await project.run(['up'])).code).toBe(0)
    project.write('schema.sql', V2)
    expect((await project.run(['diff', 'add_name'])).code).toBe(0)
    const db = `${project.dir}/app.db`
    const columns = () => querySqlite<{ name: string }>(db, "SELECT name FROM pragma_table_info('users') ORDER BY cid").map((c) => c.name)
    const history = () => querySqlite<{ version: string; status: string }>(db, 'SELECT version, status FROM migrator_history ORDER BY version')

    const dryUp = await json<RunDoc>(['up', '--dry-run'])
    expect(dryUp.dryRun).toBe(true)
    expect(dryUp.results).toEqual([{ version: expect.stringMatching(/^\d{14}$/), name: 'add_name', status: 'would-apply' }])
    expect(dryUp.sql).toMatch(/ALTER TABLE "users" ADD COLUMN "name"/)
    expect(JSON.stringify(dryUp)).not.toMatch(/"status": ?"applied"/)
    expect(columns()).toEqual(['id', 'email'])
    expect(history()).toHaveLength(1)

    const dryDown = await json<RunDoc>(['down', '--dry-run'])
    expect(dryDown.dryRun).toBe(true)
    expect(dryDown.results).toEqual([{ version: expect.stringMatching(/^\d{14}$/), name: 'init', status: 'would-revert' }])
    expect(JSON.stringify(dryDown)).not.toMatch(/"status": ?"reverted"/)
    expect(columns()).toEqual(['id', 'email'])
    expect(history()).toHaveLength(1)

    // The real run says what it did, and that it was no dry run.
    const applied = await json<RunDoc>(['up'])
    expect(applied.dryRun).toBe(false)
    expect(applied.results.map((r) => r.status)).toEqual(['applied'])
    expect(columns()).toEqual(['id', 'email', 'name'])
    expect(history().map((h) => h.status)).toEqual(['applied', 'applied'])
  })
})
