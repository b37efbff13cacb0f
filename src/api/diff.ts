import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { ResolvedConfig } from '../config/schema.js'
import { parseUrl } from '../config/url.js'
import type { Driver, Plan } from '../dialects/dialect.js'
import { openDriver } from '../dialects/registry.js'
import { ConfigError, MigratorError } from '../errors.js'
import { listMigrations } from './directory.js'
import { nextVersion, slugify } from '../migrations/directory.js'
import { writeSum } from '../migrations/sum.js'
import { renderMigration } from '../migrations/write.js'
import { HistoryStore } from '../runner/history.js'
import type { Change, RenameCandidate } from '../schema/changes.js'
import { diffSchemas } from '../schema/diff.js'
import type { Schema } from '../schema/model.js'
import { loadTarget } from '../target/load.js'
import { toolVersion } from '../version.js'
import { findingLine, lintMigration, type MigrationLint } from '../lint/analyze.js'
import { liveProbe } from '../lint/probe.js'
import { NO_DIRECTIVES } from '../migrations/directives.js'
import { schemaFingerprint } from '../safety/fingerprint.js'
import { replaySchema } from './replay.js'
import { lintSettings } from './lint.js'
import { inspectOptions, withDriver, withScratch } from './session.js'

export interface DiffOptions {
  /** Migration name; slugified into the file names. */
  readonly name?: string
  /** Print the SQL, write nothing. */
  readonly dryRun?: boolean
  /** Only report whether there are changes. */
  readonly check?: boolean
  /** Compare from the migration directory replayed on a scratch database ('dir') or another database URL. */
  readonly from?: string
  /** Clock for the version; tests pin it. */
  readonly now?: Date
  /**
   * Build new indexes on existing tables without blocking writes (PostgreSQL `CREATE INDEX
   * CONCURRENTLY`); the generated file then says `-- migrator:no-transaction`.
   */
  readonly concurrentIndexes?: boolean
}

export interface DiffOutcome {
  readonly changes: readonly Change[]
  readonly plan: Plan
  readonly renameCandidates: readonly RenameCandidate[]
  /** The up and down file texts (also when nothing is written). */
  readonly up: string
  readonly down: string
  /** Lint findings and risk of the generated migration (also written into its header). */
  readonly lint: MigrationLint
  /** Paths written, when files were written. */
  readonly written?: { readonly version: string; readonly up: string; readonly down: string }
}

/**
 * Compares the live database (or the replayed directory) with the declared target and, unless
 * `dryRun`/`check`, writes `<version>_<name>.up.sql` / `.down.sql` and updates migrator.sum.
 */
export async function diff(config: ResolvedConfig, options: DiffOptions = {}): Promise<DiffOutcome> {
  if (config.target === undefined) {
    throw new ConfigError('no target schema: pass --to <file.sql|dir>, or set `target` in migrator.config.ts')
  }
  const target = config.target
  const files = await listMigrations(config.dir, { allowMissingDir: true })
  return withDriver(config, async (driver) => {
    const current = await currentSchema(driver, config, files, options.from)
    const desired = await withScratch(driver, config, (scratch) => loadTarget(target, scratch, inspectOptions(config)))
    const { changes, renameCandidates } = diffSchemas(current, desired, { capabilities: driver.capabilities })
    const plan = driver.plan(changes, { current, desired, concurrentIndexes: options.concurrentIndexes })
    const version = nextVersion(files.map((f) => f.version), options.now ?? new Date())
    const name = slugify(options.name ?? 'changes')
    const notes = renameCandidates.map(
      (c) => `${c.kind} ${c.kind === 'column' ? `${c.table}.` : ''}${c.from} is dropped and ${c.to} added: if this is a rename, declare it in the target ("-- migrator:rename ${c.kind} ${c.kind === 'column' ? `${c.table}.` : ''}${c.from} to ${c.to}") to keep the data`,
    )
    const draft = renderMigration(plan, { name, version, toolVersion, notes })
    // The analyzers see the change list directly (no replay needed) and, when diffing from the
    // live database, count rows there; the findings go into the header for the reviewer.
    const lint = await lintMigration({
      file: { version, slug: name, upFile: `${version}_${name}.up.sql`, format: 'sql', up: draft.up, down: draft.down, directives: { ...NO_DIRECTIVES, noTransaction: !plan.transactional } },
      changes,
      driver,
      probe: options.from === undefined ? liveProbe(driver, current, config.lockTimeoutMs) : undefined,
      settings: lintSettings(config),
    })
    const { up, down } = renderMigration(plan, {
      name,
      version,
      toolVersion,
      notes,
      lint: lint.findings.map(findingLine),
      expectSchema: schemaFingerprint(desired),
    })
    if (changes.length === 0 || options.dryRun === true || options.check === true) {
      return { changes, plan, renameCandidates, up, down, lint }
    }
    await mkdir(config.dir, { recursive: true })
    const upPath = path.join(config.dir, `${version}_${name}.up.sql`)
    const downPath = path.join(config.dir, `${version}_${name}.down.sql`)
    await writeFile(upPath, up, { flag: 'wx' })
    await writeFile(downPath, down, { flag: 'wx' })
    await writeSum(config.dir)
    return { changes, plan, renameCandidates, up, down, lint, written: { version, up: upPath, down: downPath } }
  })
}

async function currentSchema(driver: Driver, config: ResolvedConfig, files: Awaited<ReturnType<typeof listMigrations>>, from?: string): Promise<Schema> {
  if (from === 'dir') return replaySchema(driver, config, files)
  if (from !== undefined) {
    const other = await openDriver(parseUrl(from, config.cwd))
    try {
      return await other.inspect(inspectOptions(config))
    } finally {
      await other.close()
    }
  }
  const applied = new Set((await new HistoryStore(driver, config.historyTable).list()).map((row) => row.version))
  const unapplied = files.filter((f) => !applied.has(f.version))
  if (unapplied.length > 0) {
    throw new MigratorError(
      'unapplied-migrations',
      `${unapplied.length} migration${unapplied.length > 1 ? 's' : ''} in ${path.relative(config.cwd, config.dir) || '.'} ` +
        `not yet applied to ${driver.url.redacted} (first: ${unapplied[0]!.upFile}); run \`migrator up\` first, or diff with --from dir`,
    )
  }
  return driver.inspect(inspectOptions(config))
}
