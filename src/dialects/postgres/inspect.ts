import type { Db } from '../../db.js'
import type { InspectOptions } from '../dialect.js'
import type { Check, Column, ForeignKey, Index, Schema, SchemaObject, Table, Unique, View } from '../../schema/model.js'
import {
  AGGREGATES,
  COLUMNS,
  CONSTRAINTS,
  EXTENSIONS,
  FUNCTIONS,
  OPERATORS,
  POLICIES,
  SCHEMAS,
  SEQUENCES,
  TABLES,
  TYPES,
  VIEWS,
  indexesQuery,
  triggersQuery,
} from './queries.js'
import type { ServerFeatures } from './queries.js'
import {
  checkExpression,
  enumDefinition,
  normalizeDefault,
  parseIndex,
  referentialAction,
  sequenceDefinition,
  serialKind,
} from './normalize.js'
import type { IndexRow, SequenceRow } from './normalize.js'
import { quoteIdent, quoteLiteral } from './quote.js'
import { groupBy } from '../../schema/group-by.js'
import { policyObject, type PolicyRow } from './policy.js'
import { databaseSchemas } from './scope.js'
import { identityOptions, type SequenceValues } from './identity.js'

interface TableRow {
  oid: string
  schema: string
  name: string
  kind: string
  persistence: string
  is_partition: boolean
  partition_by: string | null
  partition_bound: string | null
  parent_schema: string | null
  parent_name: string | null
  reloptions: string | null
  row_security: boolean
  force_row_security: boolean
  comment: string | null
}
interface ColumnRow {
  table_oid: string
  name: string
  type: string
  not_null: boolean
  default_expr: string | null
  identity: string
  generated: string
  collation: string | null
  comment: string | null
  serial_seq: string | null
  identity_seq: SequenceValues | null
}
interface ConstraintRow {
  table_oid: string
  name: string
  type: string
  columns: string[]
  ref_schema: string | null
  ref_table: string | null
  ref_columns: string[]
  on_update: string
  on_delete: string
  match_type: string
  deferrable: boolean
  deferred: boolean
  validated: boolean
  no_inherit: boolean
  definition: string
  comment: string | null
}
interface IndexQueryRow extends IndexRow {
  table_oid: string
  table_kind: string
  schema: string
  table_name: string
  definition: string
}
interface ViewRow {
  schema: string
  name: string
  kind: string
  definition: string
  reloptions: string | null
  comment: string | null
}
interface TypeRow {
  schema: string
  name: string
  kind: string
  labels: string[]
  base_type: string
  not_null: boolean
  default_expr: string | null
  checks: string[]
  comment: string | null
}
interface FunctionRow {
  schema: string
  name: string
  args: string
  kind: string
  definition: string
  comment: string | null
}
interface AggregateRow {
  schema: string
  name: string
  args: string
  sfunc: string
  stype: string
  finalfunc: string | null
  combinefunc: string | null
  initcond: string | null
  sortop: string | null
  comment: string | null
}
interface OperatorRow {
  schema: string
  name: string
  function: string
  left_type: string | null
  right_type: string | null
  commutator: string | null
  negator: string | null
  restrict: string | null
  join_fn: string | null
}
interface TriggerRow {
  schema: string
  table_name: string
  name: string
  definition: string
  comment: string | null
}

/** Raw catalog rows: the result of the fixed set of queries, before parsing. */
export interface CatalogRows {
  readonly schemas: { name: string; comment: string | null }[]
  readonly tables: TableRow[]
  readonly columns: ColumnRow[]
  readonly constraints: ConstraintRow[]
  readonly indexes: IndexQueryRow[]
  readonly views: ViewRow[]
  readonly sequences: (SequenceRow & { oid: string })[]
  readonly types: TypeRow[]
  readonly extensions: { name: string; schema: string }[]
  readonly functions: FunctionRow[]
  readonly aggregates: AggregateRow[]
  readonly operators: OperatorRow[]
  readonly triggers: TriggerRow[]
  readonly policies: PolicyRow[]
}

/** Runs the catalog queries: always the same 14, whatever the number of tables. */
export async function readCatalog(db: Db, schemas: readonly string[], features: ServerFeatures): Promise<CatalogRows> {
  const p = [schemas]
  return {
    schemas: await db.query<{ name: string; comment: string | null }>(SCHEMAS, p),
    tables: await db.query<TableRow>(TABLES, p),
    columns: await db.query<ColumnRow>(COLUMNS, p),
    constraints: await db.query<ConstraintRow>(CONSTRAINTS, p),
    indexes: await db.query<IndexQueryRow>(indexesQuery(features), p),
    views: await db.query<ViewRow>(VIEWS, p),
    sequences: await db.query<SequenceRow & { oid: string }>(SEQUENCES, p),
    types: await db.query<TypeRow>(TYPES, p),
    extensions: await db.query<{ name: string; schema: string }>(EXTENSIONS, p),
    functions: await db.query<FunctionRow>(FUNCTIONS, p),
    aggregates: await db.query<AggregateRow>(AGGREGATES, p),
    operators: await db.query<OperatorRow>(OPERATORS, p),
    triggers: await db.query<TriggerRow>(triggersQuery(features), p),
    policies: await db.query<PolicyRow>(POLICIES, p),
  }
}

/**
 * Inspects the given schemas (default: every user schema of the database) into the model's normal
 * form. Types, defaults and definitions print schema-qualified unless their schema is on the
 * search_path, so the path is pinned while reading: to `searchPath`, the path the session had when
 * it connected (the one migrations run under, so a name printed bare resolves there the same way;
 * a scratch database gets the live one), or else to the inspected schemas. Either way a database
 * inspects the same whatever its session did before (a target file may empty the path, as pg_dump
 * output does).
 */
export async function inspect(db: Db, features: ServerFeatures, options: InspectOptions = {}, searchPath?: string): Promise<Schema> {
  const schemas = options.schemas !== undefined && options.schemas.length > 0 ? options.schemas : await databaseSchemas(db)
  // jit (11+; NULL before) is off while reading: the planner's estimates for the catalog queries
  // grow past jit_above_cost with the schema, and compiling took seconds where the queries take
  // milliseconds (the index query right after 300 tables were created: 6 s, 40 ms without).
  const [saved] = await db.query<{ path: string; jit: string | null }>("SELECT current_setting('search_path') AS path, current_setting('jit', true) AS jit")
  const pin = (path: string, jit: string | null | undefined) =>
    jit === null || jit === undefined
      ? db.query("SELECT set_config('search_path', ?, false)", [path])
      : db.query("SELECT set_config('search_path', ?, false), set_config('jit', ?, false)", [path, jit])
  await pin(searchPath ?? schemas.map(quoteIdent).join(', '), saved?.jit === null ? null : 'off')
  try {
    const rows = await readCatalog(db, schemas, features)
    return parseCatalog(options.bound === true ? { ...rows, schemas: [] } : rows, options.exclude ?? [])
  } finally {
    await pin(saved?.path ?? '', saved?.jit)
  }
}

/** The parse step: pure, from catalog rows to Schema. */
export function parseCatalog(rows: CatalogRows, exclude: readonly string[]): Schema {
  const excluded = (schema: string, name: string): boolean => exclude.includes(name) || exclude.includes(`${schema}.${name}`)
  const columnsByTable = groupBy(rows.columns, (r) => String(r.table_oid))
  const constraintsByTable = groupBy(rows.constraints, (r) => String(r.table_oid))
  const indexesByTable = groupBy(
    rows.indexes.filter((r) => r.table_kind !== 'm'),
    (r) => String(r.table_oid),
  )
  const serialSequences = new Set(rows.columns.filter((c) => c.serial_seq !== null).map((c) => String(c.serial_seq)))

  const tables: Table[] = []
  for (const t of rows.tables) {
    if (excluded(t.schema, t.name)) continue
    const oid = String(t.oid)
    const columns = (columnsByTable.get(oid) ?? []).map(parseColumn)
    const constraints = constraintsByTable.get(oid) ?? []
    const pk = constraints.find((c) => c.type === 'p')
    const uniques: Unique[] = constraints.filter((c) => c.type === 'u').map(parseUnique)
    const checks: Check[] = constraints
      .filter((c) => c.type === 'c')
      .map((c) => ({
        name: c.name,
        expression: checkExpression(c.definition),
        ...withOptions({ ...(c.no_inherit ? { noInherit: true } : {}), ...commentOf(c.comment) }),
      }))
    const foreignKeys: ForeignKey[] = constraints.filter((c) => c.type === 'f').map(parseForeignKey)
    // Exclusion constraints have no place in the model; they travel as their full definition.
    const exclusions = constraints.filter((c) => c.type === 'x')
    const indexes: Index[] = (indexesByTable.get(oid) ?? []).map(parseIndex)
    const options: Record<string, string | boolean> = {}
    if (t.persistence === 'u') options.unlogged = true
    if (t.partition_by !== null) options.partitionBy = t.partition_by
    if (t.is_partition && t.parent_name !== null) {
      options.partitionOf = `${quoteIdent(t.parent_schema ?? t.schema)}.${quoteIdent(t.parent_name)}`
      options.partitionBound = t.partition_bound ?? 'DEFAULT'
    }
    if (t.reloptions) options.with = t.reloptions
    if (t.row_security) options.rowSecurity = true
    if (t.force_row_security) options.forceRowSecurity = true
    for (const x of exclusions) options[`exclude:${x.name}`] = x.definition
    tables.push({
      schema: t.schema,
      name: t.name,
      columns,
      ...(pk === undefined ? {} : { primaryKey: { name: pk.name, columns: pk.columns, ...withOptions(commentOf(pk.comment)) } }),
      indexes,
      uniques,
      foreignKeys,
      checks,
      ...(t.comment === null ? {} : { comment: t.comment }),
      options,
    })
  }

  // Indexes of a materialized view live and die with it: they travel in its options (`index:<name>`).
  const viewIndexes = groupBy(
    rows.indexes.filter((r) => r.table_kind === 'm'),
    (r) => `${r.schema}.${r.table_name}`,
  )
  const views: View[] = rows.views
    .filter((v) => !excluded(v.schema, v.name))
    .map((v) => {
      const options: Record<string, string> = {}
      for (const i of viewIndexes.get(`${v.schema}.${v.name}`) ?? []) options[`index:${i.name}`] = i.definition
      if (v.reloptions) options.with = v.reloptions
      if (v.comment !== null) options.comment = v.comment
      return {
        schema: v.schema,
        name: v.name,
        definition: v.definition.trim().replace(/;$/, ''),
        ...(v.kind === 'm' ? { materialized: true } : {}),
        ...(Object.keys(options).length > 0 ? { options } : {}),
      }
    })

  const objects: SchemaObject[] = []
  for (const n of rows.schemas) {
    // A fresh database's `public` carries this comment: it is no declaration of the target's.
    const comment = n.name === 'public' && n.comment === 'standard public schema' ? null : n.comment
    objects.push({
      kind: 'schema',
      name: n.name,
      definition: `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(n.name)}`,
      ...(comment === null ? {} : { options: { comment } }),
    })
  }
  for (const e of rows.extensions) {
    objects.push({
      kind: 'extension',
      schema: e.schema,
      name: e.name,
      definition: `CREATE EXTENSION IF NOT EXISTS ${quoteIdent(e.name)} WITH SCHEMA ${quoteIdent(e.schema)}`,
    })
  }
  for (const t of rows.types) {
    if (t.kind === 'e') {
      objects.push({ kind: 'enum', schema: t.schema, name: t.name, definition: enumDefinition(t.schema, t.name, t.labels), ...withOptions(commentOf(t.comment)) })
    } else {
      let def = `CREATE DOMAIN ${quoteIdent(t.schema)}.${quoteIdent(t.name)} AS ${t.base_type}`
      if (t.default_expr !== null) def += ` DEFAULT ${t.default_expr}`
      if (t.not_null) def += ' NOT NULL'
      for (const check of t.checks) def += ` ${check}`
      objects.push({ kind: 'domain', schema: t.schema, name: t.name, definition: def, ...withOptions(commentOf(t.comment)) })
    }
  }
  for (const s of rows.sequences) {
    if (serialSequences.has(String(s.oid))) continue
    objects.push({ kind: 'sequence', schema: s.schema, name: s.name, definition: sequenceDefinition(s), ...withOptions(commentOf(s.comment)) })
  }
  for (const f of rows.functions) {
    objects.push({
      kind: 'function',
      schema: f.schema,
      name: `${f.name}(${f.args})`,
      definition: f.definition.trim(),
      options: { type: f.kind === 'p' ? 'procedure' : 'function', ...commentOf(f.comment) },
    })
  }
  for (const a of rows.aggregates) {
    const clauses = [`SFUNC = ${a.sfunc}`, `STYPE = ${a.stype}`]
    if (a.finalfunc !== null) clauses.push(`FINALFUNC = ${a.finalfunc}`)
    if (a.combinefunc !== null) clauses.push(`COMBINEFUNC = ${a.combinefunc}`)
    if (a.initcond !== null) clauses.push(`INITCOND = ${quoteLiteral(a.initcond)}`)
    if (a.sortop !== null) clauses.push(`SORTOP = OPERATOR(${a.sortop.replace(/\(.*$/, '')})`)
    // Aggregates and operators are ordered like functions: they are built from functions.
    objects.push({
      kind: 'function',
      schema: a.schema,
      name: `${a.name}(${a.args})`,
      definition: `CREATE AGGREGATE ${quoteIdent(a.schema)}.${quoteIdent(a.name)}(${a.args}) (${clauses.join(', ')})`,
      options: { type: 'aggregate', ...commentOf(a.comment) },
    })
  }
  for (const o of rows.operators) {
    const clauses = [`FUNCTION = ${o.function}`]
    if (o.left_type !== null) clauses.push(`LEFTARG = ${o.left_type}`)
    if (o.right_type !== null) clauses.push(`RIGHTARG = ${o.right_type}`)
    if (o.commutator !== null) clauses.push(`COMMUTATOR = OPERATOR(${o.commutator.replace(/\(.*$/, '')})`)
    if (o.negator !== null) clauses.push(`NEGATOR = OPERATOR(${o.negator.replace(/\(.*$/, '')})`)
    if (o.restrict !== null) clauses.push(`RESTRICT = ${o.restrict}`)
    if (o.join_fn !== null) clauses.push(`JOIN = ${o.join_fn}`)
    objects.push({
      kind: 'function',
      schema: o.schema,
      name: `${o.name}(${o.left_type ?? 'NONE'}, ${o.right_type ?? 'NONE'})`,
      definition: `CREATE OPERATOR ${quoteIdent(o.schema)}.${o.name} (${clauses.join(', ')})`,
      options: { type: 'operator' },
    })
  }
  for (const t of rows.triggers) {
    if (excluded(t.schema, t.table_name)) continue
    objects.push({ kind: 'trigger', schema: t.schema, name: t.name, table: t.table_name, definition: t.definition, ...withOptions(commentOf(t.comment)) })
  }
  for (const p of rows.policies) if (!excluded(p.schema, p.table_name)) objects.push(policyObject(p))
  return { tables, views, objects }
}

function parseColumn(row: ColumnRow): Column {
  const options: Record<string, string> = {}
  let defaultExpr = normalizeDefault(row.default_expr)
  if (row.serial_seq !== null) {
    // The owned sequence and its nextval() default are what `serial` expands to.
    options.serial = serialKind(row.type)
    defaultExpr = undefined
  }
  const generated = row.generated === 's'
  const identityOpts = row.identity_seq === null ? undefined : identityOptions(row.type, row.identity_seq)
  if (identityOpts !== undefined) options.identity = identityOpts
  return {
    name: row.name,
    type: row.type,
    nullable: !row.not_null,
    ...(defaultExpr === undefined || generated ? {} : { default: defaultExpr }),
    ...(generated ? { generated: { expression: row.default_expr ?? '', stored: true } } : {}),
    ...(row.identity === 'a' || row.identity === 'd' ? { identity: { always: row.identity === 'a' } } : {}),
    ...(row.collation === null ? {} : { collation: row.collation }),
    ...(row.comment === null ? {} : { comment: row.comment }),
    ...(Object.keys(options).length > 0 ? { options } : {}),
  }
}

/** `{ comment }` when there is one: spread into an object's options. */
function commentOf(comment: string | null | undefined): { comment?: string } {
  return typeof comment === 'string' ? { comment } : {}
}

/** `{ options }` when any are set, so objects without extras inspect without the key. */
function withOptions(options: Record<string, string | boolean>): { options?: Record<string, string | boolean> } {
  return Object.keys(options).length > 0 ? { options } : {}
}

function parseUnique(row: ConstraintRow): Unique {
  const options: Record<string, string | boolean> = {}
  if (/^UNIQUE NULLS NOT DISTINCT /.test(row.definition)) options.nullsNotDistinct = true
  if (row.deferrable) options.deferrable = row.deferred ? 'DEFERRED' : 'IMMEDIATE'
  return { name: row.name, columns: row.columns, ...withOptions({ ...options, ...commentOf(row.comment) }) }
}

function parseForeignKey(row: ConstraintRow): ForeignKey {
  const options: Record<string, string | boolean> = { ...commentOf(row.comment) }
  if (row.match_type === 'f') options.match = 'FULL'
  if (!row.validated) options.notValid = true
  return {
    name: row.name,
    columns: row.columns,
    refSchema: row.ref_schema ?? undefined,
    refTable: row.ref_table ?? '',
    refColumns: row.ref_columns,
    onDelete: referentialAction(row.on_delete),
    onUpdate: referentialAction(row.on_update),
    ...(row.deferrable ? { deferrable: row.deferred ? ('DEFERRED' as const) : ('IMMEDIATE' as const) } : {}),
    ...(Object.keys(options).length > 0 ? { options } : {}),
  }
}
