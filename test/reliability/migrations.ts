import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { writeSum } from '../../src/migrations/sum.js'
import type { DialectName } from './targets.js'

/** One migration of the reliability set: its statements and, per statement, the SQL undoing it. */
export interface Migration {
  readonly version: string
  readonly slug: string
  readonly noTransaction: boolean
  readonly statements: readonly string[]
  /** undo[i] undoes statements[i]. */
  readonly undo: readonly string[]
}

const LONG = 'x'.repeat(90)

/**
 * Eight migrations mixing DDL and data (NULLs, defaults, unicode, boundary numbers, a long string),
 * one data-only and one `no-transaction`, written the same way for every dialect where the SQL
 * allows (a MySQL index is dropped ON its table).
 */
export function reliabilitySet(dialect: DialectName): Migration[] {
  const dropIndex = (index: string, table: string): string => (dialect === 'mysql' ? `DROP INDEX ${index} ON ${table}` : `DROP INDEX ${index}`)
  const m = (n: number, slug: string, pairs: readonly (readonly [string, string])[], noTransaction = false): Migration => ({
    version: `202401010000${String(n).padStart(2, '0')}`,
    slug,
    noTransaction,
    statements: pairs.map((p) => p[0]),
    undo: pairs.map((p) => p[1]),
  })
  return [
    m(1, 'create_users', [
      ['CREATE TABLE users (id int PRIMARY KEY, email varchar(100) NOT NULL, name varchar(200))', 'DROP TABLE users'],
      ["INSERT INTO users (id, email, name) VALUES (1, 'a@example.com', 'Ann'), (2, 'b@example.com', NULL)", 'DELETE FROM users WHERE id IN (1, 2)'],
    ]),
    m(2, 'add_score', [
      ['ALTER TABLE users ADD COLUMN score int DEFAULT 0', 'ALTER TABLE users DROP COLUMN score'],
      ['UPDATE users SET score = id * 10', 'UPDATE users SET score = 0'],
    ]),
    m(3, 'create_orders', [
      ['CREATE TABLE orders (id int PRIMARY KEY, user_id int, total numeric(10,2))', 'DROP TABLE orders'],
      ['CREATE INDEX ix_orders_user ON orders (user_id)', dropIndex('ix_orders_user', 'orders')],
      ['INSERT INTO orders (id, user_id, total) VALUES (1, 1, 9.99), (2, 1, 0.01), (3, 2, 99999999.99)', 'DELETE FROM orders WHERE id IN (1, 2, 3)'],
    ]),
    m(4, 'data_only', [
      ["UPDATE users SET name = 'Bob' WHERE id = 2", 'UPDATE users SET name = NULL WHERE id = 2'],
      [`INSERT INTO users (id, email, name, score) VALUES (3, 'c@example.com', 'Cé ünïcode 中文 ${LONG}', -2147483648)`, 'DELETE FROM users WHERE id = 3'],
      ['DELETE FROM orders WHERE id = 2', 'INSERT INTO orders (id, user_id, total) VALUES (2, 1, 0.01)'],
    ]),
    m(
      5,
      'audit_outside_transaction',
      [
        ['CREATE TABLE audit (id int PRIMARY KEY, note varchar(200))', 'DROP TABLE audit'],
        ["INSERT INTO audit (id, note) VALUES (1, 'first')", 'DELETE FROM audit WHERE id = 1'],
        ['CREATE INDEX ix_audit_note ON audit (note)', dropIndex('ix_audit_note', 'audit')],
        ["INSERT INTO audit (id, note) VALUES (2, NULL)", 'DELETE FROM audit WHERE id = 2'],
      ],
      true,
    ),
    m(6, 'rename_name', [
      ['ALTER TABLE users RENAME COLUMN name TO full_name', 'ALTER TABLE users RENAME COLUMN full_name TO name'],
      ['UPDATE users SET full_name = upper(full_name) WHERE id = 1', "UPDATE users SET full_name = 'Ann' WHERE id = 1"],
    ]),
    m(7, 'create_tags', [
      ['CREATE TABLE tags (id int PRIMARY KEY, label varchar(30))', 'DROP TABLE tags'],
      ["INSERT INTO tags (id, label) VALUES (1, 'x'), (2, '')", 'DELETE FROM tags WHERE id IN (1, 2)'],
      ["ALTER TABLE tags ADD COLUMN color varchar(10) DEFAULT 'red'", 'ALTER TABLE tags DROP COLUMN color'],
    ]),
    m(8, 'more_data', [
      ['INSERT INTO orders (id, user_id, total) VALUES (4, 3, 12.50)', 'DELETE FROM orders WHERE id = 4'],
      ['UPDATE orders SET total = total + 1 WHERE id <> 3', 'UPDATE orders SET total = total - 1 WHERE id <> 3'],
    ]),
  ]
}

/** Writes the set as up/down files (downs as `-- migrator:undo <i>` groups, newest first) and migrator.sum. */
export async function writeMigrations(dir: string, migrations: readonly Migration[]): Promise<void> {
  mkdirSync(dir, { recursive: true })
  for (const m of migrations) {
    const up = [...(m.noTransaction ? ['-- migrator:no-transaction'] : []), ...m.statements.map((s) => `${s};`)].join('\n') + '\n'
    const down = m.undo.map((sql, i) => `-- migrator:undo ${i + 1}\n${sql};`).reverse().join('\n') + '\n'
    writeFileSync(path.join(dir, `${m.version}_${m.slug}.up.sql`), up)
    writeFileSync(path.join(dir, `${m.version}_${m.slug}.down.sql`), down)
  }
  await writeSum(dir)
}
