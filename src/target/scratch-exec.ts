import { redactSecrets } from '../config/url.js'
import type { Driver } from '../dialects/dialect.js'
import { TargetError } from '../errors.js'

/**
 * Runs statements generated from a target (not written by the user, so no line numbers to give)
 * on the empty scratch database; a statement the database refuses is a TargetError naming the
 * target (`what`), where the SQL came from (`source`) and the statement.
 */
export async function execOnScratch(scratch: Driver, statements: readonly string[], what: string, source: string): Promise<void> {
  for (const sql of statements) {
    try {
      await scratch.db.exec(sql)
    } catch (error) {
      const reason = redactSecrets(error instanceof Error ? error.message : String(error), scratch.url)
      throw new TargetError(`${what}: the database refuses ${source}: ${reason} (in: ${excerpt(sql)}); fix the target`, { cause: error })
    }
  }
}

export function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > 80 ? `${flat.slice(0, 77)}...` : flat
}
