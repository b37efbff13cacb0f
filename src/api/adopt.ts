import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { ResolvedConfig } from '../config/schema.js'
import type { Driver } from '../dialects/dialect.js'
import { MigratorError } from '../errors.js'
import { formatVersion, listMigrationEntries, readDirectory, SUM_FILE } from '../migrations/directory.js'
import { writeSum } from '../migrations/sum.js'
import { renderMigration } from '../migrations/write.js'
import { HistoryStore } from '../runner/history.js'
import { changeFingerprint, schemaFingerprint } from '../safety/fingerprint.js'
import { diffSchemas } from '../schema/diff.js'
import type { Schema, SchemaObject } from '../schema/model.js'
import type { Statement } from '../schema/plan.js'
import { loadTarget } from '../target/load.js'
import { toolVersion } from '../version.js'
import { renderSchema } from './inspect.js'
import { replaySchema } from './replay.js'
import { appliedBy, inspectOptions, withDriver, withScratch } from './session.js'

/** The slug of the migration `init --from-live` writes. */
export const BASELINE_SLUG = 'baseline'

export interface AdoptOptions {
  /** Clock for the baseline's version; tests pin it. */
  readonly now?: Date
  /**
   * A config file to write with the rest (absent: the project has one already, whose `schemas`
   * are adopted). Where the dialect has schemas, adoption then takes every schema of the database
   * that holds something, and `text` gets them (undefined: only the default one).
   */
  readonly configFile?: { readonly path: string; readonly text: (schemas: readonly string[] | undefined) => string }
  /**
   * The target file's text that counts as "nothing declared yet" (what plain `migrator init`
   * scaffolds): such a file is replaced, any other existing target is refused.
   */
  readonly scaffoldTarget?: string
}

export interface AdoptOutcome {
  readonly database: string
  readonly version: string
  /** Files written, absolute, in the order they were written. */
  readonly written: readonly string[]
  /** What the live schema holds. */
  readonly tables: number
  readonly views: number
  readonly objects: number
}

/**
 * Adopts an existing database (`migrator init --from-live`): writes the target schema file from the
 * live schema, a baseline migration pair that recreates it from empty, migrator.sum (and the config
 * file when given), then records the baseline in the live database's history as `baseline` (nothing
 * of it runs there). Before writing anything it replays the baseline and loads the target on scratch
 * databases and refuses when either differs from the live schema, so `diff --check` and `status
 * --check` are clean right after. Refuses, with nothing written, when the directory holds migrations,
 * the target file exists (other than the untouched scaffold), the database already has history, or
 * the database is empty.
 */
export async function adoptLive(given: ResolvedConfig, options: AdoptOptions = {}): Promise<AdoptOutcome> {
  const target = given.target ?? path.join(given.cwd, 'schema.sql')
  const format = targetFormat(given, target)
  await refuseExistingMigrations(given)
  await refuseExistingTarget(given, target, options.scaffoldTarget)
  return withDriver(given, async (driver) => {
    const history = new HistoryStore(driver, given.historyTable)
    const rows = await history.list()
    if (rows.length > 0) {
      throw adoptError(`${driver.url.redacted} already has ${rows.length} row${rows.length === 1 ? '' : 's'} in ${given.historyTable}: it is managed by migrator already; run \`migrator status\``)
    }
    const schemas = options.configFile === undefined ? undefined : await usedSchemas(driver, given)
    const config = schemas === undefined ? given : { ...given, schemas }
    const live = await driver.inspect(inspectOptions(config, driver))
    const scope = inspectOptions(config, driver).schemas ?? []
    // What a new database inspects as (PostgreSQL reports its `public` schema): the baseline's start.
    const base = await replaySchema(driver, config, [])
    if (diffSchemas(base, live, { capabilities: driver.capabilities }).changes.length === 0) {
      throw adoptError(`${driver.url.redacted} holds no tables, views or other objects${driver.capabilities.schemas && scope.length > 0 ? ` in schema${scope.length === 1 ? '' : 's'} ${scope.join(', ')}` : ''}; there is nothing to adopt: run \`migrator init\` to start from scratch`)
    }
    const version = formatVersion(options.now ?? new Date())
    const created = createdSchemas(driver, config, live)
    // A schema module cannot hold CREATE SCHEMA: with schemas to create, its scratch load fails the check below.
    const creates = format === 'sql' ? created.map((s) => `${s.sql};\n\n`).join('') : ''
    const schemaText = `${schemaHeader(driver, format)}\n${creates}${renderSchema(driver, live, format)}`
    const verified = await verifyRoundTrip(driver, config, live, { version, schemaText, format, created, base })
    const { up, down } = baselineFiles(driver, base, live, version, created, verified.fingerprintHolds)

    const written: string[] = []
    const write = async (file: string, text: string, flag: 'wx' | 'w' = 'wx') => {
      await mkdir(path.dirname(file), { recursive: true })
      await writeFile(file, text, { flag })
      written.push(file)
    }
    const replacesScaffold = existsSync(target)
    const hadSum = existsSync(path.join(config.dir, SUM_FILE))
    try {
      if (options.configFile !== undefined) {
        const own = schemas === undefined || sameList(schemas, given.schemas ?? []) ? undefined : schemas
        await write(options.configFile.path, options.configFile.text(own))
      }
      // The scaffold (checked above) is the one existing file this replaces.
      await write(target, schemaText, replacesScaffold ? 'w' : 'wx')
      await write(path.join(config.dir, `${version}_${BASELINE_SLUG}.up.sql`), up)
      await write(path.join(config.dir, `${version}_${BASELINE_SLUG}.down.sql`), down)
      await writeSum(config.dir)
      const [file] = await readDirectory(config.dir)
      await history.ensure()
      await history.write(driver.db, {
        version, name: BASELINE_SLUG, checksum: file!.checksum, downChecksum: file!.downChecksum, status: 'applied', baseline: true,
        appliedAt: new Date().toISOString(), executionMs: 0, appliedBy: appliedBy(), statementsApplied: 0, toolVersion,
      })
    } catch (error) {
      // Half an adoption (files without the history row) would make `up` recreate live tables.
      for (const file of written.reverse()) {
        if (file === target && replacesScaffold) await writeFile(file, options.scaffoldTarget ?? '')
        else await rm(file, { force: true })
      }
      if (hadSum) await writeSum(config.dir)
      else await rm(path.join(config.dir, SUM_FILE), { force: true })
      throw error
    }
    written.push(path.join(config.dir, SUM_FILE))
    return { database: driver.url.redacted, version, written, tables: live.tables.length, views: live.views.length, objects: live.objects.length }
  }, { readOnly: true })
}

function adoptError(message: string): MigratorError {
  return new MigratorError('adopt', `init --from-live: ${message}; nothing was written`)
}

function targetFormat(config: ResolvedConfig, target: string): 'sql' | 'ts' {
  if (target.endsWith('.sql')) return 'sql'
  if (target.endsWith('.ts')) return 'ts'
  throw adoptError(`target ${path.relative(config.cwd, target)} is not a .sql or .ts file; point --to (or \`target\`) at the file to write, e.g. ./schema.sql`)
}

async function refuseExistingMigrations(config: ResolvedConfig): Promise<void> {
  if (!existsSync(config.dir)) return
  const entries = await listMigrationEntries(config.dir)
  if (entries.length === 0) return
  throw adoptError(
    `${path.relative(config.cwd, config.dir) || '.'} already holds ${entries.length} migration file${entries.length === 1 ? '' : 's'} (first: ${entries[0]!.name}); ` +
      'adoption starts a new directory: pass --dir <empty directory>, or record the existing migrations as applied with `migrator baseline <version>`',
  )
}

async function refuseExistingTarget(config: ResolvedConfig, target: string, scaffold: string | undefined): Promise<void> {
  if (!existsSync(target)) return
  const text = await readFile(target, 'utf8').catch(() => undefined)
  if (scaffold !== undefined && text === scaffold) return
  throw adoptError(`${path.relative(config.cwd, target)} exists and would be overwritten; move it away, or pass --to <new file>`)
}

function schemaHeader(driver: Driver, format: 'sql' | 'ts'): string {
  const comment = format === 'sql' ? '--' : '//'
  return [
    `${comment} The declared target schema, read from ${driver.url.redacted} by \`migrator init --from-live\`.`,
    `${comment} Edit it to describe the schema you want, then run \`migrator diff <name>\`.`,
    '',
  ].join('\n')
}

/**
 * Where the dialect has schemas: every schema in the default scope holding a table, view or object
 * (adoption writes them into the config), or the configured ones when none does. The default scope
 * leaves out what a platform or an extension manages (PostgreSQL: Supabase's `auth`, say): written
 * into `schemas`, those would be managed, and a target without them would drop them.
 */
async function usedSchemas(driver: Driver, config: ResolvedConfig): Promise<readonly string[] | undefined> {
  if (!driver.capabilities.schemas) return undefined
  const all = await driver.inspect(inspectOptions(config, driver))
  const used = new Set([...all.tables, ...all.views, ...all.objects].flatMap((item) => (item.schema === undefined ? [] : [item.schema])))
  return used.size === 0 ? undefined : [...used].sort()
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i])
}

/**
 * Statements creating the configured schemas the live schema does not list as objects of its own
 * (where the dialect inspects namespaces, it creates them itself), for the baseline and the target
 * file: the planner creates objects in schemas.
 */
function createdSchemas(driver: Driver, config: ResolvedConfig, live: Schema): Statement[] {
  if (!driver.capabilities.schemas || driver.schemaStatements === undefined) return []
  const statements = driver.schemaStatements.bind(driver)
  const inspected = new Set(live.objects.filter((o) => o.kind === 'schema').map((o) => o.name))
  return (config.schemas ?? [])
    .filter((name) => !inspected.has(name))
    .map((name) => {
      const { create, drop } = statements(name)
      const object: SchemaObject = { kind: 'schema', name, definition: create }
      return { sql: create, reverse: [drop], source: { kind: 'createObject', object }, risks: [], comment: `create schema ${name}` }
    })
}

/** The baseline pair: every statement that builds the live schema from a new database (`base`), and the reverse. */
function baselineFiles(driver: Driver, base: Schema, live: Schema, version: string, created: readonly Statement[], withFingerprint: boolean): { up: string; down: string } {
  const { changes } = diffSchemas(base, live, { capabilities: driver.capabilities })
  const planned = driver.plan(changes, { current: base, desired: live })
  const plan = { ...planned, statements: [...created, ...planned.statements] }
  return renderMigration(plan, {
    name: BASELINE_SLUG,
    version,
    toolVersion,
    notes: [
      `baseline of ${driver.url.redacted}: recorded there as applied without running; a new empty database gets its schema from this file`,
      'the down file drops everything the up creates, with the rows in it',
    ],
    ...(withFingerprint ? { expectChanges: changeFingerprint(base, live, driver.capabilities) } : {}),
  })
}

/**
 * Replays the baseline and loads the target text on scratch databases; both must give the live
 * schema back, or adoption would leave `status`/`diff` reporting changes (or a fresh database
 * different from the live one). Also says whether the baseline reproduces the live schema's
 * fingerprint exactly, so its `expect-schema` line holds on a fresh database.
 */
async function verifyRoundTrip(
  driver: Driver,
  config: ResolvedConfig,
  live: Schema,
  texts: { version: string; schemaText: string; format: 'sql' | 'ts'; created: readonly Statement[]; base: Schema },
): Promise<{ fingerprintHolds: boolean }> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'migrator-adopt-'))
  try {
    const dir = path.join(tmp, 'migrations')
    await mkdir(dir)
    const { up, down } = baselineFiles(driver, texts.base, live, texts.version, texts.created, false)
    await writeFile(path.join(dir, `${texts.version}_${BASELINE_SLUG}.up.sql`), up)
    await writeFile(path.join(dir, `${texts.version}_${BASELINE_SLUG}.down.sql`), down)
    const targetFile = path.join(tmp, `schema.${texts.format}`)
    await writeFile(targetFile, texts.schemaText)
    let replayed: Schema
    let declared: Schema
    try {
      replayed = await replaySchema(driver, { ...config, dir }, await readDirectory(dir))
      declared = await withScratch(driver, config, (scratch) => loadTarget(targetFile, scratch, inspectOptions(config, driver)))
    } catch (error) {
      if (!(error instanceof MigratorError)) throw error
      throw adoptError(`the schema read from ${driver.url.redacted} does not rebuild on an empty database (${error.message})`)
    }
    const missing = [...differences(driver, replayed, live), ...differences(driver, declared, live)]
    if (missing.length > 0) {
      throw adoptError(`migrator cannot reproduce every part of the live schema yet (a new database would still need: ${[...new Set(missing)].join('; ')})`)
    }
    return { fingerprintHolds: schemaFingerprint(replayed) === schemaFingerprint(live) }
  } finally {
    await rm(tmp, { recursive: true, force: true })
  }
}

function differences(driver: Driver, from: Schema, to: Schema): string[] {
  const { changes } = diffSchemas(from, to, { capabilities: driver.capabilities })
  return driver.plan(changes, { current: from, desired: to }).statements.map((s) => s.comment)
}
