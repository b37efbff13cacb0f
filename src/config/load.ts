import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { z } from 'zod'
import { ConfigError } from '../errors.js'
import { parseDuration } from './duration.js'
import { CONFIG_DEFAULTS } from './schema.js'
import type { Config, EnvConfig, ResolvedConfig } from './schema.js'
import { importUserModule } from '../modules.js'
import { closest } from './suggest.js'
import { jsonSyntaxError, moduleSyntaxError } from './syntax.js'
import { redactUrl } from './url.js'

/** Looked up in this order in the working directory. */
export const CONFIG_FILE_NAMES = [
  'migrator.config.ts',
  'migrator.config.mts',
  'migrator.config.cts',
  'migrator.config.js',
  'migrator.config.mjs',
  'migrator.config.cjs',
  'migrator.config.json',
] as const

/** The global flags that override config keys. */
export interface ConfigFlags {
  readonly url?: string
  readonly dir?: string
  /** `--to`: the declared target. */
  readonly to?: string
  readonly devUrl?: string
}

export interface LoadConfigOptions {
  readonly cwd: string
  /** `--config`: an explicit file, relative to `cwd`. */
  readonly configPath?: string
  /** `--env`: the `envs` block to apply. */
  readonly env?: string
  readonly flags?: ConfigFlags
  /** Environment variables (`DATABASE_URL`); defaults to `process.env`. */
  readonly environment?: Readonly<Record<string, string | undefined>>
}

/**
 * Finds, imports and validates the config file, then merges: flags > `envs[env]` > top level >
 * `DATABASE_URL` (url only) > defaults. Without a config file the flags alone suffice. Relative
 * paths in the file resolve against the file's directory; relative flag paths against `cwd`.
 * Every problem is a one-line ConfigError naming the file and key path.
 */
export async function loadConfig(options: LoadConfigOptions): Promise<ResolvedConfig> {
  const { cwd, env: envName, flags = {} } = options
  const environment = options.environment ?? process.env
  const configPath = findConfigFile(cwd, options.configPath)
  const label = configPath === undefined ? '' : displayPath(cwd, configPath)

  const file: Config = configPath === undefined ? {} : await validate(label, await importConfig(label, configPath))
  const baseDir = configPath === undefined ? cwd : path.dirname(configPath)

  let block: EnvConfig = {}
  if (envName !== undefined) {
    if (configPath === undefined) throw new ConfigError(`--env ${envName} given but no migrator.config.* was found in ${cwd}`)
    const envs = file.envs ?? {}
    const selected = Object.hasOwn(envs, envName) ? envs[envName] : undefined
    if (selected === undefined) {
      const names = Object.keys(envs)
      throw new ConfigError(
        names.length === 0
          ? `${label}: --env ${envName} given but the config defines no envs`
          : `${label}: no env "${envName}" in envs; available: ${names.join(', ')}`,
      )
    }
    block = selected
    rejectUnsetKeys(label, envName, block, flags)
  }

  const fromFile = (key: 'url' | 'dir' | 'target' | 'devUrl'): string | undefined => block[key] ?? file[key]
  const filePath = (value: string | undefined) => (value === undefined ? undefined : path.resolve(baseDir, value))
  const flagPath = (value: string | undefined) => (value === undefined ? undefined : path.resolve(cwd, value))

  const lockTimeout = block.lockTimeout ?? file.lockTimeout ?? CONFIG_DEFAULTS.lockTimeout
  const lockWait = block.lockWait ?? file.lockWait ?? CONFIG_DEFAULTS.lockWait
  const lint = block.lint ?? file.lint
  const backup = block.backup ?? file.backup
  const preCheck = block.preCheck ?? file.preCheck ?? CONFIG_DEFAULTS.preCheck
  const allowDataLoss = block.allowDataLoss ?? file.allowDataLoss
  const allowOutOfOrder = block.allowOutOfOrder ?? file.allowOutOfOrder
  const targets = block.targets ?? file.targets
  const tenantSchemas = block.tenantSchemas ?? file.tenantSchemas
  return {
    cwd,
    configPath,
    url: flags.url ?? fromFile('url') ?? nonEmpty(environment.DATABASE_URL),
    dir: flagPath(flags.dir) ?? filePath(fromFile('dir')) ?? path.resolve(baseDir, CONFIG_DEFAULTS.dir),
    target: flagPath(flags.to) ?? filePath(fromFile('target')),
    devUrl: flags.devUrl ?? fromFile('devUrl'),
    ...optionalSchemas(block.schemas ?? file.schemas),
    historyTable: block.historyTable ?? file.historyTable ?? CONFIG_DEFAULTS.historyTable,
    // Validated by the schema, so parseDuration cannot return undefined here.
    lockTimeoutMs: parseDuration(lockTimeout) ?? 0,
    lockWaitMs: parseDuration(lockWait) ?? 0,
    envName,
    ...(allowDataLoss === undefined ? {} : { allowDataLoss }),
    ...(allowOutOfOrder === undefined ? {} : { allowOutOfOrder }),
    ...(targets === undefined ? {} : { targets }),
    ...(tenantSchemas === undefined ? {} : { tenantSchemas }),
    ...(preCheck === false ? {} : { preCheck: { maxTransactionAgeMs: parseDuration(preCheck.maxTransactionAge ?? CONFIG_DEFAULTS.preCheck.maxTransactionAge) ?? 0 } }),
    ...(lint === undefined ? {} : { lint: { rules: lint.rules ?? {}, largeTableRows: lint.largeTableRows } }),
    ...(backup === undefined
      ? {}
      : { backup: typeof backup === 'boolean' ? { enabled: backup } : { enabled: backup.enabled ?? true, dir: filePath(backup.dir) } }),
  }
}

function findConfigFile(cwd: string, explicit: string | undefined): string | undefined {
  if (explicit !== undefined) {
    const file = path.resolve(cwd, explicit)
    if (!existsSync(file)) throw new ConfigError(`config file ${explicit} not found (resolved to ${file})`)
    return file
  }
  for (const name of CONFIG_FILE_NAMES) {
    const file = path.join(cwd, name)
    if (existsSync(file)) return file
  }
  return undefined
}

async function importConfig(label: string, file: string): Promise<unknown> {
  if (file.endsWith('.json')) {
    const text = await readFile(file, 'utf8')
    try {
      return JSON.parse(text) as unknown
    } catch (error) {
      const at = jsonSyntaxError(text)
      throw new ConfigError(at === undefined ? `${label}: invalid JSON: ${firstLine(error)}` : `${label}:${at.line}:${at.column}: invalid JSON: ${at.message}`, { cause: error })
    }
  }
  let mod: unknown
  try {
    mod = await importUserModule(file)
  } catch (error) {
    const at = moduleSyntaxError(error)
    if (at !== undefined) throw new ConfigError(`${label}:${at.line}:${at.column}: syntax error: ${at.message}`, { cause: error })
    // The file may interpolate secrets into what it throws; redact like any other message.
    throw new ConfigError(`${label}: failed to load: ${redactUrl(firstLine(error))}`, { cause: error })
  }
  // The default export; CommonJS (`module.exports =` / `export =`) has no other way to export.
  // A module with only named exports yields undefined, which validation reports.
  if (mod !== null && typeof mod === 'object' && 'default' in mod) return mod.default
  return /\.c[jt]s$/.test(file) ? mod : undefined
}

/** Every problem of the config in one line: `<file>: 2 problems: 1) url: …; 2) dir: …`. */
async function validate(label: string, raw: unknown): Promise<Config> {
  const { configSchema, allowedKeys } = await import('./validation.js')
  const result = configSchema.safeParse(raw)
  if (result.success) return result.data
  const problems = result.error.issues.map((issue) => describeIssue(issue, raw, allowedKeys))
  if (problems.length === 0) throw new ConfigError(`${label}: invalid config`)
  throw new ConfigError(problems.length === 1 ? `${label}: ${problems[0]}` : `${label}: ${problems.length} problems: ${problems.map((p, i) => `${i + 1}) ${p}`).join('; ')}`)
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown, allowedKeys: (path: readonly PropertyKey[]) => readonly string[]): string {
  const where = issue.path.map(String).join('.')
  const prefix = where === '' ? '' : `${where}: `
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeys(issue.path)
    const keys = issue.keys.map((key) => {
      const meant = closest(key, allowed)
      return `${where === '' ? '' : `${where}.`}${key}${meant === undefined ? '' : ` (did you mean ${meant}?)`}`
    })
    return `unknown key${keys.length > 1 ? 's' : ''} ${keys.join(', ')}; expected one of ${allowed.join(', ')}`
  }
  // Messages that already describe the value ("got an empty string") need no second "got".
  if (issue.message.includes(', got ')) return `${prefix}${issue.message}`
  return `${prefix}${issue.message}, got ${describeValue(valueAt(raw, issue.path))}`
}

function valueAt(raw: unknown, keys: readonly PropertyKey[]): unknown {
  let value = raw
  for (const key of keys) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<PropertyKey, unknown>)[key]
  }
  return value
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return redactUrl(JSON.stringify(value))
  if (Array.isArray(value)) return 'an array'
  if (value === null) return 'null'
  if (typeof value === 'object') return 'an object'
  if (typeof value === 'function') return 'a function'
  return String(value)
}

/**
 * An env block that names a key but leaves it undefined usually reads an unset environment variable
 * (`url: process.env.PROD_DATABASE_URL`). Falling back to the top level would silently point a
 * production run at the development database, so this is an error unless a flag supplies the key.
 */
function rejectUnsetKeys(label: string, envName: string, block: EnvConfig, flags: ConfigFlags): void {
  const suppliedByFlag: Readonly<Record<string, boolean>> = {
    url: flags.url !== undefined,
    dir: flags.dir !== undefined,
    target: flags.to !== undefined,
    devUrl: flags.devUrl !== undefined,
  }
  for (const [key, value] of Object.entries(block)) {
    if (value === undefined && suppliedByFlag[key] !== true) {
      throw new ConfigError(
        `${label}: envs.${envName}.${key}: is undefined (does it read an environment variable that is not set?)`,
      )
    }
  }
}

function displayPath(cwd: string, file: string): string {
  const relative = path.relative(cwd, file)
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return text.split('\n').find((line) => line.trim() !== '')?.trim() ?? 'unknown error'
}

/** `schemas` when the config sets them; absent, commands follow the database (see ResolvedConfig.schemas). */
function optionalSchemas(schemas: readonly string[] | undefined): { schemas?: readonly string[] } {
  return schemas === undefined ? {} : { schemas }
}
