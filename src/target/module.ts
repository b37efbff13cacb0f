import { z } from 'zod'
import type { Driver, InspectOptions, ScratchDriver } from '../dialects/dialect.js'
import { TargetError } from '../errors.js'
import { diffSchemas } from '../schema/diff.js'
import { emptySchema, type Schema, type SchemaObject } from '../schema/model.js'
import type { LoadedModule } from './module-files.js'
import { applyRenames, type DeclaredRename } from './renames.js'
import { execOnScratch } from './scratch-exec.js'

/** Every SchemaObject kind: a module `inspect --format ts` wrote must load back. */
const OBJECT_KINDS = ['schema', 'trigger', 'policy', 'enum', 'sequence', 'function', 'extension', 'domain', 'event', 'other'] as const satisfies readonly SchemaObject['kind'][]

/**
 * A schema module as a target: `export default { tables, views, objects }` in a `.ts`/`.js`/`.json`
 * file, the shape `migrator inspect --format ts` writes (src/schema/model.ts). Hand-written ones
 * need not be in the inspector's normal form: see loadSchemaModule.
 */
export const SCHEMA_MODULE = /\.(ts|mts|js|mjs|json)$/

const name = z.string({ error: 'expected a name string' }).min(1, { error: 'expected a name, got an empty string' })
const names = z.array(name, { error: 'expected an array of column names' }).min(1, { error: 'expected at least one column name' })
const sql = (what: string) => z.string({ error: `expected ${what} as a SQL string` }).min(1, { error: `expected ${what}, got an empty string` })
const options = z.record(z.string(), z.union([z.string(), z.boolean()]), { error: 'expected an object of string or boolean options' })
const action = z.enum(['NO ACTION', 'RESTRICT', 'CASCADE', 'SET NULL', 'SET DEFAULT'], {
  error: 'expected NO ACTION, RESTRICT, CASCADE, SET NULL or SET DEFAULT',
})

const column = z.strictObject({
  name,
  type: z.string({ error: 'expected a SQL type string such as "integer" or "varchar(20)"' }).min(1, { error: 'expected a SQL type, got an empty string' }),
  // As in CREATE TABLE: a column is nullable unless it says otherwise.
  nullable: z.boolean({ error: 'expected true or false' }).default(true),
  default: sql('a default expression').optional(),
  generated: z.strictObject({ expression: sql('the generation expression'), stored: z.boolean({ error: 'expected true or false' }) }).optional(),
  identity: z.strictObject({ always: z.boolean({ error: 'expected true or false' }) }).optional(),
  collation: name.optional(),
  comment: z.string({ error: 'expected a string' }).optional(),
  renamedFrom: name.optional(),
  options: options.optional(),
})

const indexPart = z
  .strictObject({
    column: name.optional(),
    expression: sql('an index expression').optional(),
    desc: z.boolean({ error: 'expected true or false' }).optional(),
    collation: name.optional(),
    options: options.optional(),
  })
  .refine((part) => (part.column === undefined) !== (part.expression === undefined), { error: 'expected exactly one of column and expression' })

const table = z.strictObject({
  schema: name.optional(),
  name,
  renamedFrom: name.optional(),
  columns: z.array(column, { error: 'expected an array of columns' }),
  primaryKey: z.strictObject({ name: name.optional(), columns: names }).optional(),
  indexes: z
    .array(
      z.strictObject({
        name,
        parts: z.array(indexPart, { error: 'expected an array of index parts ({ column } or { expression })' }).min(1, { error: 'expected at least one index part' }),
        unique: z.boolean({ error: 'expected true or false' }).default(false),
        where: sql('a predicate').optional(),
        method: name.optional(),
        options: options.optional(),
      }),
      { error: 'expected an array of indexes' },
    )
    .default([]),
  uniques: z.array(z.strictObject({ name: name.optional(), columns: names }), { error: 'expected an array of unique constraints' }).default([]),
  foreignKeys: z
    .array(
      z.strictObject({
        name: name.optional(),
        columns: names,
        refSchema: name.optional(),
        refTable: name,
        refColumns: names,
        onDelete: action.default('NO ACTION'),
        onUpdate: action.default('NO ACTION'),
        deferrable: z.enum(['IMMEDIATE', 'DEFERRED'], { error: 'expected IMMEDIATE or DEFERRED' }).optional(),
        options: options.optional(),
      }),
      { error: 'expected an array of foreign keys' },
    )
    .default([]),
  checks: z.array(z.strictObject({ name: name.optional(), expression: sql('a check expression'), options: options.optional() }), { error: 'expected an array of checks' }).default([]),
  comment: z.string({ error: 'expected a string' }).optional(),
  options: options.default({}),
})

const schemaModule = z.strictObject(
  {
    tables: z.array(table, { error: 'expected an array of tables' }).default([]),
    views: z
      .array(
        z.strictObject({ schema: name.optional(), name, definition: sql('the view definition'), materialized: z.boolean({ error: 'expected true or false' }).optional(), options: options.optional() }),
        { error: 'expected an array of views' },
      )
      .default([]),
    objects: z
      .array(
        z.strictObject({
          kind: z.enum(OBJECT_KINDS, { error: `expected ${OBJECT_KINDS.join(', ')}` }),
          schema: name.optional(),
          name,
          table: name.optional(),
          definition: sql('the definition'),
          options: options.optional(),
        }),
        { error: 'expected an array of objects' },
      )
      .default([]),
  },
  { error: 'expected a default export holding the schema object ({ tables, views?, objects? })' },
)

/**
 * What a schema module may export: the Schema model with its defaults optional (`nullable`, the
 * arrays, `options`, …). `export default { … } satisfies SchemaModule` type-checks a hand-written one.
 */
export type SchemaModule = z.input<typeof schemaModule>

/**
 * Loads a schema module as a target. It is validated (TargetError naming the file and the path of
 * each bad field), omitted arrays become empty, and it is then put in the live database's normal
 * form the way a `.sql` target is: created on the empty scratch database of the same dialect (as
 * `inspect --format sql` would print it) and inspected there. So `type: 'INTEGER'` and `'integer'`,
 * `varchar(20)` and `character varying(20)`, a default `'x'` and `'x'::text` compare equal, as they
 * do in the database. Declared renames (`renamedFrom`) are attached to the inspected schema.
 */
export async function loadSchemaModule(module: LoadedModule, scratch: ScratchDriver, inspectOptions: InspectOptions = {}): Promise<Schema> {
  const declared = parseSchemaModule('default' in module.exports ? module.exports.default : module.exports, module.file)
  await createOn(scratch, withoutRenames(declared), module.file)
  return applyRenames(await scratch.inspect(inspectOptions), declaredRenames(declared, module.file))
}

/** The module's schema with every optional array filled in; TargetError listing each bad field. */
export function parseSchemaModule(loaded: unknown, file: string): Schema {
  const result = schemaModule.safeParse(loaded)
  if (result.success) return result.data
  const problems = result.error.issues.map((issue) => describeIssue(issue, loaded))
  const shown = problems.slice(0, 5).join('; ')
  const more = problems.length > 5 ? `; and ${problems.length - 5} more` : ''
  throw new TargetError(`target schema module ${file}: ${shown}${more}; fix the module (its format: \`migrator inspect --format ts\` writes one)`)
}

/** `tables[0].columns[2].type: expected a SQL type string …, got 42`. */
function describeIssue(issue: z.core.$ZodIssue, loaded: unknown): string {
  const where = issue.path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`)).join('')
  const label = where === '' ? '' : `${where}: `
  if (issue.code === 'unrecognized_keys') return `${label}unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`
  return `${label}${issue.message}${issue.message.includes(', got ') ? '' : `, got ${describeValue(valueAt(loaded, issue.path))}`}`
}

function valueAt(value: unknown, keys: readonly PropertyKey[]): unknown {
  let current = value
  for (const key of keys) {
    if (current === null || typeof current !== 'object') return undefined
    current = (current as Record<PropertyKey, unknown>)[key]
  }
  return current
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 39)}…` : value)
  if (Array.isArray(value)) return 'an array'
  if (value === null) return 'null'
  return typeof value === 'object' ? 'an object' : typeof value === 'function' ? 'a function' : String(value)
}

/** Renames refer to the live database, not to the empty scratch one the schema is created on. */
function withoutRenames(schema: Schema): Schema {
  return {
    ...schema,
    tables: schema.tables.map(({ renamedFrom: _table, ...table }) => ({ ...table, columns: table.columns.map(({ renamedFrom: _column, ...column }) => column) })),
  }
}

function declaredRenames(schema: Schema, file: string): DeclaredRename[] {
  return schema.tables.flatMap((table, t) => {
    const qualified = table.schema === undefined ? table.name : `${table.schema}.${table.name}`
    const renames: DeclaredRename[] = table.columns.flatMap((column, c) =>
      column.renamedFrom === undefined ? [] : [{ kind: 'column' as const, table: qualified, from: column.renamedFrom, to: column.name, where: `${file}: tables[${t}].columns[${c}]` }],
    )
    return table.renamedFrom === undefined ? renames : [{ kind: 'table' as const, table: qualified, from: table.renamedFrom, to: table.name, where: `${file}: tables[${t}]` }, ...renames]
  })
}

/**
 * Creates `schema` on the empty scratch database, its namespaces first (PostgreSQL schemas; `public`
 * is there already); a statement the database refuses names the module.
 */
async function createOn(scratch: Driver, schema: Schema, file: string): Promise<void> {
  const { changes } = diffSchemas(emptySchema, schema, { capabilities: scratch.capabilities })
  const namespaces = new Set([...schema.tables, ...schema.views, ...schema.objects].flatMap((item) => (item.schema === undefined ? [] : [item.schema])))
  const create = scratch.schemaStatements?.bind(scratch)
  const statements = [
    ...(create === undefined ? [] : [...namespaces].sort().map((name) => create(name).create)),
    ...scratch.plan(changes, { current: emptySchema, desired: schema }).statements.map((statement) => statement.sql),
  ]
  await execOnScratch(scratch, statements, `target schema module ${file}`, 'what it declares')
}
