import { afterAll, describe, expect, it } from 'vitest'
import { hasRowidAlias } from '../../../src/dialects/sqlite/rebuild.js'
import type { Schema, Table } from '../../../src/schema/model.js'
import { describeCorpus } from '../../helpers/corpus.js'
import { CORPUS_FIXTURES, fixtureNames, openFile, readFixture, runScript, tempDir } from './helpers.js'

const temp = tempDir('inspect')
afterAll(() => temp.cleanup())

async function inspectScript(sql: string, exclude?: readonly string[]): Promise<Schema> {
  const driver = openFile(temp.dir)
  try {
    await runScript(driver, sql)
    return await driver.inspect({ exclude })
  } finally {
    await driver.close()
  }
}

type Counts = { tables: number; virtual: number; indexes: number; auto: number; fks: number; views: number; triggers: number; autoincrement: number }

/** "auto" indexes back a PRIMARY KEY that is not the rowid, or a UNIQUE constraint. */
function countsOf(schema: Schema): Counts {
  return {
    tables: schema.tables.length,
    virtual: schema.objects.filter((o) => o.kind === 'other').length,
    indexes: sum(schema.tables, (t) => t.indexes.length),
    auto: sum(schema.tables, (t) => t.uniques.length + (t.primaryKey !== undefined && !hasRowidAlias(t) ? 1 : 0)),
    fks: sum(schema.tables, (t) => t.foreignKeys.length),
    views: schema.views.length,
    triggers: schema.objects.filter((o) => o.kind === 'trigger').length,
    autoincrement: schema.tables.filter((t) => t.columns.some((c) => c.identity !== undefined)).length,
  }
}

const sum = (tables: readonly Table[], f: (t: Table) => number) => tables.reduce((n, t) => n + f(t), 0)

/** Counted by hand from the files in test/fixtures/sqlite. */
const OWN: Record<string, Counts> = {
  'records.sql': { tables: 9, virtual: 0, indexes: 4, auto: 1, fks: 8, views: 0, triggers: 0, autoincrement: 8 },
  'search.sql': { tables: 1, virtual: 2, indexes: 3, auto: 1, fks: 0, views: 0, triggers: 3, autoincrement: 0 },
  'store.sql': { tables: 7, virtual: 0, indexes: 4, auto: 5, fks: 4, views: 2, triggers: 3, autoincrement: 3 },
}

describe('sqlite inspect: the project fixtures', () => {
  it('covers every fixture in the directory', () => {
    expect(fixtureNames()).toEqual(Object.keys(OWN).sort())
  })

  for (const [name, want] of Object.entries(OWN)) {
    it(`${name}: object counts`, async () => {
      const schema = await inspectScript(readFixture(name))
      expect(countsOf(schema)).toEqual(want)
      // FTS5 shadow tables (…_data, …_idx, …) and sqlite_* internals never show up as tables.
      expect(schema.tables.map((t) => t.name).filter((n) => /_fts_|^sqlite_/.test(n))).toEqual([])
    })
  }

  it('reads store.sql: bracket/backtick quoting, names with spaces, unnamed checks, FK actions, triggers', async () => {
    const schema = await inspectScript(readFixture('store.sql'))
    const details = schema.tables.find((t) => t.name === 'Order Details')!
    expect(details.primaryKey).toEqual({ columns: ['OrderID', 'ProductID'] })
    expect(details.columns.find((c) => c.name === 'UnitPrice')).toEqual({ name: 'UnitPrice', type: 'numeric', nullable: false, default: '0' })
    expect(details.checks).toEqual([{ expression: '[Discount] >= (0) AND [Discount] <= (1)' }, { expression: '[Quantity] > (0)' }])
    expect(details.foreignKeys.find((fk) => fk.refTable === 'Orders')).toEqual({
      columns: ['OrderID'], refTable: 'Orders', refColumns: ['OrderID'], onDelete: 'CASCADE', onUpdate: 'NO ACTION',
    })
    const customers = schema.tables.find((t) => t.name === 'Customers')!
    expect(customers.primaryKey).toEqual({ columns: ['CustomerID'] })
    expect(customers.uniques).toEqual([{ name: 'uq_customer_email', columns: ['Email'] }])
    expect(customers.columns.find((c) => c.name === 'Email')).toEqual({ name: 'Email', type: 'varchar(255)', nullable: true, collation: 'NOCASE' })
    const products = schema.tables.find((t) => t.name === 'Products')!
    expect(products.foreignKeys).toEqual([
      { name: 'fk_product_category', columns: ['CategoryID'], refTable: 'categories', refColumns: ['category_id'], onDelete: 'SET NULL', onUpdate: 'CASCADE' },
    ])
    expect(products.checks).toEqual([{ name: 'CHECK_rating', expression: "rating in ('G','PG','PG-13','R','NC-17')" }])
    expect(products.indexes).toEqual([{ name: 'idx_products_name', unique: true, parts: [{ expression: 'lower("ProductName")' }] }])
    expect(schema.tables.find((t) => t.name === 'categories')!.columns.find((c) => c.name === 'description')!.type).toBe('blob sub_type text')
    expect(schema.tables.find((t) => t.name === 'Orders')!.indexes.find((i) => i.name === 'IX_Orders_Shipped')).toEqual({
      name: 'IX_Orders_Shipped', unique: false, parts: [{ column: 'ShippedDate' }], where: '[ShippedDate] IS NOT NULL',
    })
    expect(schema.tables.find((t) => t.name === 'settings')!.options).toEqual({ withoutRowid: true })
    const view = schema.views.find((v) => v.name === 'Alphabetical list of products')!
    expect(view.definition).toMatch(/^CREATE VIEW \[Alphabetical list of products\] AS\nSELECT p\.\*/)
    expect(schema.objects.find((o) => o.name === 'products_price_check')).toMatchObject({ kind: 'trigger', table: 'Products' })
  })

  it('keeps a view exactly as written, CRLF line ends included', async () => {
    const schema = await inspectScript(readFixture('store.sql').replace(/\n/g, '\r\n'))
    expect(schema.views.find((v) => v.name === 'order_totals')!.definition).toContain('\r\n')
  })

  it('reads search.sql: generated columns, expression indexes and FTS5 tables', async () => {
    const schema = await inspectScript(readFixture('search.sql'))
    const table = schema.tables[0]!
    expect(table.columns.find((c) => c.name === 'Title')).toEqual({
      name: 'Title',
      type: 'text',
      nullable: true,
      generated: { expression: "JSON_EXTRACT(attributes, '$.Title')", stored: true },
    })
    expect(table.columns.find((c) => c.name === 'Keywords')!.generated).toEqual({ expression: "JSON_EXTRACT(attributes, '$.Keywords')", stored: false })
    expect(table.columns.find((c) => c.name === 'Size')!.generated).toEqual({ expression: "JSON_EXTRACT(attributes, '$.Size')", stored: false })
    expect(table.indexes.find((i) => i.name === 'by_close_time')).toEqual({
      name: 'by_close_time',
      unique: false,
      parts: [
        { column: 'namespace_id' },
        { expression: "COALESCE(close_time, '9999-12-31 23:59:59+00:00')", desc: true },
        { column: 'start_time', desc: true },
        { column: 'run_id' },
      ],
    })
    const fts = schema.objects.filter((o) => o.kind === 'other')
    expect(fts.map((o) => o.name)).toEqual(['documents_fts_keywords', 'documents_fts_text'])
    expect(fts[1]!.definition).toMatch(/^CREATE VIRTUAL TABLE documents_fts_text USING fts5 \(/)
    expect(schema.objects.filter((o) => o.kind === 'trigger').map((o) => o.table)).toEqual(['documents', 'documents', 'documents'])
  })
})

/** Counts from the corpus README (SQLite table). */
const CORPUS: Record<string, Counts> = {
  'chinook.sql': { tables: 11, virtual: 0, indexes: 11, auto: 1, fks: 11, views: 0, triggers: 0, autoincrement: 10 },
  'northwind.sql': { tables: 13, virtual: 0, indexes: 0, auto: 6, fks: 13, views: 16, triggers: 0, autoincrement: 6 },
  'sakila.sql': { tables: 16, virtual: 0, indexes: 24, auto: 2, fks: 22, views: 5, triggers: 30, autoincrement: 0 },
  'temporal.sql': { tables: 37, virtual: 0, indexes: 0, auto: 39, fks: 0, views: 0, triggers: 0, autoincrement: 0 },
  'temporal_visibility.sql': { tables: 1, virtual: 2, indexes: 58, auto: 1, fks: 0, views: 0, triggers: 3, autoincrement: 0 },
}

describeCorpus('sqlite inspect: the real-world corpus', () => {
  const corpus = (name: string) => readFixture(name, CORPUS_FIXTURES)

  it('covers every corpus file', () => {
    expect(fixtureNames(CORPUS_FIXTURES)).toEqual(Object.keys(CORPUS).sort())
  })

  for (const [name, want] of Object.entries(CORPUS)) {
    it(`${name}: object counts match the corpus README`, async () => {
      const schema = await inspectScript(corpus(name))
      expect(countsOf(schema)).toEqual(want)
      expect(schema.tables.map((t) => t.name).filter((n) => /_fts_|^sqlite_/.test(n))).toEqual([])
    })
  }

  it('reads northwind details: bracket/backtick quoting, names with spaces, unnamed checks', async () => {
    const schema = await inspectScript(corpus('northwind.sql'))
    const details = schema.tables.find((t) => t.name === 'Order Details')!
    expect(details.primaryKey).toEqual({ columns: ['OrderID', 'ProductID'] })
    expect(details.columns.find((c) => c.name === 'UnitPrice')).toEqual({ name: 'UnitPrice', type: 'numeric', nullable: false, default: '0' })
    expect(details.checks).toEqual([
      { expression: '[Discount]>=(0) AND [Discount]<=(1)' },
      { expression: '[Quantity]>(0)' },
      { expression: '[UnitPrice]>=(0)' },
    ])
    expect(schema.tables.find((t) => t.name === 'Customers')!.primaryKey).toEqual({ columns: ['CustomerID'] })
    const view = schema.views.find((v) => v.name === 'Alphabetical list of products')!
    expect(view.definition).toMatch(/^CREATE VIEW \[Alphabetical list of products\]/)
    expect(view.definition).toContain('\r\n') // stored exactly as written
  })

  it('reads sakila named FKs with actions and triggers with their table', async () => {
    const schema = await inspectScript(corpus('sakila.sql'))
    expect(schema.tables.find((t) => t.name === 'city')!.foreignKeys).toEqual([
      { name: 'fk_city_country', columns: ['country_id'], refTable: 'country', refColumns: ['country_id'], onDelete: 'NO ACTION', onUpdate: 'CASCADE' },
    ])
    const film = schema.tables.find((t) => t.name === 'film')!
    expect(film.checks.map((c) => c.name).sort()).toEqual(['CHECK_special_features', 'CHECK_special_rating'])
    expect(film.checks.find((c) => c.name === 'CHECK_special_rating')!.expression).toBe("rating in ('G','PG','PG-13','R','NC-17')")
    expect(film.columns.find((c) => c.name === 'description')!.type).toBe('blob sub_type text')
    expect(schema.objects.find((o) => o.name === 'actor_trigger_ai')).toMatchObject({ kind: 'trigger', table: 'actor' })
  })

  // better-sqlite3 is built without double-quoted string literals; DDL that relies on them (as this
  // file does, "$.x") is applied with them turned into single-quoted strings, as SQLite used to.
  it('reads temporal_visibility generated columns, expression indexes and FTS5 tables', async () => {
    const schema = await inspectScript(corpus('temporal_visibility.sql'))
    const table = schema.tables[0]!
    expect(table.columns.find((c) => c.name === 'BinaryChecksums')).toEqual({
      name: 'BinaryChecksums',
      type: 'text',
      nullable: true,
      generated: { expression: "JSON_EXTRACT(search_attributes, '$.BinaryChecksums')", stored: true },
    })
    expect(table.columns.find((c) => c.name === 'Bool01')!.generated).toEqual({
      expression: "JSON_EXTRACT(search_attributes, '$.Bool01')",
      stored: false,
    })
    expect(table.indexes.find((i) => i.name === 'default_idx')).toEqual({
      name: 'default_idx',
      unique: false,
      parts: [
        { column: 'namespace_id' },
        { expression: "COALESCE(close_time, '9999-12-31 23:59:59+00:00')", desc: true },
        { column: 'start_time', desc: true },
        { column: 'run_id' },
      ],
    })
    const fts = schema.objects.filter((o) => o.kind === 'other')
    expect(fts.map((o) => o.name)).toEqual(['executions_visibility_fts_keyword_list', 'executions_visibility_fts_text'])
    expect(fts[1]!.definition).toMatch(/^CREATE VIRTUAL TABLE executions_visibility_fts_text USING fts5 \(/)
  })
})

describe('sqlite inspect: normal form', () => {
  const ddl = `
CREATE TABLE "we""ird table" (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  "Email" VARCHAR ( 255 )  NOT NULL CONSTRAINT uq_email UNIQUE COLLATE NoCase,
  qty int DEFAULT (1) CHECK (qty >= 0),
  price NUMERIC(10,   2) DEFAULT 0.5,
  created TEXT DEFAULT CURRENT_TIMESTAMP,
  touched TEXT DEFAULT (datetime('now')),
  nada TEXT DEFAULT NULL,
  total REAL GENERATED ALWAYS AS (qty *   price) STORED,
  label AS (upper("Email")),
  parent INTEGER CONSTRAINT fk_parent REFERENCES "we""ird table" (id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
  a INT, b INT,
  CONSTRAINT ab UNIQUE (a, b),
  CONSTRAINT positive_price CHECK (price > 0 /* no free lunch */ )
);
CREATE TABLE kv (k TEXT, v BLOB, PRIMARY KEY (k)) WITHOUT ROWID, STRICT;
CREATE UNIQUE INDEX "idx expr" ON "we""ird table" (lower(email) DESC, A COLLATE BINARY, (b + 1)) WHERE a IS NOT NULL AND b > 0;
CREATE VIEW "v 1" AS SELECT id FROM "we""ird table";
CREATE TRIGGER kv_bi BEFORE INSERT ON kv BEGIN SELECT 1; END;
CREATE TABLE migrator_history (version TEXT PRIMARY KEY);
CREATE TRIGGER hist_bi BEFORE INSERT ON migrator_history BEGIN SELECT 1; END;
`

  it('produces the documented model for every SQLite feature', async () => {
    const schema = await inspectScript(ddl, ['migrator_history'])
    expect(schema.tables.map((t) => t.name)).toEqual(['kv', 'we"ird table'])
    expect(schema.tables[0]).toEqual({
      name: 'kv',
      columns: [
        { name: 'k', type: 'text', nullable: false },
        { name: 'v', type: 'blob', nullable: true },
      ],
      primaryKey: { columns: ['k'] },
      indexes: [],
      uniques: [],
      foreignKeys: [],
      checks: [],
      options: { withoutRowid: true, strict: true },
    })
    expect(schema.tables[1]).toEqual({
      name: 'we"ird table',
      columns: [
        { name: 'id', type: 'integer', nullable: true, identity: { always: false } },
        { name: 'Email', type: 'varchar(255)', nullable: false, collation: 'NOCASE' },
        { name: 'qty', type: 'int', nullable: true, default: '1' },
        { name: 'price', type: 'numeric(10,2)', nullable: true, default: '0.5' },
        { name: 'created', type: 'text', nullable: true, default: 'CURRENT_TIMESTAMP' },
        { name: 'touched', type: 'text', nullable: true, default: "datetime('now')" },
        { name: 'nada', type: 'text', nullable: true },
        { name: 'total', type: 'real', nullable: true, generated: { expression: 'qty * price', stored: true } },
        { name: 'label', type: '', nullable: true, generated: { expression: 'upper("Email")', stored: false } },
        { name: 'parent', type: 'integer', nullable: true },
        { name: 'a', type: 'int', nullable: true },
        { name: 'b', type: 'int', nullable: true },
      ],
      primaryKey: { columns: ['id'] },
      indexes: [
        {
          name: 'idx expr',
          unique: true,
          parts: [{ expression: 'lower(email)', desc: true }, { column: 'a' }, { expression: 'b + 1' }],
          where: 'a IS NOT NULL AND b > 0',
        },
      ],
      uniques: [
        { name: 'uq_email', columns: ['Email'] },
        { name: 'ab', columns: ['a', 'b'] },
      ],
      foreignKeys: [
        {
          name: 'fk_parent',
          columns: ['parent'],
          refTable: 'we"ird table',
          refColumns: ['id'],
          onDelete: 'SET NULL',
          onUpdate: 'NO ACTION',
          deferrable: 'DEFERRED',
        },
      ],
      checks: [{ name: 'positive_price', expression: 'price > 0' }, { expression: 'qty >= 0' }],
      options: {},
    })
    expect(schema.views).toEqual([{ name: 'v 1', definition: 'CREATE VIEW "v 1" AS SELECT id FROM "we""ird table"' }])
    // The excluded history table takes its trigger with it.
    expect(schema.objects).toEqual([
      { kind: 'trigger', name: 'kv_bi', table: 'kv', definition: 'CREATE TRIGGER kv_bi BEFORE INSERT ON kv BEGIN SELECT 1; END' },
    ])
  })

  it('does not depend on declaration order or spelling of equivalent constraints', async () => {
    const a = await inspectScript(`CREATE TABLE p (id INTEGER PRIMARY KEY);
CREATE TABLE t (x INT REFERENCES p, y INT UNIQUE, z INT, FOREIGN KEY (z) REFERENCES p (id), CHECK (x > 0), CHECK (y > 0));`)
    const b = await inspectScript(`CREATE TABLE p (id INTEGER, PRIMARY KEY (id));
CREATE TABLE t (x INT, y INT, z INT REFERENCES p(id), UNIQUE (y), CHECK (y > 0), CHECK (x > 0), FOREIGN KEY (x) REFERENCES p);`)
    expect(b).toEqual(a)
  })
})
