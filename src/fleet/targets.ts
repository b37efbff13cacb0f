import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { ResolvedConfig } from '../config/schema.js'
import { parseUrl, redactUrl } from '../config/url.js'
import { ConfigError, MigratorError } from '../errors.js'
import type { TargetSources } from './sources.js'
import { tenantTargets } from './tenants.js'

/** One database (or tenant schema) of a fleet. */
export interface FleetTarget {
  /** The URL a single-database run would be given (`--url`); holds the password. */
  readonly url: string
  /** What reports print: the URL with its password redacted. */
  readonly label: string
  /** The tenant schema the URL binds the run to (`--tenant-schemas`). */
  readonly schema?: string
}

/**
 * The fleet's targets in order, each URL once: the `--targets` file, else the config's `targets`
 * (unless `--url` names one database), else the config's URL; each expanded into its schemas that
 * match the tenant pattern when there is one. Every bad URL is a one-line error naming its source.
 */
export async function resolveTargets(config: ResolvedConfig, sources: TargetSources): Promise<FleetTarget[]> {
  const databases = await databaseUrls(config, sources)
  const pattern = sources.tenantSchemas ?? config.tenantSchemas
  const targets: FleetTarget[] = []
  for (const url of databases) {
    if (pattern === undefined) targets.push({ url, label: redactUrl(url) })
    else targets.push(...(await tenantTargets(parseUrl(url, config.cwd), pattern)))
  }
  const seen = new Set<string>()
  return targets.filter((t) => !seen.has(t.url) && seen.add(t.url))
}

async function databaseUrls(config: ResolvedConfig, sources: TargetSources): Promise<string[]> {
  if (sources.file !== undefined) return readTargetsFile(path.resolve(config.cwd, sources.file), sources.file, config.cwd)
  if (config.targets !== undefined && !sources.urlFlag) return configTargets(config.targets, config.cwd)
  if (config.url === undefined) throw new ConfigError('no database for --tenant-schemas: pass --url, set `url` in migrator.config.ts, or set DATABASE_URL')
  return [config.url]
}

/** `--targets <file>`: one URL per line; blank lines and lines starting with `#` are skipped. */
export async function readTargetsFile(file: string, shown: string, cwd: string): Promise<string[]> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new MigratorError('usage', `--targets ${shown}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`)
  }
  const urls: string[] = []
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    urls.push(checked(line, `--targets ${shown}:${i + 1}`, cwd))
  }
  if (urls.length === 0) throw new MigratorError('usage', `--targets ${shown}: no database URLs in the file (one per line; # starts a comment line)`)
  return urls
}

/** The config's `targets`: the list, or what its function returns. */
async function configTargets(targets: NonNullable<ResolvedConfig['targets']>, cwd: string): Promise<string[]> {
  let list: unknown
  try {
    list = typeof targets === 'function' ? await targets() : targets
  } catch (error) {
    throw new ConfigError(`targets: the function failed: ${redactUrl(error instanceof Error ? error.message : String(error))}`, { cause: error })
  }
  if (!Array.isArray(list) || list.length === 0 || !list.every((url) => typeof url === 'string')) {
    throw new ConfigError('targets: the function must return a non-empty array of database URL strings')
  }
  return list.map((url: string, i) => checked(url, `targets[${i}]`, cwd))
}

function checked(url: string, where: string, cwd: string): string {
  try {
    parseUrl(url, cwd)
  } catch (error) {
    throw new MigratorError('usage', `${where}: ${error instanceof Error ? error.message : String(error)}`)
  }
  return url.trim()
}
