import type { DatabaseUrl } from '../config/url.js'
import { redactUrl } from '../config/url.js'
import { MigratorError } from '../errors.js'
import { openDriver } from '../dialects/registry.js'
import type { FleetTarget } from './targets.js'

/**
 * The schemas of `database` whose names match the SQL LIKE `pattern`, sorted, each as a target
 * bound to that schema alone (Driver.scopedUrl). None matching is an error: a typo in the pattern
 * must not look like a fleet that is up to date.
 */
export async function tenantTargets(database: DatabaseUrl, pattern: string): Promise<FleetTarget[]> {
  const driver = await openDriver(database, { readOnly: true })
  try {
    if (driver.listSchemas === undefined || driver.scopedUrl === undefined) {
      throw new MigratorError('usage', `--tenant-schemas: ${database.redacted} has no schemas to run in (tenant schemas are a PostgreSQL feature)`)
    }
    const like = likeRegExp(pattern)
    const schemas = (await driver.listSchemas()).filter((name) => like.test(name))
    if (schemas.length === 0) throw new MigratorError('usage', `--tenant-schemas: no schema of ${database.redacted} matches ${pattern}`)
    return schemas.map((schema) => {
      const url = driver.scopedUrl!(schema)
      return { url, label: redactUrl(url), schema }
    })
  } finally {
    await driver.close()
  }
}

/** SQL LIKE as a regular expression: `%` any run, `_` one character, `\` escapes the next. */
export function likeRegExp(pattern: string): RegExp {
  let source = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === '\\' && i + 1 < pattern.length) source += escapeRegExp(pattern[++i]!)
    else if (c === '%') source += '[\\s\\S]*'
    else if (c === '_') source += '[\\s\\S]'
    else source += escapeRegExp(c)
  }
  return new RegExp(`^${source}$`)
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
