import { createHash } from 'node:crypto'
import { canonical } from '../schema/equal.js'
import type { Schema } from '../schema/model.js'

/**
 * The fingerprint `diff` records in a generated up file (`-- migrator:expect-schema sha256:<hex>`)
 * and the runner compares after applying it: sha256 of the canonical JSON of the schema with every
 * order-insensitive list sorted. Column order is left out on purpose: the differ does not compare
 * it (ADD COLUMN appends where the target may declare the column in the middle), so a schema the
 * differ calls equal to the target gets the same fingerprint.
 */
export function schemaFingerprint(schema: Schema): string {
  return `sha256:${createHash('sha256').update(canonical(normalize(schema)), 'utf8').digest('hex')}`
}

function normalize(schema: Schema): unknown {
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
    views: sortBy(schema.views, (v) => `${v.schema ?? ''}.${v.name}`),
    objects: sortBy(schema.objects, (o) => `${o.kind} ${o.schema ?? ''}.${o.name}`),
  }
}

function sortBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...items].sort((a, b) => {
    const ka = key(a)
    const kb = key(b)
    return ka < kb ? -1 : ka > kb ? 1 : 0
  })
}
