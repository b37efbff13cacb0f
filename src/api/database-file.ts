import { existsSync } from 'node:fs'
import type { ResolvedConfig } from '../config/schema.js'
import { databaseUrl } from './session.js'

/**
 * Whether the configured database is a file that does not exist yet (a SQLite URL): it holds
 * nothing, and opening it would create it. Read-only and refused commands answer from that
 * instead of opening it, so they leave no file behind.
 */
export function databaseFileMissing(config: ResolvedConfig): boolean {
  const file = databaseUrl(config).file
  return file !== undefined && file !== ':memory:' && !existsSync(file)
}
