import { describe, expect, it } from 'vitest'
import { statementEffects, statementTookEffect } from '../../../src/dialects/mysql/effects.js'
import type { Schema, Table } from '../../../src/schema/model.js'

function table(name: string, parts: Partial<Table> = {}): Table {
  return { name, columns: [], indexes: [], uniques: [], foreignKeys: [], checks: [], options: {}, ...parts }
}

const column = (name: string) => ({ name, type: 'int', nullable: true })

/** Before: `users (id, email)` with index `ix_email` and FK `fk_team`; after: what each statement below leaves. */
const before: Schema = {
  tables: [
    table('users', {
      columns: [column('id'), column('email')],
      primaryKey: { columns: ['id'] },
      indexes: [{ name: 'ix_email', parts: [{ column: 'email' }], unique: false }],
      foreignKeys: [{ name: 'fk_team', columns: ['email'], refTable: 'teams', refColumns: ['id'], onDelete: 'NO ACTION', onUpdate: 'NO ACTION' }],
    }),
    table('teams', { columns: [column('id')] }),
  ],
  views: [],
  objects: [],
}

function withUsers(change: (users: Table) => Table): Schema {
  return { ...before, tables: before.tables.map((t) => (t.name === 'users' ? change(t) : t)) }
}

describe('MySQL statement effects (reconciling a statement a killed run left in doubt)', () => {
  const cases: readonly { readonly sql: string; readonly after: Schema }[] = [
    { sql: 'CREATE TABLE `orders` (id int)', after: { ...before, tables: [...before.tables, table('orders')] } },
    { sql: 'CREATE TABLE IF NOT EXISTS orders (id int)', after: { ...before, tables: [...before.tables, table('orders')] } },
    { sql: 'DROP TABLE IF EXISTS teams', after: { ...before, tables: before.tables.filter((t) => t.name !== 'teams') } },
    { sql: 'ALTER TABLE users ADD COLUMN nick varchar(20) NOT NULL DEFAULT \'x\'', after: withUsers((u) => ({ ...u, columns: [...u.columns, column('nick')] })) },
    { sql: 'ALTER TABLE `users` ADD `Nick` int, ALGORITHM=INSTANT', after: withUsers((u) => ({ ...u, columns: [...u.columns, column('nick')] })) },
    { sql: 'ALTER TABLE users DROP COLUMN email, MODIFY id bigint', after: withUsers((u) => ({ ...u, columns: [column('id')] })) },
    { sql: 'CREATE UNIQUE INDEX ux_id ON users (id)', after: withUsers((u) => ({ ...u, indexes: [...u.indexes, { name: 'ux_id', parts: [{ column: 'id' }], unique: true }] })) },
    { sql: 'DROP INDEX ix_email ON users', after: withUsers((u) => ({ ...u, indexes: [] })) },
    { sql: 'ALTER TABLE users DROP FOREIGN KEY fk_team', after: withUsers((u) => ({ ...u, foreignKeys: [] })) },
    { sql: 'ALTER TABLE users CHANGE email mail varchar(50)', after: withUsers((u) => ({ ...u, columns: [column('id'), column('mail')] })) },
    { sql: 'ALTER TABLE users RENAME COLUMN email TO mail', after: withUsers((u) => ({ ...u, columns: [column('id'), column('mail')] })) },
    { sql: 'RENAME TABLE teams TO squads', after: { ...before, tables: [before.tables[0]!, table('squads')] } },
    { sql: 'ALTER TABLE teams RENAME TO squads', after: { ...before, tables: [before.tables[0]!, table('squads')] } },
  ]

  for (const { sql, after } of cases) {
    it(`${sql}: took effect after, not before`, () => {
      expect(statementTookEffect(sql, after, 'app')).toBe(true)
      expect(statementTookEffect(sql, before, 'app')).toBe(false)
    })
  }

  it('cannot tell what is not a matter of presence, and says so', () => {
    for (const sql of [
      'ALTER TABLE users MODIFY email varchar(300)',
      'ALTER TABLE users ENGINE=InnoDB',
      'CREATE OR REPLACE TABLE users (id int)',
      'UPDATE users SET email = NULL',
      'ALTER TABLE users CHANGE email email varchar(300)',
      'RENAME TABLE users TO tmp, teams TO users, tmp TO teams',
      'ALTER TABLE users ADD INDEX (email)',
      '/*!50001 CREATE TABLE x (id int) */',
    ]) {
      expect(statementEffects(sql), sql).toBeUndefined()
      expect(statementTookEffect(sql, before, 'app'), sql).toBeUndefined()
    }
  })

  it('cannot tell about another database, or a table name that differs only in letter case', () => {
    expect(statementTookEffect('CREATE TABLE other.orders (id int)', before, 'app')).toBeUndefined()
    expect(statementTookEffect('CREATE TABLE app.orders (id int)', before, 'app')).toBe(false)
    expect(statementTookEffect('CREATE TABLE Users (id int)', before, 'app')).toBeUndefined()
  })

  it('a schema that matches neither side (something else changed it) cannot tell', () => {
    const half = withUsers((u) => ({ ...u, columns: [column('id'), column('mail'), column('email')] }))
    expect(statementTookEffect('ALTER TABLE users CHANGE email mail varchar(50)', half, 'app')).toBeUndefined()
  })
})
