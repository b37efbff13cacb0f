import path from 'node:path'
import type { ResolvedConfig } from '../config/schema.js'
import { checkBackupFile, listBackups, restoreBackup, takeBackup, type BackupInfo } from '../safety/backup.js'
import { withDriver } from './session.js'

export type { BackupInfo } from '../safety/backup.js'

/** `migrator backup`: snapshot the configured database to a timestamped file. Never creates the database. */
export async function backup(config: ResolvedConfig): Promise<BackupInfo> {
  return withDriver(config, (driver) => takeBackup(driver, config), { readOnly: true })
}

/**
 * `migrator restore <file>`: replace the database with a snapshot, exactly, and verify the result
 * (the CLI confirms first). A file that does not exist is refused before connecting: nothing is
 * changed or created, not even an empty SQLite file.
 */
export async function restore(config: ResolvedConfig, file: string): Promise<{ readonly file: string; readonly database: string }> {
  const absolute = path.resolve(config.cwd, file)
  checkBackupFile(absolute)
  return withDriver(config, async (driver) => {
    await restoreBackup(driver, absolute)
    return { file: absolute, database: driver.url.redacted }
  })
}

/** Backups of the configured database, newest first. */
export async function backups(config: ResolvedConfig): Promise<BackupInfo[]> {
  return withDriver(config, (driver) => listBackups(driver, config), { readOnly: true })
}
