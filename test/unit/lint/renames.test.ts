import { describe, expect, it } from 'vitest'
import { withDeclaredRenames } from '../../../src/lint/renames.js'
import type { Schema, Table } from '../../../src/schema/model.js'

const table = (name: string, columns: string[]): Table => ({
  name, columns: columns.map((c) => ({ name: c, type: 'int', nullable: true })), indexes: [], uniques: [], foreignKeys: [], checks: [], options: {},
})
const after: Schema = { tables: [table('users', ['id', 'handle', 'email'])], views: [], objects: [] }
const renamedFrom = (schema: Schema) => Object.fromEntries(schema.tables[0]!.columns.filter((c) => c.renamedFrom !== undefined).map((c) => [c.name, c.renamedFrom]))

describe('withDeclaredRenames: renames a file spells out are renames, not a drop and an add', () => {
  it('ALTER TABLE … RENAME COLUMN', () => {
    expect(renamedFrom(withDeclaredRenames(after, ['ALTER TABLE "users" RENAME COLUMN "nick" TO "handle"']))).toEqual({ handle: 'nick' })
  })

  it('MySQL CHANGE COLUMN with a new name; the same name (a retype) is no rename', () => {
    expect(renamedFrom(withDeclaredRenames(after, ['ALTER TABLE `users` CHANGE COLUMN `nick` `handle` varchar(20) NOT NULL']))).toEqual({ handle: 'nick' })
    expect(renamedFrom(withDeclaredRenames(after, ['ALTER TABLE `users` CHANGE `email` `EMAIL` varchar(200)']))).toEqual({})
  })

  it('MySQL: a CHANGE or RENAME COLUMN clause after other clauses of one ALTER TABLE', () => {
    expect(renamedFrom(withDeclaredRenames(after, ['ALTER TABLE `users` DROP COLUMN `handle`, CHANGE COLUMN `handle__new` `handle` bigint NOT NULL DEFAULT 5']))).toEqual({ handle: 'handle__new' })
    expect(renamedFrom(withDeclaredRenames(after, ['ALTER TABLE `users` ADD COLUMN `x` int, RENAME COLUMN `mail` TO `email`']))).toEqual({ email: 'mail' })
    expect(renamedFrom(withDeclaredRenames(after, ["ALTER TABLE `users` ADD COLUMN `x` varchar(9) DEFAULT 'a, CHANGE nick handle '"]))).toEqual({})
  })

  it("a rebuild's copy carries a column's values to a new name; an expression is not a rename", () => {
    const rebuild = [
      'CREATE TABLE "users_new" ("id" int, "handle" int, "email" int)',
      'INSERT INTO "users_new" ("id", "handle", "email") SELECT "id", "nick", "email" FROM "users"',
      'DROP TABLE "users"',
      'ALTER TABLE "users_new" RENAME TO "users"',
    ]
    expect(renamedFrom(withDeclaredRenames(after, rebuild))).toEqual({ handle: 'nick' })
    const computed = rebuild.map((s) => s.replace('"nick"', 'upper("nick")'))
    expect(renamedFrom(withDeclaredRenames(after, computed))).toEqual({})
  })
})
