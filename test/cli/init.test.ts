import { readdirSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { tempProject } from './helpers.js'
import type { TempProject } from './helpers.js'

const projects: TempProject[] = []
afterEach(() => {
  for (const project of projects.splice(0)) project.remove()
})
function project(files: Record<string, string> = {}): TempProject {
  const created = tempProject(files)
  projects.push(created)
  return created
}

const EMPTY_SUM = 'sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n'

describe('migrator init', () => {
  it('scaffolds a config that loads, an empty verified migrations/ dir and a commented schema.sql', async () => {
    const p = project()
    const result = await p.run(['init'])
    expect(result).toMatchObject({ code: 0, stdout: '' })
    expect(result.stderr).toContain('created migrator.config.ts')
    expect(result.stderr).toContain(`created ${path.join('migrations', 'migrator.sum')}`)
    expect(result.stderr).toContain('created schema.sql')

    const config = p.read('migrator.config.ts')
    expect(config).toContain("import type { Config } from 'migrator'")
    expect(config).toContain("url: process.env.DATABASE_URL ?? 'sqlite:./dev.db'")
    expect(config).toMatch(/} satisfies Config\n$/)
    expect(p.read('migrations/migrator.sum')).toBe(EMPTY_SUM)
    expect(p.read('schema.sql').split('\n').filter((line) => line.trim() !== '' && !line.startsWith('--'))).toEqual([])

    // The scaffolded config loads (no `migrator` package resolvable here) and points at migrations/.
    const hash = await p.run(['hash'])
    expect(hash).toMatchObject({ code: 0, stdout: EMPTY_SUM })
  })

  it('never overwrites: a second run keeps edited files and reports them as skipped', async () => {
    const p = project()
    expect((await p.run(['init'])).code).toBe(0)
    p.write('schema.sql', 'CREATE TABLE mine (id INTEGER);\n')
    p.write('migrator.config.ts', "export default { url: 'sqlite:./mine.db' }\n")

    const again = await p.run(['init'])
    expect(again.code).toBe(0)
    expect(again.stderr).not.toContain('created')
    expect(again.stderr).toContain('skipped migrator.config.ts (already exists)')
    expect(again.stderr).toContain('skipped schema.sql (already exists)')
    expect(p.read('schema.sql')).toBe('CREATE TABLE mine (id INTEGER);\n')
    expect(p.read('migrator.config.ts')).toBe("export default { url: 'sqlite:./mine.db' }\n")
  })

  it('keeps an existing config of another format instead of adding migrator.config.ts', async () => {
    const p = project({ 'migrator.config.mjs': 'export default {}\n' })
    const result = await p.run(['init', '--json'])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({
      created: [path.join('migrations', 'migrator.sum'), 'schema.sql'],
      skipped: ['migrator.config.mjs'],
    })
    expect(p.exists('migrator.config.ts')).toBe(false)
  })

  it('writes --dir and --to into the config, and never a password from --url', async () => {
    const p = project()
    const result = await p.run(['init', '--dir', 'db/migrations', '--to', 'db/schema.sql', '--url', 'postgres://app:s3cret@db/app'])
    expect(result.code).toBe(0)
    expect(result.stderr).toContain('--url holds a password')
    expect(result.stderr + result.stdout).not.toContain('s3cret')
    const config = p.read('migrator.config.ts')
    expect(config).not.toContain('s3cret')
    expect(config).toContain("dir: './db/migrations'")
    expect(config).toContain("target: './db/schema.sql'")
    expect(p.exists('db/migrations/migrator.sum')).toBe(true)
    expect(p.exists('db/schema.sql')).toBe(true)
  })
})

describe('migrator new and hash', () => {
  it('creates an empty up/down pair, then a later version, and keeps migrator.sum in step', async () => {
    const p = project()
    await p.run(['init'])
    const first = await p.run(['new', 'Add Users'])
    expect(first.code).toBe(0)
    const [up, down] = first.stdout.trim().split('\n')
    expect(up).toMatch(/^migrations[/\\]\d{14}_add_users\.up\.sql$/)
    expect(down).toBe(up?.replace('.up.sql', '.down.sql'))

    const second = await p.run(['new', 'backfill', '--ts', '--json'])
    expect(second.code).toBe(0)
    const doc = JSON.parse(second.stdout) as { version: string; name: string; files: string[] }
    expect(doc.name).toBe('backfill')
    expect(doc.files).toEqual([path.join(p.dir, 'migrations', `${doc.version}_backfill.ts`)])
    expect(p.read(`migrations/${doc.version}_backfill.ts`)).toMatch(/export async function up\(ctx[^)]*\)[\s\S]*export async function down\(/)
    // Versions are ordered even when both were created within one second.
    expect(doc.version > path.basename(up ?? '').slice(0, 14)).toBe(true)

    const names = readdirSync(path.join(p.dir, 'migrations')).filter((name) => name !== 'migrator.sum').sort()
    const sumLines = p.read('migrations/migrator.sum').trim().split('\n')
    expect(sumLines.slice(1).map((line) => line.split(' ')[0])).toEqual(names)
  })

  it('never blesses a hand edit: new keeps an edited draft unrecorded, and refuses on a sum that no longer matches', async () => {
    const p = project()
    await p.run(['init'])
    const created = await p.run(['new', 'add_users'])
    const up = created.stdout.trim().split('\n')[0] ?? ''
    const recorded = p.read('migrations/migrator.sum')
    p.write(up, 'CREATE TABLE users (id INTEGER PRIMARY KEY);\n')

    // The file new created is a draft: editing it is what it is for, and new records only its own files.
    expect((await p.run(['new', 'add_orders'])).code).toBe(0)
    const usersLine = (sum: string) => sum.split('\n').find((line) => line.startsWith(`${path.basename(up)} `))
    expect(usersLine(p.read('migrations/migrator.sum'))).toBe(usersLine(recorded))

    // A file new did not create (or a recorded one) edited by hand: new refuses to rewrite the sum.
    p.write('migrations/20200101000000_manual.up.sql', 'SELECT 1;\n')
    const refused = await p.run(['new', 'add_items'])
    expect(refused.code).toBe(1)
    expect(refused.stdout).toBe('')
    expect(refused.stderr.trim().split('\n')).toHaveLength(1)
    expect(refused.stderr).toMatch(/^error: .*migrator\.sum does not match .*added 20200101000000_manual\.up\.sql.*migrator hash/)

    const hash = await p.run(['hash'])
    expect(hash.code).toBe(0)
    expect(hash.stdout).toBe(p.read('migrations/migrator.sum'))
    expect(usersLine(hash.stdout)).not.toBe(usersLine(recorded))
    expect((await p.run(['new', 'add_items'])).code).toBe(0)
  })

  it('rejects a name without letters or digits', async () => {
    const p = project()
    await p.run(['init'])
    const result = await p.run(['new', '#%!'])
    expect(result.code).toBe(1)
    expect(result.stderr).toBe('error: migration name "#%!" has no letters or digits to build a file name from; use a name like add_users\n')
  })
})
