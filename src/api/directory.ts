import { access } from 'node:fs/promises'
import type { MigrationFile } from '../migrations/file.js'
import { readDirectory } from '../migrations/directory.js'
import { sumOf, verifySum } from '../migrations/sum.js'

/**
 * The migrations of `dir`, verified against migrator.sum. A directory that does not exist yet
 * counts as empty where the caller allows it (diff creates it).
 */
export async function listMigrations(dir: string, options: { allowMissingDir?: boolean } = {}): Promise<MigrationFile[]> {
  if (options.allowMissingDir === true && !(await exists(dir))) return []
  const files = await readDirectory(dir)
  // readDirectory read and hashed every migration file (it fails on any it cannot pair): those
  // checksums are the sum's, so each file is read once and the directory listed once.
  const hashed = files.flatMap((f) => [
    { name: f.upFile, hash: f.checksum },
    ...(f.downFile !== undefined && f.downChecksum !== undefined ? [{ name: f.downFile, hash: f.downChecksum }] : []),
  ])
  await verifySum(dir, sumOf(hashed))
  return files
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file)
    return true
  } catch {
    return false
  }
}
