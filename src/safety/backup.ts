import { existsSync } from 'node:fs'
import { mkdir, readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import type { ResolvedConfig } from '../config/schema.js'
import type { Driver } from '../dialects/dialect.js'
import { MigratorError } from '../errors.js'

/** One snapshot file. */
export interface BackupInfo {
  readonly file: string
  readonly size: number
  /** ISO 8601 modification time. */
  readonly createdAt: string
  readonly ageMs: number
}

const SUFFIX = '.backup'

/**
 * Where backups of `driver`'s database go: config `backup.dir`, else next to a SQLite file, else
 * `<cwd>/backups`; files are named `<database>.<YYYYMMDD-HHMMSS>.backup`.
 */
export function backupLocation(driver: Driver, config: ResolvedConfig): { readonly dir: string; readonly base: string } {
  const file = driver.url.file !== undefined && driver.url.file !== ':memory:' ? driver.url.file : undefined
  const dir = config.backup?.dir ?? (file !== undefined ? path.dirname(file) : path.join(config.cwd, 'backups'))
  const base = file !== undefined ? path.basename(file) : (driver.url.database ?? driver.dialect)
  return { dir, base }
}

/**
 * Snapshots the database to a new timestamped file, verified readable and complete by the dialect
 * (Driver.backup); throws when the dialect (or its tool) cannot, or the file is not complete.
 */
export async function takeBackup(driver: Driver, config: ResolvedConfig, now: Date = new Date()): Promise<BackupInfo> {
  if (driver.backup === undefined) {
    throw new MigratorError('backup', `backups are not available for ${driver.dialect} yet; nothing was run — take one with the database's own tools, or run without --backup`)
  }
  const { dir, base } = backupLocation(driver, config)
  await mkdir(dir, { recursive: true })
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
  let file = path.join(dir, `${base}.${stamp}${SUFFIX}`)
  for (let n = 1; existsSync(file); n++) file = path.join(dir, `${base}.${stamp}-${n}${SUFFIX}`)
  await driver.backup(file)
  return describe(file, now)
}

/** Throws when `file` does not exist: checked before connecting, so a mistyped path changes and creates nothing. */
export function checkBackupFile(file: string): void {
  if (!existsSync(file)) throw new MigratorError('restore', `backup file ${file} does not exist; nothing was restored (\`migrator status\` lists the backups)`)
}

/**
 * Replaces the database with `file`, exactly (objects created after the backup are gone), and
 * verifies the result against the backup (Driver.restore): a MigratorError says when it differs.
 */
export async function restoreBackup(driver: Driver, file: string): Promise<void> {
  if (driver.restore === undefined) throw new MigratorError('restore', `restoring is not available for ${driver.dialect} yet; use the database's own tools`)
  checkBackupFile(file)
  await driver.restore(file)
}

/** Backups of this database, newest first. */
export async function listBackups(driver: Driver, config: ResolvedConfig, now: Date = new Date()): Promise<BackupInfo[]> {
  const { dir, base } = backupLocation(driver, config)
  let names: string[]
  try {
    names = await readdir(dir)
  } catch {
    return []
  }
  const matching = names.filter((n) => n.startsWith(`${base}.`) && n.endsWith(SUFFIX) && /^\d{8}-\d{6}(-\d+)?$/.test(n.slice(base.length + 1, -SUFFIX.length)))
  const infos = await Promise.all(matching.map((n) => describe(path.join(dir, n), now)))
  return infos.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.file.localeCompare(a.file))
}

async function describe(file: string, now: Date): Promise<BackupInfo> {
  const info = await stat(file)
  return { file, size: info.size, createdAt: info.mtime.toISOString(), ageMs: Math.max(0, now.getTime() - info.mtime.getTime()) }
}
