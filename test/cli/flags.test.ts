import { afterEach, describe, expect, it } from 'vitest'
import { tempProject, type TempProject } from './helpers.js'

const CONFIG = "export default { url: 'sqlite:./app.db', dir: './migrations', target: './schema.sql' }\n"

let project: TempProject
afterEach(() => project?.remove())

describe('--to means one thing per command', () => {
  it('is the target for diff and status, and a version for up/down', { timeout: 240_000 }, async () => {
    project = tempProject({
      'migrator.config.ts': CONFIG,
      'schema.sql': 'CREATE TABLE a (id INTEGER PRIMARY KEY);\n',
      'other.sql': 'CREATE TABLE a (id INTEGER PRIMARY KEY);\nCREATE TABLE b (id INTEGER PRIMARY KEY);\n',
    })
    expect((await project.run(['diff', 'create_a'])).code).toBe(0)
    expect((await project.run(['up'])).code).toBe(0)
    // diff --to: the other target has one more table.
    const dry = await project.run(['diff', '--to', 'other.sql', '--dry-run'])
    expect(dry.code).toBe(0)
    expect(dry.stdout).toContain('CREATE TABLE "b"')
    expect((await project.run(['diff', '--dry-run'])).stdout.trim()).toBe('No changes')
    // status --to: the ungenerated changes are measured against that target.
    const status = JSON.parse((await project.run(['status', '--to', 'other.sql', '--json'])).stdout) as { ungenerated: string[] }
    expect(status.ungenerated).toHaveLength(1)
    expect(JSON.parse((await project.run(['status', '--json'])).stdout)).toMatchObject({ ungenerated: [] })
    // up/down --to: a version, and only a version.
    const [applied] = (JSON.parse((await project.run(['status', '--json'])).stdout) as { migrations: { version: string }[] }).migrations
    const upTo = await project.run(['up', '--to', applied!.version, '--dry-run'])
    expect(upTo.code, upTo.stderr).toBe(0)
    expect(upTo.stdout).toBe('-- No pending migrations\n')
    const bad = await project.run(['up', '--to', './schema.sql', '--dry-run'])
    expect(bad.code).toBe(1)
    expect(bad.stderr.trim()).toBe('error: --to: expected a 14-digit version like 20240102030405, got "./schema.sql"')
    expect((await project.run(['down', '--to', 'x'])).stderr.trim()).toBe('error: --to: expected a 14-digit version like 20240102030405, got "x"')
  })

  it('is no global flag: before the command it is an unknown option', async () => {
    project = tempProject({ 'migrator.config.ts': CONFIG, 'schema.sql': '' })
    const result = await project.run(['--to', './schema.sql', 'up', '--dry-run'])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^error: unknown option '--to'/)
    expect(result.stderr).not.toMatch(/14-digit/)
  })

  it('baseline blames its <version> argument, not --to', async () => {
    project = tempProject({ 'migrator.config.ts': CONFIG })
    const result = await project.run(['baseline', '2024'])
    expect(result.code).toBe(1)
    expect(result.stderr.trim()).toBe('error: <version>: expected a 14-digit version like 20240102030405, got "2024"')
  })
})
