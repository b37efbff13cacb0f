import type { ResolvedConfig } from '../config/schema.js'
import type { Driver } from '../dialects/dialect.js'
import type { MigrationFile } from '../migrations/file.js'
import { runUp } from '../runner/run.js'
import { diffSchemas } from '../schema/diff.js'
import { emptySchema, type Schema } from '../schema/model.js'
import { inspectOptions, scratchRunOptions, withScratch } from './session.js'

/**
 * The schema that `files` produce: they are applied to an empty scratch database of the same
 * dialect (through the real runner, so directives and module migrations behave as in `up`) and
 * inspected there.
 */
export async function replaySchema(driver: Driver, config: ResolvedConfig, files: readonly MigrationFile[]): Promise<Schema> {
  return withScratch(driver, config, async (scratch) => {
    const result = await runUp(scratch, files, scratchRunOptions(config, 'migrator replay'))
    if (result.error !== undefined) throw result.error
    return scratch.inspect(inspectOptions(config, driver))
  })
}

/**
 * Gives an empty scratch database the structure of `schema` (tables, views, objects; no rows),
 * the way `inspect --format sql` prints it. Lint and consent then analyze migrations against the
 * database as it is, including tables created outside migrations.
 */
export async function cloneStructure(scratch: Driver, schema: Schema): Promise<void> {
  const { changes } = diffSchemas(emptySchema, schema, { capabilities: scratch.capabilities })
  for (const statement of scratch.plan(changes, { current: emptySchema, desired: schema }).statements) await scratch.db.exec(statement.sql)
}
