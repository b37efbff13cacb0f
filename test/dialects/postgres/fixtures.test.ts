import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../../src/db.js'
import { open } from '../../../src/dialects/postgres/index.js'
import type { PostgresDriver } from '../../../src/dialects/postgres/index.js'
import { inspect } from '../../../src/dialects/postgres/inspect.js'
import { diffSchemas } from '../../../src/schema/diff.js'
import type { Schema } from '../../../src/schema/model.js'
import { corpusFile, describeCorpus } from '../../helpers/corpus.js'
import { createTestDatabase, pgAvailable, psqlFile } from '../../helpers/postgres.js'
import type { TestDatabase } from '../../helpers/postgres.js'
import { applyPlan, applyReverse, reset } from './harness.js'

const OWN = path.resolve(import.meta.dirname, '../../fixtures/postgres')
const available = await pgAvailable()

/** Counted by hand from test/fixtures/postgres, in the model's terms (see `counts`). */
const OWN_EXPECTED: Readonly<Record<string, Record<string, number>>> = {
  shop: { tables: 6, partitions: 2, indexes: 4, matviewIndexes: 1, pk: 6, inheritedPk: 2, unique: 1, check: 2, fk: 4, views: 1, matviews: 1, sequences: 1, functions: 3, aggregates: 1, triggers: 1, enums: 1, domains: 2, extensions: 0, operators: 0, identity: 2, generated: 1, serial: 2, unlogged: 1 },
}

/** Counts from the corpus README, in the model's terms (see `counts`). */
const CORPUS_EXPECTED: Readonly<Record<string, Record<string, number>>> = {
  pagila: { tables: 15, partitions: 7, indexes: 33, matviewIndexes: 1, pk: 15, inheritedPk: 7, unique: 0, check: 0, fk: 36, views: 7, matviews: 1, sequences: 13, functions: 9, aggregates: 1, triggers: 15, enums: 1, domains: 2, extensions: 0, operators: 0, identity: 0, generated: 0, serial: 0, unlogged: 0 },
  chinook: { tables: 11, partitions: 0, indexes: 11, matviewIndexes: 0, pk: 11, inheritedPk: 0, unique: 0, check: 0, fk: 11, views: 0, matviews: 0, sequences: 0, functions: 0, aggregates: 0, triggers: 0, enums: 0, domains: 0, extensions: 0, operators: 0, identity: 10, generated: 0, serial: 0, unlogged: 0 },
  danbooru: { tables: 66, partitions: 0, indexes: 391, matviewIndexes: 0, pk: 65, inheritedPk: 0, unique: 0, check: 0, fk: 93, views: 2, matviews: 0, sequences: 0, functions: 3, aggregates: 0, triggers: 0, enums: 0, domains: 0, extensions: 5, operators: 1, identity: 0, generated: 0, serial: 58, unlogged: 1 },
  ambari: { tables: 113, partitions: 0, indexes: 32, matviewIndexes: 0, pk: 110, inheritedPk: 0, unique: 30, check: 0, fk: 124, views: 0, matviews: 0, sequences: 0, functions: 0, aggregates: 0, triggers: 0, enums: 0, domains: 0, extensions: 0, operators: 0, identity: 0, generated: 0, serial: 0, unlogged: 0 },
  temporal: { tables: 37, partitions: 0, indexes: 5, matviewIndexes: 0, pk: 37, inheritedPk: 0, unique: 2, check: 1, fk: 0, views: 0, matviews: 0, sequences: 0, functions: 0, aggregates: 0, triggers: 0, enums: 0, domains: 0, extensions: 0, operators: 0, identity: 0, generated: 0, serial: 1, unlogged: 0 },
  temporal_visibility: { tables: 1, partitions: 0, indexes: 73, matviewIndexes: 0, pk: 1, inheritedPk: 0, unique: 0, check: 0, fk: 0, views: 0, matviews: 0, sequences: 0, functions: 1, aggregates: 0, triggers: 0, enums: 0, domains: 0, extensions: 1, operators: 0, identity: 0, generated: 59, serial: 0, unlogged: 0 },
}

/**
 * README counts → model: partition PKs attached to the parent's are not modelled per partition
 * (`inheritedPk`); the matview's index travels in the view's options; README "sequences" that are
 * OWNED BY their serial column appear as `serial` columns instead of sequence objects.
 */
function counts(s: Schema): Record<string, number> {
  const partitions = s.tables.filter((t) => typeof t.options.partitionOf === 'string')
  const parents = new Set(s.tables.filter((t) => t.primaryKey !== undefined && typeof t.options.partitionBy === 'string').map((t) => `"${t.schema}"."${t.name}"`))
  const objects = (kind: string, type?: string) => s.objects.filter((o) => o.kind === kind && (type === undefined || o.options?.type === type)).length
  const columns = s.tables.flatMap((t) => t.columns)
  return {
    tables: s.tables.length - partitions.length,
    partitions: partitions.length,
    indexes: s.tables.reduce((n, t) => n + t.indexes.length, 0),
    matviewIndexes: s.views.reduce((n, v) => n + Object.keys(v.options ?? {}).filter((k) => k.startsWith('index:')).length, 0),
    pk: s.tables.filter((t) => t.primaryKey !== undefined).length,
    inheritedPk: partitions.filter((t) => parents.has(String(t.options.partitionOf))).length,
    unique: s.tables.reduce((n, t) => n + t.uniques.length, 0),
    check: s.tables.reduce((n, t) => n + t.checks.length, 0),
    fk: s.tables.reduce((n, t) => n + t.foreignKeys.length, 0),
    views: s.views.filter((v) => v.materialized !== true).length,
    matviews: s.views.filter((v) => v.materialized === true).length,
    sequences: objects('sequence'),
    functions: objects('function', 'function') + objects('function', 'procedure'),
    aggregates: objects('function', 'aggregate'),
    triggers: objects('trigger'),
    enums: objects('enum'),
    domains: objects('domain'),
    extensions: objects('extension'),
    operators: objects('function', 'operator'),
    identity: columns.filter((c) => c.identity !== undefined).length,
    generated: columns.filter((c) => c.generated !== undefined).length,
    serial: columns.filter((c) => c.options?.serial !== undefined).length,
    unlogged: s.tables.filter((t) => t.options.unlogged === true).length,
  }
}

/** A Db that counts round trips: inspection must cost the same number whatever the schema size. */
function counting(inner: Db): Db & { count: number } {
  const wrapper = {
    count: 0,
    query<Row>(sql: string, params?: readonly unknown[]): Promise<Row[]> {
      wrapper.count++
      return inner.query<Row>(sql, params)
    },
    exec: (sql: string, params?: readonly unknown[]) => inner.exec(sql, params),
    transaction: <T>(fn: (tx: Db) => Promise<T>) => inner.transaction(fn),
  }
  return wrapper
}

/** Each fixture of `dir`: counts, a fixed query count, empty → target → equal → second diff empty → reverse → empty. */
function roundTrips(dir: string, expected: Readonly<Record<string, Record<string, number>>>): void {
  let target: TestDatabase
  let live: TestDatabase
  let targetDriver: PostgresDriver
  let liveDriver: PostgresDriver
  let missingExtensions: string[] = []

  beforeAll(async () => {
    target = await createTestDatabase('mt_pg_fx')
    live = await createTestDatabase('mt_pg_fx')
    targetDriver = await open(target.url)
    liveDriver = await open(live.url)
    const wanted = ['btree_gin', 'fuzzystrmatch', 'pg_trgm', 'pgcrypto', 'pgstattuple']
    const rows = await targetDriver.db.query<{ name: string }>('SELECT name FROM pg_available_extensions WHERE name = ANY(?::text[])', [wanted])
    missingExtensions = wanted.filter((w) => !rows.some((r) => r.name === w))
  })

  afterAll(async () => {
    await targetDriver?.close()
    await liveDriver?.close()
    await target?.drop()
    await live?.drop()
  })

  for (const name of Object.keys(expected)) {
    it(`${name}: counts, fixed query count, empty → target → equal → second diff empty → reverse → empty`, async (ctx) => {
      if (name === 'danbooru' && missingExtensions.length > 0) ctx.skip(`contrib extensions not installed: ${missingExtensions.join(', ')}`)
      await reset(targetDriver.db)
      await reset(liveDriver.db)
      await psqlFile(target.url, path.join(dir, `${name}.sql`))

      const db = counting(targetDriver.db)
      const desired = await inspect(db, targetDriver.features, { schemas: ['public'] })
      expect(db.count).toBe(17)
      expect(counts(desired)).toEqual(expected[name])

      const empty = await liveDriver.inspect()
      const { changes } = diffSchemas(empty, desired, { capabilities: liveDriver.capabilities })
      const plan = liveDriver.plan(changes, { current: empty, desired })
      await applyPlan(liveDriver, plan)
      const after = await liveDriver.inspect()
      expect(after).toEqual(desired)
      expect(diffSchemas(after, desired, { capabilities: liveDriver.capabilities }).changes).toEqual([])

      await applyReverse(liveDriver, plan)
      expect(await liveDriver.inspect()).toEqual(empty)
    })
  }
}

describe.skipIf(!available)('postgres inspect and round trip on the project fixtures', () => roundTrips(OWN, OWN_EXPECTED))
describeCorpus('postgres inspect and round trip on the real-world corpus', () => {
  describe.skipIf(!available)('on the test server', () => roundTrips(corpusFile('postgres'), CORPUS_EXPECTED))
})
