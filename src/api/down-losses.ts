import type { ResolvedConfig } from '../config/schema.js'
import type { Driver } from '../dialects/dialect.js'
import { analyzeChanges } from '../lint/changes.js'
import { parseDirectives } from '../migrations/directives.js'
import { liveProbe } from '../lint/probe.js'
import { withDeclaredRenames } from '../lint/renames.js'
import type { MigrationFile } from '../migrations/file.js'
import { downTargets } from '../runner/down.js'
import { loadModule, mentionsAnyTable, migrationContext } from '../runner/execute.js'
import { HistoryStore } from '../runner/history.js'
import type { FileDataLoss } from '../safety/consent.js'
import { diffSchemas } from '../schema/diff.js'
import { cloneStructure } from './replay.js'
import { inspectOptions, withScratch } from './session.js'

/**
 * What a `down` run would destroy on the live database: the down files it would run are applied,
 * newest first, to a scratch database given the live structure, and what each one drops or
 * converts is counted on the live data. A down whose text names no live table touches no stored
 * value and is not replayed. Precondition problems (missing or edited down files, failed rows) are
 * left to the run itself, which reports them before it changes anything.
 */
export async function downLosses(
  driver: Driver,
  config: ResolvedConfig,
  files: readonly MigrationFile[],
  selection: { readonly all?: boolean; readonly to?: string; readonly steps?: number },
): Promise<FileDataLoss[]> {
  const rows = await new HistoryStore(driver, config.historyTable).list()
  if (rows.some((r) => r.status === 'failed')) return []
  const byVersion = new Map(files.map((f) => [f.version, f]))
  const targets = downTargets(rows, selection).flatMap((row) => byVersion.get(row.version) ?? [])
  const live = await driver.inspect(inspectOptions(config, driver))
  const names = live.tables.map((t) => t.name)
  if (!targets.some((file) => file.format === 'module' || mentionsAnyTable(file.down ?? '', names))) return []
  const probe = liveProbe(driver, live, config.lockTimeoutMs)
  return withScratch(driver, config, async (scratch) => {
    await cloneStructure(scratch, live)
    const losses: FileDataLoss[] = []
    for (const file of targets) {
      const before = await scratch.inspect(inspectOptions(config, driver))
      try {
        await runDownOn(scratch, file)
      } catch {
        // It fails on the database as well, and the run reports that; nothing after it runs.
        break
      }
      const after = await scratch.inspect(inspectOptions(config, driver))
      // A down that renames a table back (RENAME TABLE new TO old) moves its rows, not drops them.
      const renames = file.format === 'sql' ? scratch.splitStatements(file.down ?? '').map((s) => s.sql) : []
      const { changes } = diffSchemas(before, withDeclaredRenames(after, renames), { capabilities: driver.capabilities })
      const downFile = file.downFile ?? file.upFile
      const findings = await analyzeChanges(changes, {
        lossProbe: probe,
        valueLosses: (change) => driver.valueLosses?.(change, { current: before, desired: after }) ?? [],
        rowLosses: (change) => driver.rowLosses?.(change, { current: before, desired: after }) ?? [],
        valuesKept: file.format === 'sql' ? parseDirectives(file.down ?? '', downFile, 'down').valuesKept : undefined,
      })
      for (const f of findings) if (f.loss !== undefined) losses.push({ ...f.loss, version: file.version, file: downFile })
    }
    return losses
  })
}

async function runDownOn(scratch: Driver, file: MigrationFile): Promise<void> {
  if (file.format === 'module') {
    const down = (await loadModule(file)).down
    await down?.(migrationContext(scratch, scratch.db))
    return
  }
  for (const statement of scratch.splitStatements(file.down ?? '')) await scratch.db.exec(statement.sql)
}
