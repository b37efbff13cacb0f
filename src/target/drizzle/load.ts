import { createRequire } from 'node:module'
import path from 'node:path'
import { z } from 'zod'
import type { InspectOptions, ScratchDriver } from '../../dialects/dialect.js'
import { TargetError } from '../../errors.js'
import type { Schema } from '../../schema/model.js'
import type { LoadedModule } from '../module-files.js'
import { execOnScratch } from '../scratch-exec.js'
import { applyRenames, type DeclaredRename } from '../renames.js'
import { runDrizzleKit } from './guard.js'
import type { DrizzleCasing, DrizzleKitApi, DrizzleTableKind } from './dialect.js'

const ENTITY_KIND = Symbol.for('drizzle:entityKind')
const TABLE_KINDS: Readonly<Record<DrizzleTableKind, string>> = { PgTable: 'PostgreSQL', MySqlTable: 'MySQL/MariaDB', SQLiteTable: 'SQLite' }

/**
 * The drizzle-orm table kind of `value` (`PgTable`), read from drizzle's entity kinds along its
 * class chain the way drizzle's own `is()` does, so any copy of drizzle-orm is recognised.
 */
function tableKind(value: unknown): DrizzleTableKind | undefined {
  if (value === null || typeof value !== 'object') return undefined
  for (let type = (value as { constructor?: unknown }).constructor; typeof type === 'function'; type = Object.getPrototypeOf(type)) {
    const kind = (type as unknown as Record<symbol, unknown>)[ENTITY_KIND]
    if (typeof kind === 'string' && kind in TABLE_KINDS) return kind as DrizzleTableKind
  }
  return undefined
}

/** Whether a module target is a drizzle-orm schema: some file exports a drizzle table. */
export function isDrizzleSchema(modules: readonly LoadedModule[]): boolean {
  return modules.some((module) => Object.values(module.exports).some((value) => tableKind(value) !== undefined))
}

const name = z.string({ error: 'expected a name string' }).min(1, { error: 'expected a name, got an empty string' })
const renameList = z.array(
  z.union([z.strictObject({ table: name, from: name, to: name }), z.strictObject({ from: name, to: name })], {
    error: 'expected { table, from, to } (a column) or { from, to } (a table)',
  }),
  { error: 'expected an array of renames' },
)
const casing = z.enum(['snake_case', 'camelCase'], { error: "expected 'snake_case' or 'camelCase'" })

/**
 * Loads a drizzle-orm schema (one file or several) as the target: drizzle-kit generates the SQL
 * that creates it on an empty database, that SQL runs on the empty scratch database and the
 * result is inspected there, so drizzle's rules (names, defaults, identity, enums) are drizzle's own
 * and the target is in the live database's normal form. Besides drizzle's entities the files may
 * export `renames` (declared renames: `{ table, from, to }` for a column, `{ from, to }` for a table,
 * names as in the database) and `casing` (drizzle's `casing` option). `shown` is the target as
 * messages name it.
 */
export async function loadDrizzleTarget(shown: string, modules: readonly LoadedModule[], scratch: ScratchDriver, inspectOptions: InspectOptions): Promise<Schema> {
  const dialect = scratch.drizzle
  if (dialect === undefined) throw new TargetError(`target ${shown}: drizzle-orm schemas are not supported for ${scratch.dialect}`)
  const imports: Record<string, unknown> = {}
  for (const module of modules) {
    for (const [key, value] of Object.entries(module.exports)) {
      const kind = tableKind(value)
      if (kind !== undefined && kind !== dialect.tableKind) {
        throw new TargetError(
          `target ${module.file}: ${key} is a ${TABLE_KINDS[kind]} table, but the database is ${TABLE_KINDS[dialect.tableKind]}; declare it with ${dialect.tableFunction}`,
        )
      }
      // Keys are unique per file only; drizzle-kit reads the values.
      imports[`${module.file}#${key}`] = value
    }
  }
  const declaredCasing = singleCasing(modules)
  const kit = loadDrizzleKit(modules[0]!.file)
  const statements = await runDrizzleKit(shown, () => dialect.createStatements(kit, imports, declaredCasing))
  await execOnScratch(scratch, statements, `target ${shown}`, 'the SQL drizzle-kit generates for it')
  return applyRenames(await scratch.inspect(inspectOptions), modules.flatMap(declaredRenames), scratch.capabilities.identifierCase)
}

function singleCasing(modules: readonly LoadedModule[]): DrizzleCasing | undefined {
  const declared = modules.filter((m) => m.exports.casing !== undefined)
  const values = declared.map((m) => {
    const parsed = casing.safeParse(m.exports.casing)
    if (!parsed.success) throw new TargetError(`target ${m.file}: casing: ${parsed.error.issues[0]!.message}, got ${JSON.stringify(m.exports.casing)}`)
    return parsed.data
  })
  if (new Set(values).size > 1) throw new TargetError(`target ${declared.map((m) => m.file).join(', ')}: export different casings (${values.join(', ')}); export one`)
  return values[0]
}

function declaredRenames(module: LoadedModule): DeclaredRename[] {
  if (module.exports.renames === undefined) return []
  const parsed = renameList.safeParse(module.exports.renames)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const where = issue.path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('')
    throw new TargetError(`target ${module.file}: renames${where}: ${issue.message}; see "drizzle-orm users" in the README`)
  }
  return parsed.data.map((rename, i) => {
    const where = `${module.file}: renames[${i}]`
    return 'table' in rename
      ? { kind: 'column', table: rename.table, from: rename.from, to: rename.to, where }
      : { kind: 'table', table: rename.to, from: rename.from, to: rename.to, where }
  })
}

/**
 * drizzle-kit's API, resolved from the schema's own directory: it is the user's package (a peer
 * dependency) and must read the same drizzle-orm the schema is built with.
 */
function loadDrizzleKit(file: string): DrizzleKitApi {
  try {
    return createRequire(path.resolve(file))('drizzle-kit/api') as DrizzleKitApi
  } catch (error) {
    throw new TargetError(`target ${file} is a drizzle-orm schema, but drizzle-kit cannot be loaded from its directory; install it (npm install -D drizzle-kit)`, {
      cause: error,
    })
  }
}
