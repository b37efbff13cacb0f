import type { ResolvedConfig } from '../config/schema.js'
import { MigratorError } from '../errors.js'
import { HistoryStore, type HistoryRow } from '../runner/history.js'
import { toolVersion } from '../version.js'
import { listMigrations } from './directory.js'
import { appliedBy, withDriver } from './session.js'

/** The name of the history row `baseline` writes for a version no file has. */
const MARKER_NAME = 'baseline'

/**
 * Records an existing database as being at `version` (any 14-digit version, as Flyway's baseline):
 * every migration at or below it gets a `baseline` history row (its checksums, nothing executed),
 * later ones stay pending and run normally. A version without a file gets a marker row of its own
 * (empty checksum), so files at or below it that appear later count as applied too. Refuses when
 * history already has rows.
 */
export async function baseline(config: ResolvedConfig, version: string): Promise<{ readonly recorded: readonly string[]; readonly marker?: string }> {
  const files = await listMigrations(config.dir, { allowMissingDir: true })
  return withDriver(config, async (driver) => {
    const history = new HistoryStore(driver, config.historyTable)
    const existing = await history.list()
    if (existing.length > 0) {
      throw new MigratorError(
        'baseline',
        `history table ${config.historyTable} already has ${existing.length} row${existing.length === 1 ? '' : 's'}; baseline only applies to a database without history (see \`migrator status\`)`,
      )
    }
    const chosen = files.filter((f) => f.version <= version)
    const common = { status: 'applied', baseline: true, appliedAt: new Date().toISOString(), executionMs: 0, appliedBy: appliedBy(), statementsApplied: 0, toolVersion } as const
    const rows: HistoryRow[] = chosen.map((file) => ({ ...common, version: file.version, name: file.slug, checksum: file.checksum, downChecksum: file.downChecksum }))
    const marker = chosen.some((f) => f.version === version) ? undefined : { ...common, version, name: MARKER_NAME, checksum: '' }
    await history.ensure()
    await driver.db.transaction(async (tx) => {
      for (const row of [...rows, ...(marker === undefined ? [] : [marker])]) await history.write(tx, row)
    })
    return { recorded: chosen.map((f) => `${f.version}_${f.slug}`), ...(marker === undefined ? {} : { marker: version }) }
  })
}
