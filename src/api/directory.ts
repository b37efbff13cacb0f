import { access } from 'node:fs/promises'
import type { MigrationFile } from '../migrations/file.js'
import { readDirectory } from '../migrations/directory.js'
import { verifySum } from '../migrations/sum.js'

/**
 * The migrations of `dir`, verified against migrator.sum. A directory that does not exist yet
 * counts as empty where the caller allows it (diff creates it).
 */
export async function listMigrations(dir: string, options: { allowMissingDir?: boolean } = {}): Promise<MigrationFile[]> {
  if (options.allowMissingDir === true && !(await exists(dir))) return []
  const files = await readDirectory(dir)
  // The checksums readDirectory computed are the sum's: each file is read once.
  const known = new Map<string, string>()
  for (const f of files) {
    known.set(f.upFile, f.checksum)
    if (f.downFile !== undefined && f.downChecksum !== undefined) known.set(f.downFile, f.downChecksum)
  }
  await verifySum(dir, known)
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
