import type { Driver } from '../dialects/dialect.js'
import { diffSchemas } from './diff.js'
import type { Schema } from './model.js'

/**
 * One line per statement that would turn `from` into `to` (empty when they are the same): the
 * comparison behind drift, "ungenerated changes" and whether a run starts from the schema its
 * history says, so all of them agree on what counts as a difference.
 */
export function schemaDifferences(driver: Driver, from: Schema, to: Schema): string[] {
  const { changes } = diffSchemas(from, to, { capabilities: driver.capabilities })
  return driver.plan(changes, { current: from, desired: to }).statements.map((s) => s.comment)
}
