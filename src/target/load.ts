import { readdir, readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import type { Driver, InspectOptions, ScratchDriver } from '../dialects/dialect.js'
import { NotTextError, TargetError } from '../errors.js'
import { textProblem } from '../migrations/utf8.js'
import { redactSecrets } from '../config/url.js'
import { qualifiedName, type Schema } from '../schema/model.js'
import { isDrizzleSchema, loadDrizzleTarget } from './drizzle/load.js'
import { displayPath, importModule, moduleFiles } from './module-files.js'
import { loadSchemaModule, SCHEMA_MODULE } from './module.js'
import { applyRenames, parseRenames, type DeclaredRename } from './renames.js'
import { excerpt } from './scratch-exec.js'

/** One SQL source of a target: a file and its text. */
export interface TargetSource {
  readonly file: string
  readonly sql: string
}

/** Reads a `.sql` file, or every `.sql` file of a directory in name order. */
export async function readTargetSources(target: string): Promise<TargetSource[]> {
  let info
  try {
    info = await stat(target)
  } catch {
    throw new TargetError(`target schema ${target} does not exist; create it or point --to / \`target\` at a .sql file or directory`)
  }
  const files = info.isDirectory()
    ? (await readdir(target)).filter((f) => f.endsWith('.sql')).sort().map((f) => path.join(target, f))
    : [target]
  if (!files.every((f) => f.endsWith('.sql'))) {
    throw new TargetError(`target schema ${target} is not a .sql file or a directory of .sql files`)
  }
  if (files.length === 0) throw new TargetError(`target directory ${target} holds no .sql files`)
  return Promise.all(files.map(async (file) => ({ file, sql: await readText(file) })))
}

/** A target file's text; NotTextError (file, byte offset) when it is not UTF-8 text. */
async function readText(file: string): Promise<string> {
  const bytes = await readFile(file)
  const problem = textProblem(bytes)
  if (problem !== undefined) throw new NotTextError({ code: 'target', file, ...problem, fix: 'save the target schema as UTF-8 text' })
  return bytes.toString('utf8')
}

/**
 * Loads the declared target: its SQL is applied to an empty scratch database of the live dialect and
 * inspected there, so the target and the live schema share one normal form. Declared renames
 * (`-- migrator:rename …` comments) are attached to the inspected schema. A `.ts`/`.js`/`.json`
 * schema module goes the same way (src/target/module.ts). `database` is the one the target
 * describes (the live URL's), for session commands that name it (MySQL `USE`).
 */
export async function loadTarget(
  target: string,
  scratch: ScratchDriver,
  inspectOptions: Parameters<Driver['inspect']>[0] = {},
  database?: string,
): Promise<Schema> {
  if (SCHEMA_MODULE.test(target)) return loadModuleTarget(target, scratch, inspectOptions)
  const sources = await readTargetSources(target)
  const renames: DeclaredRename[] = []
  for (const source of sources) {
    renames.push(...parseRenames(source.sql, source.file))
    await applySql(scratch, source, database)
  }
  const inspected = await scratch.inspect(inspectOptions)
  await rejectOutOfScope(target, scratch, inspectOptions, inspected)
  return applyRenames(inspected, renames, scratch.capabilities.identifierCase)
}

/**
 * A `.ts`/`.js`/`.json` target: a drizzle-orm schema (one file or a `*.ts` pattern) or one of our
 * own schema modules.
 */
async function loadModuleTarget(target: string, scratch: ScratchDriver, inspectOptions: InspectOptions): Promise<Schema> {
  const modules = await Promise.all((await moduleFiles(target)).map(importModule))
  if (isDrizzleSchema(modules)) {
    const schema = await loadDrizzleTarget(displayPath(target), modules, scratch, inspectOptions)
    await rejectOutOfScope(target, scratch, inspectOptions, schema)
    return schema
  }
  if (modules.length > 1) {
    throw new TargetError(`target ${displayPath(target)} matches ${modules.length} files but none exports a drizzle-orm table; name one schema module`)
  }
  return loadSchemaModule(modules[0]!, scratch, inspectOptions)
}

/**
 * What the target creates in namespaces outside the scope would never be diffed: a TargetError
 * naming it instead of a silent "No changes". The scope is the configured `schemas` or a URL's
 * search_path, else the database scope, which leaves some schemas out (PostgreSQL: platform-managed
 * ones such as Supabase's `auth`). Empty namespaces are not reported (a fresh database has `public`
 * whatever the scope).
 */
async function rejectOutOfScope(target: string, scratch: ScratchDriver, options: InspectOptions, inspected: Schema): Promise<void> {
  if (!scratch.capabilities.schemas) return
  const exclude = options.exclude === undefined ? {} : { exclude: options.exclude }
  const checked = options.schemas !== undefined ? { scope: options.schemas, all: await scratch.inspect(exclude) } : await beyondDatabaseScope(scratch, exclude, inspected)
  if (checked === undefined) return
  const { scope, all } = checked
  const outside = (item: { readonly schema?: string }): boolean => item.schema !== undefined && !scope.includes(item.schema)
  const items = [
    ...all.tables.filter(outside).map((t) => ({ what: `table ${qualifiedName(t)}`, schema: t.schema })),
    ...all.views.filter(outside).map((v) => ({ what: `view ${qualifiedName(v)}`, schema: v.schema })),
    ...all.objects.filter((o) => o.kind !== 'schema' && outside(o)).map((o) => ({ what: `${o.kind} ${qualifiedName(o)}`, schema: o.schema })),
  ]
  if (items.length === 0) return
  const found = items.map((i) => i.what)
  const schemas = [...new Set(items.map((i) => i.schema))]
  const more = found.length > 3 ? ` and ${found.length - 3} more` : ''
  throw new TargetError(
    `target ${path.relative(process.cwd(), target) || target} creates ${found.slice(0, 3).join(', ')}${more} outside the managed schemas (${scope.join(', ')}); ` +
      `add ${schemas.map((s) => `"${s}"`).join(', ')} to \`schemas\` in the config (or to the URL's search_path), or remove ${found.length === 1 ? 'it' : 'them'} from the target`,
  )
}

/**
 * In database scope, the schemas the inspection did not cover (it lists those it did) and what
 * they hold; undefined when there are none.
 */
async function beyondDatabaseScope(scratch: ScratchDriver, exclude: InspectOptions, inspected: Schema): Promise<{ scope: readonly string[]; all: Schema } | undefined> {
  if (scratch.listSchemas === undefined) return undefined
  const covered = inspected.objects.filter((o) => o.kind === 'schema').map((o) => o.name)
  const others = (await scratch.listSchemas()).filter((name) => !covered.includes(name))
  return others.length === 0 ? undefined : { scope: covered, all: await scratch.inspect({ ...exclude, schemas: others }) }
}

/** Executes a script statement by statement; a failure names the file, line and statement. */
export async function applySql(driver: Driver, source: TargetSource, database?: string): Promise<void> {
  const where = (line: number): string => `${path.relative(process.cwd(), source.file) || source.file}:${line}`
  for (const statement of driver.splitStatements(source.sql)) {
    const session = driver.targetSessionCommand?.(statement.sql, database)
    if (session === 'skip') continue
    if (session !== undefined) throw new TargetError(`${where(statement.line)}: ${session}`)
    try {
      await driver.db.exec(statement.sql)
    } catch (error) {
      const reason = redactSecrets(error instanceof Error ? error.message : String(error), driver.url)
      throw new TargetError(
        `${where(statement.line)}: ${reason} (in: ${excerpt(statement.sql)}); fix the target schema`,
        { cause: error },
      )
    }
  }
}
