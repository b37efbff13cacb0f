import type { ResolvedConfig } from '../config/schema.js'
import { MigratorError } from '../errors.js'
import { HistoryStore } from '../runner/history.js'
import { toolVersion } from '../version.js'
import { listMigrations } from './directory.js'
import { appliedBy, withDriver } from './session.js'

/**
 * Records an existing database as being at `version`: every migration up to and including it gets
 * an `applied` history row, nothing is executed. Refuses when history already has rows.
 */
export async function baseline(config: ResolvedConfig, version: string): Promise<{ readonly recorded: readonly string[] }> {
  const files = await listMigrations(config.dir)
  if (!files.some((f) => f.version === version)) {
    throw new MigratorError('baseline', `no migration with version ${version} in ${config.dir}; pick one of: ${files.map((f) => f.version).join(', ') || '(none)'}`)
  }
  return withDriver(config, async (driver) => {
    const history = new HistoryStore(driver, config.historyTable)
    await history.ensure()
    const existing = await history.list()
    if (existing.length > 0) {
      throw new MigratorError('baseline', `history table ${config.historyTable} already has ${existing.length} rows; baseline only applies to a database without history`)
    }
    const chosen = files.filter((f) => f.version <= version)
    await driver.db.transaction(async (tx) => {
      for (const file of chosen) {
        await history.write(tx, {
          version: file.version, name: file.slug, checksum: file.checksum, downChecksum: file.downChecksum,
          status: 'applied', appliedAt: new Date().toISOString(), executionMs: 0, appliedBy: appliedBy(),
          statementsApplied: 0, toolVersion,
        })
      }
    })
    return { recorded: chosen.map((f) => `${f.version}_${f.slug}`) }
  })
}
