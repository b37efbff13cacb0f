import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../../src/db.js'
import { inspect } from '../../../src/dialects/mysql/inspect.js'
import type { Schema } from '../../../src/schema/model.js'
import { corpusFile, describeCorpus } from '../../helpers/corpus.js'
import { applyScript, createTestDatabase, mysqlServers, type TestDatabase } from '../../helpers/mysql.js'

const OWN = path.resolve(import.meta.dirname, '../../fixtures/mysql')
const { servers, skipped } = await mysqlServers()
for (const reason of skipped) describe.skip(reason, () => it('needs the server', () => {}))

/** Counts queries on the way to the real Db: inspection must not issue one per table. */
class CountingDb implements Db {
  count = 0
  constructor(private readonly inner: Db) {}
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]> {
    this.count++
    return this.inner.query<Row>(sql, params)
  }
  exec(sql: string, params?: readonly unknown[]): Promise<void> {
    this.count++
    return this.inner.exec(sql, params)
  }
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    return fn(this)
  }
}

/** sakila's actor_info view hard-codes `sakila.`; point it at the test database (corpus README). */
function fixtureSql(file: string, database: string): string {
  const sql = readFileSync(corpusFile('mysql', file), 'utf8')
  return file === 'sakila.sql' ? sql.replace(/\bsakila\./g, `${database}.`) : sql
}

interface Counts {
  tables: number
  indexes: number // non-PRIMARY
  pk: number
  unique: number
  check: number
  fk: number
  views: number
  triggers: number
  fulltext: number
  functions: number
  procedures: number
}

function countsOf(schema: Schema): Counts {
  const indexes = schema.tables.flatMap((t) => t.indexes)
  return {
    tables: schema.tables.length,
    indexes: indexes.length,
    pk: schema.tables.filter((t) => t.primaryKey !== undefined).length,
    unique: indexes.filter((i) => i.unique).length,
    check: schema.tables.reduce((n, t) => n + t.checks.length, 0),
    fk: schema.tables.reduce((n, t) => n + t.foreignKeys.length, 0),
    views: schema.views.length,
    triggers: schema.objects.filter((o) => o.kind === 'trigger').length,
    fulltext: indexes.filter((i) => i.method === 'fulltext').length,
    functions: schema.objects.filter((o) => o.kind === 'function').length,
    procedures: schema.objects.filter((o) => o.options?.routine === 'PROCEDURE').length,
  }
}

// From the corpus README (MariaDB 10.11 table).
const EXPECTED: Record<string, Counts> = {
  'sakila.sql': { tables: 16, indexes: 25, pk: 16, unique: 2, check: 0, fk: 22, views: 7, triggers: 3, fulltext: 1, functions: 3, procedures: 3 },
  'chinook.sql': { tables: 11, indexes: 11, pk: 11, unique: 0, check: 0, fk: 11, views: 0, triggers: 0, fulltext: 0, functions: 0, procedures: 0 },
  'ambari.sql': { tables: 113, indexes: 146, pk: 110, unique: 30, check: 0, fk: 124, views: 0, triggers: 0, fulltext: 0, functions: 0, procedures: 0 },
  'temporal.sql': { tables: 37, indexes: 7, pk: 37, unique: 2, check: 1, fk: 0, views: 0, triggers: 0, fulltext: 0, functions: 0, procedures: 0 },
}

/** A schema of `n` tables, each with an index, a foreign key to the previous one and a CHECK. */
function wideSchema(n: number): string {
  const tables: string[] = []
  for (let i = 1; i <= n; i++) {
    tables.push(
      `CREATE TABLE t${i} (id INT PRIMARY KEY, prev_id INT, name VARCHAR(40) NOT NULL DEFAULT 'x', KEY idx_t${i}_name (name)` +
        `${i > 1 ? `, CONSTRAINT fk_t${i} FOREIGN KEY (prev_id) REFERENCES t${i - 1} (id)` : ''}, CONSTRAINT chk_t${i} CHECK (id > 0));`,
    )
  }
  return tables.join('\n')
}

describe.each([...servers])('mysql inspect on the project fixtures on $label', (server) => {
  let shop: TestDatabase
  let wide: TestDatabase

  beforeAll(async () => {
    shop = await createTestDatabase('inspshop', server.url)
    await applyScript(shop.driver, readFileSync(path.join(OWN, 'shop.sql'), 'utf8'))
    wide = await createTestDatabase('inspwide', server.url)
    await applyScript(wide.driver, wideSchema(60))
  })

  afterAll(async () => {
    await shop?.drop()
    await wide?.drop()
  })

  it('shop.sql: object counts', async () => {
    expect(countsOf(await shop.driver.inspect())).toEqual({
      tables: 5, indexes: 5, pk: 5, unique: 1, check: 1, fk: 3, views: 1, triggers: 2, fulltext: 1, functions: 1, procedures: 1,
    })
  })

  it('issues the same fixed number of catalog queries for 5 and for 60 tables', async () => {
    const counts: number[] = []
    for (const test of [shop, wide]) {
      const counting = new CountingDb(test.driver.db)
      const schema = await inspect(counting, test.name, test.driver.flavor)
      counts.push(counting.count)
      expect(schema.tables.length).toBe(test === wide ? 60 : 5)
    }
    expect(counts).toEqual([11, 11])
  })

  it('normalizes types, defaults, table options, views and triggers', async () => {
    const schema = await shop.driver.inspect()
    const product = schema.tables.find((t) => t.name === 'product')
    const column = (name: string) => product?.columns.find((c) => c.name === name)
    expect(column('product_id')).toEqual({ name: 'product_id', type: 'int unsigned', nullable: false, identity: { always: false } })
    expect(column('release_year')?.type).toBe('year')
    expect(column('rating')).toMatchObject({ type: "enum('G','PG','PG-13','R','NC-17')", default: "'G'" })
    expect(column('features')?.type).toBe("set('Trailers','Commentaries','Deleted Scenes','Behind the Scenes')")
    expect(column('price')).toMatchObject({ type: 'decimal(8,2)', default: '4.99', nullable: false })
    expect(column('last_update')).toMatchObject({ default: 'CURRENT_TIMESTAMP', options: { onUpdate: 'CURRENT_TIMESTAMP' } })
    expect(product?.options).toEqual({ engine: 'InnoDB', charset: 'utf8mb4', collation: 'utf8mb4_general_ci' })
    expect(product?.indexes.find((i) => i.method === 'fulltext')?.name).toBe('idx_product_text')
    expect(schema.tables.find((t) => t.name === 'orders')?.foreignKeys).toEqual([
      { name: 'fk_orders_customer', columns: ['customer_id'], refTable: 'customer', refColumns: ['customer_id'], onDelete: 'NO ACTION', onUpdate: 'CASCADE' },
    ])
    const view = schema.views.find((v) => v.name === 'customer_orders')
    expect(view?.options).toEqual({ security: 'INVOKER' })
    expect(view?.definition).not.toContain(shop.name)
    expect(schema.objects.find((o) => o.name === 'product_price_guard')?.definition).toMatch(
      /^CREATE TRIGGER `product_price_guard` BEFORE UPDATE ON `product` FOR EACH ROW BEGIN/,
    )
  })

  it('reports the same schema for the fixture applied to a scratch database (no qualifier leaks)', async () => {
    const scratch = await shop.driver.openScratch()
    try {
      await applyScript(scratch as never, readFileSync(path.join(OWN, 'shop.sql'), 'utf8'))
      expect(await scratch.inspect()).toEqual(await shop.driver.inspect())
    } finally {
      await scratch.drop()
    }
  })

  it('excludes the history table', async () => {
    await wide.driver.db.exec(wide.driver.historyTableDdl('migrator_history'))
    const names = (await wide.driver.inspect({ exclude: ['migrator_history'] })).tables.map((t) => t.name)
    expect(names).not.toContain('migrator_history')
    expect(names).toHaveLength(60)
  })
})

describeCorpus('mysql inspect on the real-world corpus', () => {
describe.each([...servers])('on $label', (server) => {
  const dbs = new Map<string, TestDatabase>()

  beforeAll(async () => {
    for (const file of Object.keys(EXPECTED)) {
      const test = await createTestDatabase(`insp${file.slice(0, 4)}`, server.url)
      dbs.set(file, test)
      await applyScript(test.driver, fixtureSql(file, test.name))
    }
  })

  afterAll(async () => {
    for (const test of dbs.values()) await test.drop()
  })

  for (const [file, expected] of Object.entries(EXPECTED)) {
    it(`${file}: object counts match the fixture README`, async () => {
      const test = dbs.get(file) as TestDatabase
      expect(countsOf(await test.driver.inspect())).toEqual(expected)
    })
  }

  it('issues the same fixed number of catalog queries for 11 and for 113 tables', async () => {
    const counts: number[] = []
    for (const file of ['chinook.sql', 'ambari.sql']) {
      const test = dbs.get(file) as TestDatabase
      const counting = new CountingDb(test.driver.db)
      await inspect(counting, test.name, test.driver.flavor)
      counts.push(counting.count)
    }
    expect(counts).toEqual([11, 11])
  })

  it('normalizes sakila types, defaults and views', async () => {
    const test = dbs.get('sakila.sql') as TestDatabase
    const schema = await test.driver.inspect()
    const film = schema.tables.find((t) => t.name === 'film')
    const column = (name: string) => film?.columns.find((c) => c.name === name)
    expect(column('film_id')).toEqual({ name: 'film_id', type: 'int unsigned', nullable: false, identity: { always: false } })
    expect(column('release_year')?.type).toBe('year')
    expect(column('rating')).toMatchObject({ type: "enum('G','PG','PG-13','R','NC-17')", default: "'G'" })
    expect(column('last_update')).toMatchObject({ default: 'CURRENT_TIMESTAMP', options: { onUpdate: 'CURRENT_TIMESTAMP' } })
    expect(film?.options).toEqual({ engine: 'InnoDB', charset: 'utf8mb3', collation: 'utf8mb3_general_ci' })
    const actorInfo = schema.views.find((v) => v.name === 'actor_info')
    expect(actorInfo?.options).toEqual({ security: 'INVOKER' })
    expect(actorInfo?.definition).not.toContain(test.name)
    expect(schema.objects.find((o) => o.name === 'ins_film')?.definition).toMatch(
      /^CREATE TRIGGER `ins_film` AFTER INSERT ON `film` FOR EACH ROW BEGIN/,
    )
  })

  it('reports the same schema for the fixture applied to a scratch database (no qualifier leaks)', async () => {
    const test = dbs.get('sakila.sql') as TestDatabase
    const scratch = await test.driver.openScratch()
    try {
      await applyScript(scratch as never, fixtureSql('sakila.sql', (scratch as unknown as { database: string }).database))
      expect(await scratch.inspect()).toEqual(await test.driver.inspect())
    } finally {
      await scratch.drop()
    }
  })

  it('excludes the history table', async () => {
    const test = dbs.get('chinook.sql') as TestDatabase
    await test.driver.db.exec(test.driver.historyTableDdl('migrator_history'))
    const names = (await test.driver.inspect({ exclude: ['migrator_history'] })).tables.map((t) => t.name)
    expect(names).not.toContain('migrator_history')
    expect(names).toHaveLength(11)
  })
})
})
