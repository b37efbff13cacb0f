import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../../src/config/load.js'
import type { LoadConfigOptions } from '../../../src/config/load.js'
import { ConfigError } from '../../../src/errors.js'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'migrator-config-'))
  dirs.push(dir)
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true })
    writeFileSync(path.join(dir, name), text)
  }
  return dir
}

const load = (cwd: string, options: Partial<LoadConfigOptions> = {}) => loadConfig({ cwd, environment: {}, ...options })

/** The ConfigError message `promise` rejects with (fails the test if it resolves or throws another type). */
async function configError(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ConfigError)
  const message = (error as ConfigError).message
  expect(message).not.toContain('\n')
  return message
}

const ts = (body: string) => `import type { Config } from 'migrator'\nexport default ${body} satisfies Config\n`

describe('loadConfig without a config file', () => {
  it('uses flags alone, resolving paths against cwd, with defaults for the rest', async () => {
    const cwd = project({})
    const config = await load(cwd, { flags: { url: 'sqlite:./app.db', dir: 'db/migrations', to: 'schema.sql' } })
    expect(config).toEqual({
      cwd,
      configPath: undefined,
      url: 'sqlite:./app.db',
      dir: path.join(cwd, 'db/migrations'),
      target: path.join(cwd, 'schema.sql'),
      devUrl: undefined,
      historyTable: 'migrator_history',
      lockTimeoutMs: 5000,
      lockWaitMs: 30_000,
      envName: undefined,
      preCheck: { maxTransactionAgeMs: 300_000 },
    })
    // No default scope: commands follow the database (its URL's search_path, else every schema).
    expect(config).not.toHaveProperty('schemas')
  })

  it('falls back to DATABASE_URL, which a --url flag overrides', async () => {
    const cwd = project({})
    const environment = { DATABASE_URL: 'postgres://app@db/app' }
    expect((await load(cwd, { environment })).url).toBe('postgres://app@db/app')
    expect((await load(cwd, { environment, flags: { url: 'sqlite:x.db' } })).url).toBe('sqlite:x.db')
    expect((await load(cwd)).url).toBeUndefined()
  })

  it('rejects --env when there is no config file', async () => {
    const cwd = project({})
    expect(await configError(load(cwd, { env: 'production' }))).toContain('--env production given but no migrator.config.* was found')
  })
})

describe('loading config files', () => {
  it('loads a TS config without a build step: type-only imports, satisfies, relative .ts imports, process.env', async () => {
    const cwd = project({
      'shared.ts': 'export const dir: string = "./db/migrations"\n',
      'migrator.config.ts': `import type { Config } from 'migrator'
import { dir } from './shared'
const port: number = 5432
export default {
  url: process.env.MIGRATOR_TEST_UNSET_VAR ?? \`postgres://app@localhost:\${port}/app\`,
  dir,
  target: './schema/',
  lockTimeout: 2500,
} satisfies Config
`,
    })
    const config = await load(cwd)
    expect(config.configPath).toBe(path.join(cwd, 'migrator.config.ts'))
    expect(config.url).toBe('postgres://app@localhost:5432/app')
    expect(config.dir).toBe(path.join(cwd, 'db/migrations'))
    expect(config.target).toBe(path.join(cwd, 'schema'))
    expect(config.lockTimeoutMs).toBe(2500)
  })

  it('re-reads a config edited between two loads in one process', async () => {
    const cwd = project({ 'migrator.config.ts': ts('{ url: "sqlite:one.db" }') })
    expect((await load(cwd)).url).toBe('sqlite:one.db')
    writeFileSync(path.join(cwd, 'migrator.config.ts'), ts('{ url: "sqlite:two.db" }'))
    expect((await load(cwd)).url).toBe('sqlite:two.db')
  })

  it('loads .mjs, .cjs and .json configs', async () => {
    const cjs = project({ 'migrator.config.cjs': 'module.exports = { url: "sqlite:c.db" }\n' })
    expect((await load(cjs)).url).toBe('sqlite:c.db')
    const mjs = project({ 'migrator.config.mjs': 'export default { url: "sqlite:m.db", lockWait: "2m" }\n' })
    expect(await load(mjs)).toMatchObject({ url: 'sqlite:m.db', lockWaitMs: 120_000 })
    const json = project({ 'migrator.config.json': '{ "url": "sqlite:j.db", "schemas": ["app", "audit"] }' })
    expect(await load(json)).toMatchObject({ url: 'sqlite:j.db', schemas: ['app', 'audit'] })
  })

  it('resolves relative paths against the directory of a --config file, flags against cwd', async () => {
    const cwd = project({ 'config/migrator.config.ts': ts('{ dir: "./migrations", target: "../schema.sql" }') })
    const config = await load(cwd, { configPath: 'config/migrator.config.ts' })
    expect(config.dir).toBe(path.join(cwd, 'config/migrations'))
    expect(config.target).toBe(path.join(cwd, 'schema.sql'))
    expect((await load(cwd, { configPath: 'config/migrator.config.ts', flags: { dir: 'other' } })).dir).toBe(path.join(cwd, 'other'))
    const defaults = project({ 'config/migrator.config.ts': ts('{}') })
    expect((await load(defaults, { configPath: 'config/migrator.config.ts' })).dir).toBe(path.join(defaults, 'config/migrations'))
  })

  it('names a --config file that does not exist', async () => {
    const cwd = project({})
    expect(await configError(load(cwd, { configPath: 'nope.config.ts' }))).toMatch(/^config file nope\.config\.ts not found/)
  })

  it('reports a config that throws on import with its message, password redacted', async () => {
    const cwd = project({
      'migrator.config.ts': 'throw new Error("cannot reach postgres://admin:hunter2@db/app\\nsecond line")\nexport default {}\n',
    })
    const message = await configError(load(cwd))
    expect(message).toBe('migrator.config.ts: failed to load: cannot reach postgres://admin:***@db/app')
  })

  it('reports invalid JSON with its line and column', async () => {
    expect(await configError(load(project({ 'migrator.config.json': '{ "url": ' })))).toBe('migrator.config.json:1:10: invalid JSON: unexpected end of the file')
    const unquoted = project({ 'migrator.config.json': '{\n  "dir": "./m",\n  "url": sqlite\n}\n' })
    expect(await configError(load(unquoted))).toBe("migrator.config.json:3:10: invalid JSON: unexpected 's'")
    const trailing = project({ 'migrator.config.json': '{\n  "dir": "./m",\n}\n' })
    expect(await configError(load(trailing))).toBe('migrator.config.json:3:1: invalid JSON: trailing comma before "}"')
  })

  it('reports a TypeScript syntax error with its line and column', async () => {
    const cwd = project({ 'migrator.config.ts': "export default {\n  dir: './migrations',\n  url: 'sqlite:./a.db'\n  target: './schema.sql',\n}\n" })
    expect(await configError(load(cwd))).toBe('migrator.config.ts:4:2: syntax error: Unexpected token, expected ","')
  })
})

describe('precedence: flags > --env block > top level', () => {
  const config = ts(`{
  url: 'sqlite:dev.db',
  dir: './migrations',
  historyTable: 'top_history',
  lockTimeout: '1s',
  envs: {
    production: { url: 'postgres://app@prod/app', lockTimeout: '10s', dir: './prod-migrations' },
    staging: { url: 'postgres://app@staging/app' },
  },
}`)

  it('uses the top level without --env', async () => {
    const cwd = project({ 'migrator.config.ts': config })
    expect(await load(cwd)).toMatchObject({ url: 'sqlite:dev.db', lockTimeoutMs: 1000, historyTable: 'top_history', envName: undefined })
  })

  it('lets the env block override the top level key by key', async () => {
    const cwd = project({ 'migrator.config.ts': config })
    expect(await load(cwd, { env: 'production' })).toMatchObject({
      url: 'postgres://app@prod/app',
      dir: path.join(cwd, 'prod-migrations'),
      lockTimeoutMs: 10_000,
      historyTable: 'top_history',
      envName: 'production',
    })
  })

  it('lets flags override the env block', async () => {
    const cwd = project({ 'migrator.config.ts': config })
    const resolved = await load(cwd, { env: 'production', flags: { url: 'sqlite:flag.db', dir: 'flagdir' } })
    expect(resolved.url).toBe('sqlite:flag.db')
    expect(resolved.dir).toBe(path.join(cwd, 'flagdir'))
  })

  it('prefers the config url over DATABASE_URL', async () => {
    const cwd = project({ 'migrator.config.ts': config })
    expect((await load(cwd, { environment: { DATABASE_URL: 'sqlite:env.db' } })).url).toBe('sqlite:dev.db')
  })

  it('lists the available envs when --env names none of them', async () => {
    const cwd = project({ 'migrator.config.ts': config })
    expect(await configError(load(cwd, { env: 'prod' }))).toBe(
      'migrator.config.ts: no env "prod" in envs; available: production, staging',
    )
  })

  it('refuses an env key left undefined (an unset environment variable) instead of falling back', async () => {
    const cwd = project({
      'migrator.config.ts': ts(`{ url: 'sqlite:dev.db', envs: { production: { url: process.env.MIGRATOR_TEST_UNSET_VAR } } }`),
    })
    expect(await configError(load(cwd, { env: 'production' }))).toBe(
      'migrator.config.ts: envs.production.url: is undefined (does it read an environment variable that is not set?)',
    )
    expect((await load(cwd, { env: 'production', flags: { url: 'sqlite:flag.db' } })).url).toBe('sqlite:flag.db')
  })
})

describe('validation errors: one line naming the file, key path and expectation', () => {
  it.each([
    [
      '{ lockTimeout: "fast" }',
      'migrator.config.ts: lockTimeout: expected a duration like "5s", "500ms" or "2m", or a number of milliseconds, got "fast"',
    ],
    [
      '{ lockWait: true }',
      'migrator.config.ts: lockWait: expected a duration like "5s", "500ms" or "2m", or a number of milliseconds, got true',
    ],
    [
      '{ historyTable: "my-history" }',
      'migrator.config.ts: historyTable: expected a plain identifier (letters, digits, underscores; not starting with a digit; at most 63 characters), got "my-history"',
    ],
    ['{ url: 5432 }', 'migrator.config.ts: url: expected a database URL string, got 5432'],
    ['{ url: "" }', 'migrator.config.ts: url: expected a database URL string, got an empty string'],
    ['{ schemas: "public" }', 'migrator.config.ts: schemas: expected an array of schema names, like ["public"], got "public"'],
    ['{ schemas: [] }', 'migrator.config.ts: schemas: expected at least one schema name, got an array'],
    ['{ schemas: ["public", 7] }', 'migrator.config.ts: schemas.1: expected a schema name, got 7'],
    [
      '{ lockTimout: "5s" }',
      'migrator.config.ts: unknown key lockTimout (did you mean lockTimeout?); expected one of url, dir, target, devUrl, schemas, historyTable, lockTimeout, lockWait, lint, backup, preCheck, allowDataLoss, allowOutOfOrder, targets, tenantSchemas, envs',
    ],
    [
      '{ envs: { production: { lockWait: "soon" } } }',
      'migrator.config.ts: envs.production.lockWait: expected a duration like "5s", "500ms" or "2m", or a number of milliseconds, got "soon"',
    ],
    [
      '{ envs: { production: { envs: { a: {} } } } }',
      'migrator.config.ts: envs.production.envs: envs cannot be nested inside an env block, got an object',
    ],
    [
      '{ envs: { production: { urll: "x" } } }',
      'migrator.config.ts: unknown key envs.production.urll (did you mean url?); expected one of url, dir, target, devUrl, schemas, historyTable, lockTimeout, lockWait, lint, backup, preCheck, allowDataLoss, allowOutOfOrder, targets, tenantSchemas',
    ],
    ['{ envs: ["production"] }', 'migrator.config.ts: envs: expected an object of named env blocks, got an array'],
    [
      '{ zzz: 1 }',
      'migrator.config.ts: unknown key zzz; expected one of url, dir, target, devUrl, schemas, historyTable, lockTimeout, lockWait, lint, backup, preCheck, allowDataLoss, allowOutOfOrder, targets, tenantSchemas, envs',
    ],
    ['{ lint: { rulez: {} } }', 'migrator.config.ts: unknown key lint.rulez (did you mean rules?); expected one of rules, largeTableRows'],
    [
      '{ url: 1, dir: 2 }',
      'migrator.config.ts: 2 problems: 1) url: expected a database URL string, got 1; 2) dir: expected a directory path string, got 2',
    ],
  ])('%s', async (body, expected) => {
    const cwd = project({ 'migrator.config.ts': ts(body) })
    expect(await configError(load(cwd))).toBe(expected)
  })

  it('rejects a config that exports no object', async () => {
    const cwd = project({ 'migrator.config.mjs': 'export const url = "sqlite:x.db"\n' })
    expect(await configError(load(cwd))).toBe(
      'migrator.config.mjs: expected a default export holding the config object (export default { … }), got undefined',
    )
  })

  it('redacts a password in a reported value', async () => {
    const cwd = project({ 'migrator.config.ts': ts('{ url: "postgres://app:s3cret@db/app", lockTimeout: "x" }') })
    const cwd2 = project({ 'migrator.config.json': '{ "devUrl": ["postgres://app:s3cret@db/app"] }' })
    expect(await configError(load(cwd))).not.toContain('s3cret')
    expect(await configError(load(cwd2))).toBe('migrator.config.json: devUrl: expected a database URL string, got an array')
  })
})
