import type { ResolvedConfig } from '../config/schema.js'
import type { Driver } from '../dialects/dialect.js'
import type { MigrationFile } from '../migrations/file.js'
import { runUp } from '../runner/run.js'
import type { Schema } from '../schema/model.js'
import { inspectOptions, runnerOptions, withScratch } from './session.js'

/**
 * The schema that `files` produce: they are applied to an empty scratch database of the same
 * dialect (through the real runner, so directives and module migrations behave as in `up`) and
 * inspected there.
 */
export async function replaySchema(driver: Driver, config: ResolvedConfig, files: readonly MigrationFile[]): Promise<Schema> {
  return withScratch(driver, config, async (scratch) => {
    const result = await runUp(scratch, files, runnerOptions(config, 'migrator replay'))
    if (result.error !== undefined) throw result.error
    return scratch.inspect(inspectOptions(config))
  })
}
