import { readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { ResolvedConfig } from '../config/schema.js'
import { MigratorError } from '../errors.js'
import { nextVersion } from '../migrations/directory.js'
import { writeSum } from '../migrations/sum.js'
import { HistoryStore } from '../runner/history.js'
import { listMigrations } from './directory.js'
import { withDriver } from './session.js'

export interface RebaseOptions {
  /** Clock for the new version; tests pin it. */
  readonly now?: Date
}

export interface RebaseOutcome {
  readonly from: string
  readonly to: string
  /** File renames, old name → new name. */
  readonly renamed: readonly { readonly from: string; readonly to: string }[]
}

/**
 * Gives the migration `version` a new version after the newest file (Atlas's `migrate rebase`),
 * so a migration merged from a branch after newer ones runs last: renames its files, rewrites
 * the `<version>_<slug>` references inside them (generated headers) and migrator.sum. Refuses when
 * migrator.sum does not match the files (review the merge and run `migrator hash` first), when the
 * version has no file or is the newest already, and, when a database is configured, when that
 * database has applied it (its history row would lose its file and `up` would run it again).
 */
export async function rebase(config: ResolvedConfig, version: string, options: RebaseOptions = {}): Promise<RebaseOutcome> {
  const files = await listMigrations(config.dir)
  const file = files.find((f) => f.version === version)
  if (file === undefined) {
    throw new MigratorError('rebase', `no migration with version ${version} in ${path.relative(config.cwd, config.dir) || '.'}; pick one of: ${files.map((f) => f.version).join(', ') || '(none)'}`)
  }
  const newest = files.at(-1)!
  if (newest.version === version) throw new MigratorError('rebase', `${file.upFile} is the newest migration already; nothing to rebase`)
  if (config.url !== undefined) {
    const rows = await withDriver(config, (driver) => new HistoryStore(driver, config.historyTable).list(), { readOnly: true, missingAsEmpty: true })
    if (rows.some((row) => row.version === version)) {
      throw new MigratorError(
        'rebase',
        `${file.upFile} is applied in the configured database; a new version would leave its history row without a file and run it again there: rebase only a migration no shared database has run, or apply it where it is with \`migrator up --allow-out-of-order\``,
      )
    }
  }
  const to = nextVersion(files.map((f) => f.version), options.now ?? new Date())
  const oldStem = `${version}_${file.slug}`
  const newStem = `${to}_${file.slug}`
  const names = [file.upFile, ...(file.downFile === undefined ? [] : [file.downFile])]
  const renamed = names.map((name) => ({ from: name, to: newStem + name.slice(oldStem.length) }))
  for (const { from, to: target } of renamed) {
    const text = await readFile(path.join(config.dir, from), 'utf8')
    // Write the new name first: a failure leaves the old file in place, never neither.
    await writeFile(path.join(config.dir, target), text.split(oldStem).join(newStem), { flag: 'wx' })
  }
  for (const { from } of renamed) await rm(path.join(config.dir, from))
  await writeSum(config.dir)
  return { from: version, to, renamed }
}
