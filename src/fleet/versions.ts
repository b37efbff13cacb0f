import type { ResolvedConfig } from '../config/schema.js'
import { withDriver } from '../api/session.js'
import { HistoryStore } from '../runner/history.js'

/**
 * The versions applied on one target, oldest first, read before `up`/`down` runs there so the
 * fleet report can say where each target started. Reads only: a database (or SQLite file) that
 * does not exist yet is read as empty, not created.
 */
export async function appliedVersions(config: ResolvedConfig): Promise<string[]> {
  const rows = await withDriver(config, (driver) => new HistoryStore(driver, config.historyTable).list(), { readOnly: true, missingAsEmpty: true })
  return rows.filter((row) => row.status === 'applied').map((row) => row.version)
}

/** The newest of `versions` (14-digit strings compare as numbers do); undefined when empty. */
export function newest(versions: Iterable<string>): string | undefined {
  let top: string | undefined
  for (const version of versions) if (top === undefined || version > top) top = version
  return top
}
