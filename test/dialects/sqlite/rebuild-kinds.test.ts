import { afterEach, describe, expect, it } from 'vitest'
import { LONG_TEXT, MAX_INT, MIN_INT, applyTarget, project, roundTrip, type Project } from './fidelity.js'

/**
 * Objects that depend on a rebuilt table: its generated columns (VIRTUAL and STORED), its partial
 * and expression indexes, and foreign keys from other tables that point at it. A rebuild made for
 * an unrelated change keeps all of them, the rows, and referential integrity.
 */

const SCHEMA = `
CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  first TEXT NOT NULL,
  last TEXT,
  email TEXT,
  score INTEGER,
  full_name TEXT GENERATED ALWAYS AS (first || ' ' || coalesce(last, '')) VIRTUAL,
  email_lower TEXT GENERATED ALWAYS AS (lower(email)) STORED,
  avatar BLOB
);
CREATE INDEX customers_email_partial ON customers (email) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX customers_lower_email ON customers (lower(email)) WHERE score > 0;
CREATE INDEX customers_expr ON customers (score * 2 DESC, full_name COLLATE NOCASE);
CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  note TEXT
);
CREATE TABLE refunds (
  id INTEGER PRIMARY KEY,
  order_id INTEGER REFERENCES orders (id),
  customer_id INTEGER REFERENCES customers (id) DEFERRABLE INITIALLY DEFERRED
);
`

const SEED = `
INSERT INTO customers (id, first, last, email, score, avatar) VALUES
  (1, 'Ada', 'Lovelace', 'ADA@example.com', 10, x'00ff'),
  (2, 'Ünïcødé', NULL, NULL, ${MAX_INT}, NULL),
  (3, '${LONG_TEXT}', '名前', 'long@example.com', ${MIN_INT}, x''),
  (${MAX_INT}, 'Max', '', '', 0, x'7f');
INSERT INTO orders VALUES (1, 1, 'first'), (2, 1, NULL), (3, 3, '${LONG_TEXT}'), (4, ${MAX_INT}, 'ü');
INSERT INTO refunds VALUES (1, 1, 1), (2, NULL, 3), (3, 4, NULL);
`

let p: Project | undefined
afterEach(() => p?.remove())

describe('SQLite rebuilds keep what depends on the table', () => {
  it('a rebuild of the referenced table (type change) keeps generated columns, partial and expression indexes, FKs pointing at it and rows', async () => {
    p = project('rebuild-parent')
    const { forward } = await roundTrip(p, { current: SCHEMA, seed: SEED, desired: SCHEMA.replace('score INTEGER,', 'score BIGINT,') })
    expect(forward.up).toMatch(/CREATE TABLE "_migrator_new_customers"/)
    expect(forward.up).toMatch(/"full_name" text GENERATED ALWAYS AS \(first \|\| ' ' \|\| coalesce\(last, ''\)\) VIRTUAL/)
    expect(forward.up).toMatch(/"email_lower" text GENERATED ALWAYS AS \(lower\(email\)\) STORED/)
    expect(forward.up).toMatch(/CREATE INDEX "customers_email_partial" ON "customers" \("email"\) WHERE email IS NOT NULL/)
    expect(forward.up).toMatch(/CREATE UNIQUE INDEX "customers_lower_email" ON "customers" \(\(lower\(email\)\)\) WHERE score > 0/)
    expect(forward.up).toMatch(/CREATE INDEX "customers_expr" ON "customers" \(\(score \* 2\) DESC, "full_name" COLLATE "NOCASE"\)/)
    // The generated copy leaves generated columns to SQLite.
    expect(forward.up).not.toMatch(/INSERT INTO[^;]*"full_name"/)
  })

  it('after that rebuild the children still point at it: orphans are refused, ON DELETE CASCADE still cascades, generated values are recomputed', async () => {
    p = project('rebuild-parent-act')
    p.target(SCHEMA)
    await applyTarget(p, 'current')
    p.exec(SEED)
    p.target(SCHEMA.replace('score INTEGER,', 'score BIGINT,'))
    await applyTarget(p, 'rebuilt')
    expect(p.foreignKeyViolations()).toEqual([])
    expect(() => p!.exec('PRAGMA foreign_keys = ON; INSERT INTO orders VALUES (9, 999, NULL)')).toThrow(/FOREIGN KEY constraint failed/)
    p.exec("PRAGMA foreign_keys = ON; DELETE FROM refunds WHERE order_id IN (SELECT id FROM orders WHERE customer_id = 1) OR customer_id = 1; DELETE FROM customers WHERE id = 1")
    expect(p.rows().orders!.some((r) => r.includes('| int:1 |'))).toBe(false)
    p.exec("UPDATE customers SET email = 'NEW@X.org', last = 'L' WHERE id = 2")
    expect(p.rows().customers!.find((r) => r.startsWith('int:2 |'))).toMatch(/text:"Ünïcødé L" \| text:"new@x.org"/)
    // The partial unique expression index still enforces uniqueness where it applies.
    expect(() => p!.exec("UPDATE customers SET email = 'new@X.ORG', score = 5 WHERE id = 3")).toThrow(/UNIQUE constraint failed/)
  })

  it('a rebuild of a referencing table (drop NOT NULL) keeps its FK, and foreign_key_check stays clean', async () => {
    p = project('rebuild-child')
    const { forward } = await roundTrip(p, { current: SCHEMA, seed: SEED, desired: SCHEMA.replace('customer_id INTEGER NOT NULL REFERENCES', 'customer_id INTEGER REFERENCES') })
    expect(forward.up).toMatch(/CREATE TABLE "_migrator_new_orders"[\s\S]*REFERENCES "customers" \("id"\) ON DELETE CASCADE/)
  })

  it('a generated column turning VIRTUAL → STORED, and a partial index predicate changing, round-trip with rows kept', async () => {
    p = project('rebuild-generated')
    const desired = SCHEMA.replace("coalesce(last, '')) VIRTUAL", "coalesce(last, '')) STORED").replace('WHERE email IS NOT NULL', "WHERE email IS NOT NULL AND email <> ''")
    const { forward } = await roundTrip(p, { current: SCHEMA, seed: SEED, desired })
    expect(forward.up).toMatch(/GENERATED ALWAYS AS \(first \|\| ' ' \|\| coalesce\(last, ''\)\) STORED/)
    expect(forward.up).toMatch(/WHERE email IS NOT NULL AND email <> ''/)
  })

  it('an expression index whose expression changes is recreated; the table is not rebuilt', async () => {
    p = project('expr-index')
    const { forward } = await roundTrip(p, { current: SCHEMA, seed: SEED, desired: SCHEMA.replace('score * 2 DESC', 'score * 3 DESC') })
    expect(forward.up).toMatch(/DROP INDEX "customers_expr"/)
    expect(forward.up).toMatch(/CREATE INDEX "customers_expr" ON "customers" \(\(score \* 3\) DESC/)
    expect(forward.up).not.toMatch(/CREATE TABLE/)
  })
})
