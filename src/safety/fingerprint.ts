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
  const tableKey = (name: string) => nameKey(name, capabilities?.identifierCase?.tables)
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
