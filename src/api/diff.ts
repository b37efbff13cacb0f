import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { ResolvedConfig } from '../config/schema.js'
import { parseUrl } from '../config/url.js'
import type { Driver, PlanOptions } from '../dialects/dialect.js'
import type { Plan } from '../schema/plan.js'
import { openDriver } from '../dialects/registry.js'
import { ConfigError, MigratorError } from '../errors.js'
import { planZeroDowntime, type PhaseName, type ZeroDowntimePlan } from '../zero-downtime/plan.js'
import { listMigrations } from './directory.js'
import { nextVersion, slugify } from '../migrations/directory.js'
import { writeSum } from '../migrations/sum.js'
import { renderMigration } from '../migrations/write.js'
import { HistoryStore } from '../runner/history.js'
import type { Change, RenameCandidate } from '../schema/changes.js'
import { diffSchemas } from '../schema/diff.js'
import { emptySchema, type Schema } from '../schema/model.js'
import { loadTarget } from '../target/load.js'
import { toolVersion } from '../version.js'
import { findingLine, lintMigration, type MigrationLint } from '../lint/analyze.js'
import { liveProbe } from '../lint/probe.js'
import { assessRisk } from '../lint/risk.js'
import { NO_DIRECTIVES } from '../migrations/directives.js'
import type { MigrationFile } from '../migrations/file.js'
import { changeFingerprint } from '../safety/fingerprint.js'
import { baselineFloor } from '../runner/pending.js'
import { directorySchema } from './produced.js'
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
  /**
   * Turn risky changes into expand → online → contract files (backfills in chunks, sync triggers,
   * NOT VALID constraints), so the application can be deployed between phases.
   */
  readonly zeroDowntime?: boolean
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
  /** `zeroDowntime`: the phase files after the ordinary one (texts always, paths when written). */
  readonly phases?: readonly ZeroDowntimeFile[]
}

/**
 * Compares the live database (or the replayed directory) with the declared target and, unless
 * `dryRun`/`check`, writes `<version>_<name>.up.sql` / `.down.sql` and updates migrator.sum. Only
 * reads the live database: a SQLite file that does not exist is read as empty and not created.
 */
export async function diff(config: ResolvedConfig, options: DiffOptions = {}): Promise<DiffOutcome> {
  if (config.target === undefined) {
    throw new ConfigError('no target schema: pass --to <file.sql|dir>, or set `target` in migrator.config.ts')
  }
  const target = config.target
  const files = await listMigrations(config.dir, { allowMissingDir: true })
  return withDriver(config, async (driver) => {
    const current = await currentSchema(driver, config, files, options.from)
    const desired = await withScratch(driver, config, (scratch) => loadTarget(target, scratch, inspectOptions(config, driver), driver.url.database))
    const { changes: all, renameCandidates } = diffSchemas(current, desired, { capabilities: driver.capabilities })
    const version = nextVersion(files.map((f) => f.version), options.now ?? new Date())
    const name = slugify(options.name ?? 'changes')
    const zd = options.zeroDowntime === true ? splitPhases(driver, all, name, { current, desired }) : undefined
    const changes = zd?.ordinary ?? all
    const plan = driver.plan(changes, { current, desired, concurrentIndexes: options.concurrentIndexes })
    const notes = renameCandidates.map(
      (c) => `${c.kind} ${c.kind === 'column' ? `${c.table}.` : ''}${c.from} is dropped and ${c.to} added: if this is a rename, declare it in the target ("-- migrator:rename ${c.kind} ${c.kind === 'column' ? `${c.table}.` : ''}${c.from} to ${c.to}") to keep the data`,
    )
    const draft = renderMigration(plan, { name, version, toolVersion, notes })
    const probe = liveProbe(driver, current, config.lockTimeoutMs)
    // The analyzers see the change list directly (no replay needed) and, when diffing from the
    // live database, count rows there; the findings go into the header for the reviewer. Without
    // changes there is no file to lint (an empty draft would report its empty down as IR101).
    const lint = changes.length === 0 ? noFindings(version, name) : await lintMigration({
      file: { version, slug: name, upFile: `${version}_${name}.up.sql`, format: 'sql', up: draft.up, down: draft.down, directives: { ...NO_DIRECTIVES, noTransaction: !plan.transactional } },
      changes,
      driver,
      schemas: { current, desired },
      ...(options.from === undefined ? { probe, lossProbe: probe } : {}),
      settings: lintSettings(config),
    })
    const { up, down } = renderMigration(plan, {
      name,
      version,
      toolVersion,
      notes,
      lint: lint.findings.map(findingLine),
      // With phases after it, the ordinary file alone does not reach the target's schema.
      ...(zd === undefined || zd.phases.length === 0 ? { expectChanges: changeFingerprint(current, desired, driver.capabilities) } : {}),
    })
    const versions = [...files.map((f) => f.version), ...(changes.length > 0 ? [version] : [])]
    const phases = (zd?.phases ?? []).map((phase): ZeroDowntimeFile => {
      const v = nextVersion(versions, options.now ?? new Date())
      versions.push(v)
      return { version: v, phase: phase.phase, slug: phase.slug, up: phase.up, down: phase.down }
    })
    if ((changes.length === 0 && phases.length === 0) || options.dryRun === true || options.check === true) {
      return { changes: all, plan, renameCandidates, up, down, lint, ...(zd === undefined ? {} : { phases }) }
    }
    await mkdir(config.dir, { recursive: true })
    const write = async (v: string, slug: string, upText: string, downText: string) => {
      const upPath = path.join(config.dir, `${v}_${slug}.up.sql`)
      const downPath = path.join(config.dir, `${v}_${slug}.down.sql`)
      await writeFile(upPath, upText, { flag: 'wx' })
      await writeFile(downPath, downText, { flag: 'wx' })
      return { version: v, up: upPath, down: downPath }
    }
    const written = changes.length > 0 ? await write(version, name, up, down) : undefined
    const writtenPhases: ZeroDowntimeFile[] = []
    for (const phase of phases) writtenPhases.push({ ...phase, written: await write(phase.version, phase.slug, phase.up, phase.down) })
    await writeSum(config.dir)
    return { changes: all, plan, renameCandidates, up, down, lint, ...(written === undefined ? {} : { written }), ...(zd === undefined ? {} : { phases: writtenPhases }) }
  }, { readOnly: true, missingAsEmpty: true })
}

function noFindings(version: string, name: string): MigrationLint {
  return { version, name, file: `${version}_${name}.up.sql`, findings: [], risk: assessRisk([]) }
}

/** One expand/online/contract file of `diff --zero-downtime`. */
export interface ZeroDowntimeFile {
  readonly version: string
  readonly phase: PhaseName
  readonly slug: string
  readonly up: string
  readonly down: string
  readonly written?: { readonly version: string; readonly up: string; readonly down: string }
}

function splitPhases(driver: Driver, changes: readonly Change[], name: string, schemas: PlanOptions): ZeroDowntimePlan {
  if (driver.zeroDowntimeSql === undefined) {
    throw new MigratorError(
      'unsupported',
      `--zero-downtime is not available for ${driver.dialect}: a single-writer database has no concurrent writers to protect; run \`migrator diff\` without it`,
    )
  }
  return planZeroDowntime(changes, driver.zeroDowntimeSql, { name, valueLosses: (change) => driver.valueLosses?.(change, schemas) ?? [] })
}

async function currentSchema(driver: Driver, config: ResolvedConfig, files: Awaited<ReturnType<typeof listMigrations>>, from?: string): Promise<Schema> {
  if (from === 'dir') {
    const produced = await directorySchema(driver, config, files, await new HistoryStore(driver, config.historyTable).list())
    if (produced.error !== undefined) throw produced.error
    return produced.schema ?? emptySchema
  }
  if (from !== undefined) {
    const other = await openDriver(parseUrl(from, config.cwd))
    try {
      return await other.inspect(inspectOptions(config, driver))
    } finally {
      await other.close()
    }
  }
  const rows = await new HistoryStore(driver, config.historyTable).list()
  const applied = new Set(rows.map((row) => row.version))
  // Files at or below a baseline count as applied, though they have no row.
  const floor = baselineFloor(rows)
  const unapplied = files.filter((f) => !applied.has(f.version) && (floor === undefined || f.version > floor))
  if (unapplied.length > 0) throw unappliedError(config, driver.url.redacted, unapplied)
  return driver.inspect(inspectOptions(config, driver))
}

/** Diffing from a live database that lacks some migrations would generate them a second time. */
function unappliedError(config: ResolvedConfig, database: string, unapplied: readonly MigrationFile[]): MigratorError {
  return new MigratorError(
    'unapplied-migrations',
    `${unapplied.length} migration${unapplied.length > 1 ? 's' : ''} in ${path.relative(config.cwd, config.dir) || '.'} ` +
      `not yet applied to ${database} (first: ${unapplied[0]!.upFile}); run \`migrator up\` first, or diff with --from dir`,
  )
}
