import type { ResolvedConfig } from '../config/schema.js'
import { MigratorError } from '../errors.js'
import type { SoundnessFinding } from '../safety/soundness.js'
import { inspectOptions, withDriver } from './session.js'

export interface VerifyReport {
  /** The database checked, password redacted. */
  readonly database: string
  readonly findings: readonly SoundnessFinding[]
}

/**
 * `migrator verify`: the soundness checks of the configured database's dialect (Driver.verify).
 * Reads only, and never creates a database that does not exist.
 */
export async function verifyDatabase(config: ResolvedConfig): Promise<VerifyReport> {
  return withDriver(
    config,
    async (driver) => {
      if (driver.verify === undefined) throw new MigratorError('unsupported', `migrator verify does not support ${driver.dialect} yet`)
      return { database: driver.url.redacted, findings: await driver.verify(inspectOptions(config, driver)) }
    },
    { readOnly: true },
  )
}
