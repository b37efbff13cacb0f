// Apart from targets.ts so that every single-database command can ask `isFleet` without loading
// what resolving a fleet needs.
import type { ResolvedConfig } from '../config/schema.js'

/** Where a fleet's targets come from: the command-line flags; the config supplies the rest. */
export interface TargetSources {
  /** `--targets <file>`: replaces the config's `targets`. */
  readonly file?: string
  /** `--tenant-schemas <pattern>`: replaces the config's `tenantSchemas`. */
  readonly tenantSchemas?: string
  /** `--url` was given: that one database, not the config's `targets`. */
  readonly urlFlag: boolean
}

/** Whether a command runs over a fleet rather than one database. */
export function isFleet(config: ResolvedConfig, sources: TargetSources): boolean {
  return sources.file !== undefined || sources.tenantSchemas !== undefined || config.tenantSchemas !== undefined || (config.targets !== undefined && !sources.urlFlag)
}
