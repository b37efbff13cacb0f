import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT } from './helpers.js'

const run = promisify(execFile)

interface LockEntry {
  readonly version: string
  readonly dev?: boolean
  readonly devOptional?: boolean
  readonly [key: string]: unknown
}

const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string
  version: string
  license: string
  dependencies: Record<string, string>
  bin: Record<string, string>
  engines: Record<string, string>
}
const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> }

/**
 * The packed package installed into a project of its own, as a user does it (README "Install"):
 * `npm pack`, then an install of the tarball, `npx migrator --version`, `import { defineConfig }
 * from 'migrator'` type-checked by tsc, and a SQLite diff/up through the installed bin.
 *
 * Offline and fast: the consumer's lockfile pins the tarball and the repository's own resolved
 * runtime dependencies (npm ci put their tarballs in the npm cache; `npm install --offline` would
 * also need registry metadata, which the cache does not hold). better-sqlite3's native build is
 * the repository's (same lockfile version, same Node), copied instead of compiled again.
 */
describe('the packed package in another project', () => {
  let work: string
  let consumer: string

  const npm = (args: readonly string[], cwd: string) => run('npm', [...args], { cwd, env: { ...process.env, npm_config_update_notifier: 'false' }, maxBuffer: 1 << 24 })

  beforeAll(async () => {
    work = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'migrator-pack-')))
    consumer = path.join(work, 'consumer')
    mkdirSync(consumer)
    // `npm test` built dist/ already; --ignore-scripts skips `prepare` (a second build).
    const { stdout } = await npm(['pack', '--ignore-scripts', '--offline', '--json', '--pack-destination', work], ROOT)
    const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[]
    const tarball = path.join(work, packed!.filename)
    expect(packed!.files.map((f) => f.path)).toEqual(expect.arrayContaining(['bin/migrator', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'package.json', 'README.md']))
    expect(packed!.files.some((f) => f.path.startsWith('src/') || f.path.startsWith('test/'))).toBe(false)

    const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`
    const runtime = Object.entries(lock.packages).filter(([key, entry]) => key !== '' && entry.dev !== true && entry.devOptional !== true)
    const typesNode = lock.packages['node_modules/@types/node']!.version
    const devDependencies = { migrator: `file:${path.basename(tarball)}`, '@types/node': typesNode }
    writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', devDependencies }, null, 2))
    copyFileSync(tarball, path.join(consumer, path.basename(tarball)))
    const packages: Record<string, unknown> = {
      '': { name: 'consumer', devDependencies },
      'node_modules/migrator': {
        version: pkg.version, resolved: `file:${path.basename(tarball)}`, integrity, dev: true,
        license: pkg.license, dependencies: pkg.dependencies, bin: pkg.bin, engines: pkg.engines,
      },
      ...Object.fromEntries(runtime.map(([key, entry]) => [key, { ...entry, dev: true }])),
    }
    writeFileSync(path.join(consumer, 'package-lock.json'), JSON.stringify({ name: 'consumer', lockfileVersion: 3, requires: true, packages }, null, 2))
    await npm(['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], consumer)

    const binding = path.join('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node')
    mkdirSync(path.dirname(path.join(consumer, binding)), { recursive: true })
    copyFileSync(path.join(ROOT, binding), path.join(consumer, binding))
  }, 300_000)

  afterAll(() => {
    if (work !== undefined) rmSync(work, { recursive: true, force: true })
  })

  it('npx migrator --version prints the package version', async () => {
    const { stdout } = await run('npx', ['--offline', 'migrator', '--version'], { cwd: consumer })
    expect(stdout).toBe(`${pkg.version}\n`)
  }, 240_000)

  it("`import { defineConfig } from 'migrator'` type-checks (and its types are not `any`)", async () => {
    writeFileSync(
      path.join(consumer, 'check.ts'),
      [
        "import { defineConfig, type Config } from 'migrator'",
        '',
        "const config: Config = defineConfig({ url: 'sqlite:./app.db', dir: './migrations', target: './schema.sql', lockTimeout: '5s' })",
        '// @ts-expect-error an unknown key is a type error',
        'defineConfig({ nope: true })',
        'export default config',
        '',
      ].join('\n'),
    )
    const tsconfig = { compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, types: ['node'] }, files: ['check.ts'] }
    writeFileSync(path.join(consumer, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2))
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
    // --listFiles shows the check ran on check.ts with the package's own declarations.
    const { stdout } = await run(process.execPath, [tsc, '-p', 'tsconfig.json', '--listFiles'], { cwd: consumer })
    const files = stdout.split('\n').map((line) => path.relative(consumer, line.trim()))
    expect(files).toEqual(expect.arrayContaining(['check.ts', path.join('node_modules', 'migrator', 'dist', 'index.d.ts')]))
  }, 240_000)

  it('diff and up a SQLite database through the installed bin, with a config importing defineConfig', async () => {
    writeFileSync(path.join(consumer, 'migrator.config.ts'), "import { defineConfig } from 'migrator'\n\nexport default defineConfig({ url: 'sqlite:./app.db', dir: './migrations', target: './schema.sql' })\n")
    writeFileSync(path.join(consumer, 'schema.sql'), "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT DEFAULT 'anon');\n")
    const bin = path.join(consumer, 'node_modules', '.bin', 'migrator')
    const diff = await run(bin, ['diff', 'create_users'], { cwd: consumer })
    expect(diff.stdout).toMatch(/^migrations\/\d{14}_create_users\.up\.sql\n/)
    await run(bin, ['up'], { cwd: consumer })

    const db = new Database(path.join(consumer, 'app.db'))
    try {
      db.prepare("INSERT INTO users (id, email) VALUES (1, 'ö@example.com')").run()
      expect(db.prepare('SELECT id, email, name FROM users').all()).toEqual([{ id: 1, email: 'ö@example.com', name: 'anon' }])
      expect(db.prepare("SELECT version, status FROM migrator_history").all()).toEqual([{ version: expect.stringMatching(/^\d{14}$/), status: 'applied' }])
    } finally {
      db.close()
    }
    const again = await run(bin, ['diff', '--check'], { cwd: consumer })
    expect(again.stdout).toBe('No changes\n')
  }, 240_000)
})
