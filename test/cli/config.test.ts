import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ROOT, tempProject } from './helpers.js'
import type { CliResult, TempProject } from './helpers.js'

const projects: TempProject[] = []
afterEach(() => {
  for (const project of projects.splice(0)) project.remove()
})
function project(files: Record<string, string> = {}): TempProject {
  const created = tempProject(files)
  projects.push(created)
  return created
}

/** Exit 1 with nothing on stdout and exactly one `error: …` line on stderr (no stack trace). */
function expectOneLineError(result: CliResult, message: string | RegExp): void {
  expect(result.code).toBe(1)
  expect(result.stdout).toBe('')
  const lines = result.stderr.split('\n').filter((line) => line !== '')
  expect(lines).toHaveLength(1)
  if (typeof message === 'string') expect(lines[0]).toBe(message)
  else expect(lines[0]).toMatch(message)
}

describe('usage errors', () => {
  it('an unknown option is one line and exit 1', async () => {
    expectOneLineError(await project().run(['hash', '--bogus']), "error: unknown option '--bogus' (see migrator --help)")
  })

  it('an unknown command is one line with a suggestion and exit 1', async () => {
    expectOneLineError(await project().run(['inti']), /^error: unknown command 'inti' \(Did you mean init\?\)/)
  })

  it('a missing argument is one line and exit 1', async () => {
    expectOneLineError(await project().run(['new']), /^error: missing required argument 'name'/)
  })

  it('with --json the error is the single JSON document on stdout', async () => {
    const result = await project().run(['--json', 'hash', '--bogus'])
    expect(result.code).toBe(1)
    expect(JSON.parse(result.stdout)).toEqual({
      error: { code: 'usage', message: "unknown option '--bogus' (see migrator --help)" },
    })
  })

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }
    expect(await project().run(['--version'])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' })
  })
})

describe('config errors through the CLI', () => {
  const bad = { 'migrator.config.ts': "export default { dir: './migrations', lockTimeout: 'fast' }\n", 'migrations/.keep': '' }

  it('an invalid key is one line naming file, key and expectation; exit 1; no stack', async () => {
    expectOneLineError(
      await project(bad).run(['hash']),
      'error: migrator.config.ts: lockTimeout: expected a duration like "5s", "500ms" or "2m", or a number of milliseconds, got "fast"',
    )
  })

  it('a syntax error names file:line:column', async () => {
    const p = project({ 'migrator.config.ts': "export default {\n  dir: './migrations',\n  url: 'sqlite:./a.db'\n  target: './schema.sql',\n}\n", 'migrations/.keep': '' })
    expectOneLineError(await p.run(['hash']), 'error: migrator.config.ts:4:2: syntax error: Unexpected token, expected ","')
    const json = project({ 'migrator.config.json': '{\n  "dir": "./migrations",\n  "url": sqlite\n}\n', 'migrations/.keep': '' })
    expectOneLineError(await json.run(['hash']), "error: migrator.config.json:3:10: invalid JSON: unexpected 's'")
  })

  it('an unknown key gets "did you mean", and every problem is listed', async () => {
    const p = project({ 'migrator.config.ts': "export default { lockTimout: '5s', dir: 7, envs: { prod: { urll: 'x' } } }\n", 'migrations/.keep': '' })
    const result = await p.run(['hash'])
    expectOneLineError(result, /^error: migrator\.config\.ts: 3 problems: 1\) .*; 2\) .*; 3\) .*$/)
    expect(result.stderr).toContain('dir: expected a directory path string, got 7')
    expect(result.stderr).toContain('unknown key lockTimout (did you mean lockTimeout?)')
    expect(result.stderr).toContain('unknown key envs.prod.urll (did you mean url?)')
    expect(result.stderr).not.toContain('more problem')
  })

  it('--verbose adds the stack trace', async () => {
    const result = await project(bad).run(['hash', '--verbose'])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^error: migrator\.config\.ts: lockTimeout/)
    expect(result.stderr).toMatch(/\n\s+at /)
  })

  it('--json reports the config error as {"error":{code,message}}', async () => {
    const result = await project(bad).run(['hash', '--json'])
    expect(result.code).toBe(1)
    const doc = JSON.parse(result.stdout) as { error: { code: string; message: string } }
    expect(doc.error.code).toBe('config')
    expect(doc.error.message).toMatch(/^migrator\.config\.ts: lockTimeout: expected a duration/)
  })

  it('a config that throws is one line with its message, password redacted', async () => {
    const p = project({ 'migrator.config.ts': 'const url: string = "mysql://root:pw123@db/app"\nthrow new TypeError(`bad ${url}`)\n' })
    expectOneLineError(await p.run(['hash']), 'error: migrator.config.ts: failed to load: bad mysql://root:***@db/app')
  })

  it('an unknown --env lists the available ones', async () => {
    const p = project({ 'migrator.config.ts': "export default { envs: { production: {}, staging: {} } }\n" })
    expectOneLineError(await p.run(['hash', '--env', 'prod']), 'error: migrator.config.ts: no env "prod" in envs; available: production, staging')
  })

  it('the --env block and flags pick the directory (flags win)', async () => {
    const p = project({
      'migrator.config.ts': "export default { dir: './dev', envs: { ci: { dir: './ci' } } }\n",
      'dev/.keep': '',
      'ci/.keep': '',
      'flag/.keep': '',
    })
    expect((await p.run(['hash', '--env', 'ci'])).code).toBe(0)
    expect(p.exists('ci/migrator.sum')).toBe(true)
    expect(p.exists('dev/migrator.sum')).toBe(false)
    expect((await p.run(['--env', 'ci', '--dir', 'flag', 'hash'])).code).toBe(0)
    expect(p.exists('flag/migrator.sum')).toBe(true)
  })

  it('works without any config file from flags alone', async () => {
    const p = project({ 'db/.keep': '' })
    const result = await p.run(['--dir', 'db', 'hash'])
    expect(result.code).toBe(0)
    expect(p.read('db/migrator.sum')).toBe(result.stdout)
  })

  it('an unexpected failure is one line and exit 1, without a stack', async () => {
    // `migrations` is a file, so creating the directory fails inside node:fs.
    const p = project({ migrations: 'not a directory' })
    expectOneLineError(await p.run(['new', 'x']), /^error: EEXIST: file already exists/)
  })
})
