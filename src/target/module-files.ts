import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { TargetError } from '../errors.js'
import { importUserModule } from '../modules.js'

/** One file of a module target and what it exports (its namespace: named exports and `default`). */
export interface LoadedModule {
  /** As shown in messages: relative to the working directory. */
  readonly file: string
  readonly exports: Readonly<Record<string, unknown>>
}

const WILDCARD = /[*?]/

/**
 * The files a module target names: one path, or a pattern whose file name holds `*` / `?`
 * (`./src/db/schema/*.ts`), matched in name order. Wildcards in directory names are refused.
 */
export async function moduleFiles(target: string): Promise<string[]> {
  const dir = path.dirname(target)
  const pattern = path.basename(target)
  if (!WILDCARD.test(pattern)) return [target]
  if (WILDCARD.test(dir)) throw new TargetError(`target ${displayPath(target)}: only the file name may hold * or ?; name the directory itself`)
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')
  const matcher = new RegExp(`^${escaped}$`)
  let names: string[]
  try {
    names = await readdir(dir)
  } catch {
    throw new TargetError(`target ${displayPath(target)}: directory ${displayPath(dir)} does not exist`)
  }
  const files = names.filter((name) => matcher.test(name)).sort().map((name) => path.join(dir, name))
  if (files.length === 0) throw new TargetError(`target ${displayPath(target)} matches no files; check the pattern`)
  return files
}

/** Imports a module target's file (jiti: no build step); a failure names the file. */
export async function importModule(file: string): Promise<LoadedModule> {
  const shown = displayPath(file)
  try {
    const exports = await importUserModule(path.resolve(file))
    return { file: shown, exports: exports !== null && typeof exports === 'object' ? (exports as Record<string, unknown>) : { default: exports } }
  } catch (error) {
    throw new TargetError(`target schema module ${shown} failed to load: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
  }
}

export function displayPath(file: string): string {
  return path.relative(process.cwd(), path.resolve(file)) || file
}
