import { createHash } from 'node:crypto'
import { canonical } from '../schema/equal.js'
import type { Schema } from '../schema/model.js'
import { nameKey, type Capabilities } from '../schema/plan.js'

/**
 * The fingerprint `diff` records in a generated up file (`-- migrator:expect-schema sha256:<hex>`)
 * and the runner compares after applying it: sha256 of the canonical JSON of the schema with every
 * order-insensitive list sorted. Column order is left out on purpose: the differ does not compare
 * it (ADD COLUMN appends where the target may declare the column in the middle), so a schema the
 * differ calls equal to the target gets the same fingerprint. For the same reason view and trigger
 * texts are taken in the dialect's comparison form (`capabilities.definitionKey`: a RENAME
 * rewrites them) and a trigger's table by the dialect's name rule.
 */
export function schemaFingerprint(schema: Schema, capabilities?: Capabilities): string {
  return `sha256:${createHash('sha256').update(canonical(normalize(schema, capabilities)), 'utf8').digest('hex')}`
}

function normalize(schema: Schema, capabilities: Capabilities | undefined): unknown {
  const definition = capabilities?.definitionKey ?? ((text: string) => text)
  const tableKey = (name: string) => nameKey(name, capabilities?.identifierCase, 'tables')
  return {
    tables: sortBy(
      schema.tables.map((t) => ({
        ...t,
        renamedFrom: undefined,
        columns: sortBy(t.columns.map((c) => ({ ...c, renamedFrom: undefined })), (c) => c.name),
        indexes: sortBy(t.indexes, (i) => i.name),
        uniques: sortBy(t.uniques, canonical),
        foreignKeys: sortBy(t.foreignKeys, canonical),
        checks: sortBy(t.checks, canonical),
      })),
      (t) => `${t.schema ?? ''}.${t.name}`,
    ),
    views: sortBy(schema.views.map((v) => ({ ...v, definition: definition(v.definition) })), (v) => `${v.schema ?? ''}.${v.name}`),
    objects: sortBy(
      schema.objects.map((o) => ({ ...o, table: o.table === undefined ? undefined : tableKey(o.table), definition: definition(o.definition) })),
      (o) => `${o.kind} ${o.schema ?? ''}.${o.name}`,
    ),
  }
}

function sortBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...items].sort((a, b) => {
    const ka = key(a)
    const kb = key(b)
    return ka < kb ? -1 : ka > kb ? 1 : 0
  })
}

/**
 * What a migration is responsible for (`-- migrator:expect-schema sha256:<before> -> sha256:<after>`,
 * written by `diff`): the parts of the schema it changes (each column, index, constraint, table's
 * own settings, view and object is one part), fingerprinted as they were before it and as they must
 * be after it. Parts it does not change are not its business, so two migrations merged from two
 * branches that change different parts both keep their expectation; two that change the same part
 * do not (the second one finds that part changed before it runs: a real conflict).
 */
export interface ChangeFingerprint {
  readonly before: string
  readonly after: string
  /** The parts that differ, as `column users.email`-style labels (for messages). */
  readonly parts: readonly string[]
}

/** The ChangeFingerprint of going from `before` to `after`. */
export function changeFingerprint(before: Schema, after: Schema, capabilities?: Capabilities): ChangeFingerprint {
  const from = schemaParts(before, capabilities)
  const to = schemaParts(after, capabilities)
  const keys = [...new Set([...from.keys(), ...to.keys()])].filter((key) => from.get(key) !== to.get(key)).sort()
  const digest = (parts: ReadonlyMap<string, string>): string =>
    `sha256:${createHash('sha256').update(canonical(keys.map((key) => [key, parts.get(key) ?? null])), 'utf8').digest('hex')}`
  return { before: digest(from), after: digest(to), parts: keys.map(label) }
}

/**
 * One entry per part of `schema`: a JSON key (kind and names) → the part's canonical text. View and
 * trigger texts, and a trigger's table, count as the differ compares them (see schemaFingerprint).
 */
function schemaParts(schema: Schema, capabilities: Capabilities | undefined): Map<string, string> {
  const definition = capabilities?.definitionKey ?? ((text: string) => text)
  const tableKey = (name: string) => nameKey(name, capabilities?.identifierCase, 'tables')
  const parts = new Map<string, string>()
  const put = (key: readonly string[], value: unknown): void => {
    parts.set(JSON.stringify(key), canonical(value))
  }
  for (const t of schema.tables) {
    const table = [t.schema ?? '', t.name]
    const { columns, indexes, uniques, foreignKeys, checks, renamedFrom: _renamed, ...own } = t
    put(['table', ...table], own)
    for (const c of columns) put(['column', ...table, c.name], { ...c, renamedFrom: undefined })
    for (const i of indexes) put(['index', ...table, i.name], i)
    // Unnamed constraints are told apart by what they say.
    for (const u of uniques) put(['unique', ...table, u.name ?? canonical(u.columns)], u)
    for (const f of foreignKeys) put(['foreign key', ...table, f.name ?? canonical(f.columns)], f)
    for (const c of checks) put(['check', ...table, c.name ?? c.expression], c)
  }
  for (const v of schema.views) put(['view', v.schema ?? '', v.name], { ...v, definition: definition(v.definition) })
  for (const o of schema.objects) {
    const table = o.table === undefined ? undefined : tableKey(o.table)
    put([o.kind, o.schema ?? '', o.name, table ?? ''], { ...o, table, definition: definition(o.definition) })
  }
  return parts
}

/** `["column","public","users","email"]` → `column public.users.email`. */
function label(key: string): string {
  const [kind, ...names] = JSON.parse(key) as string[]
  return `${kind} ${names.filter((n) => n !== '').join('.')}`
}
