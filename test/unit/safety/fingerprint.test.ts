import { describe, expect, it } from 'vitest'
import { parseDirectives } from '../../../src/migrations/directives.js'
import { changeFingerprint } from '../../../src/safety/fingerprint.js'
import type { Column, Schema, Table } from '../../../src/schema/model.js'

const column = (name: string, type = 'text', patch: Partial<Column> = {}): Column => ({ name, type, nullable: true, ...patch })
const table = (name: string, columns: readonly Column[], patch: Partial<Table> = {}): Table => ({
  name, columns, indexes: [], uniques: [], foreignKeys: [], checks: [], options: {}, primaryKey: { columns: ['id'] }, ...patch,
})
const schema = (...tables: Table[]): Schema => ({ tables, views: [], objects: [] })

const base = schema(table('users', [column('id', 'integer', { nullable: false }), column('email')]))
const withA = schema(table('users', [column('id', 'integer', { nullable: false }), column('email'), column('a')]))
const withB = schema(table('users', [column('id', 'integer', { nullable: false }), column('email'), column('b', 'integer')]))
const withAB = schema(table('users', [column('id', 'integer', { nullable: false }), column('email'), column('a'), column('b', 'integer')]))
const withBA = schema(table('users', [column('id', 'integer', { nullable: false }), column('email'), column('b', 'integer'), column('a')]))

describe('changeFingerprint: what a migration is responsible for', () => {
  it('names the parts that change', () => {
    expect(changeFingerprint(base, withA).parts).toEqual(['column users.a'])
    const indexed = schema(table('users', base.tables[0]!.columns, { indexes: [{ name: 'users_email', parts: [{ column: 'email' }], unique: false }] }))
    expect(changeFingerprint(base, indexed).parts).toEqual(['index users.users_email'])
    expect(changeFingerprint(base, schema()).parts).toEqual(['column users.email', 'column users.id', 'table users'])
  })

  it('independent changes on one table keep their fingerprints in either order (two branches, one merge)', () => {
    const b = changeFingerprint(base, withB)
    // b generated on its branch; applied after a was merged and ran first.
    expect(changeFingerprint(withA, withAB)).toEqual(b)
    expect(changeFingerprint(withB, withBA)).toEqual(changeFingerprint(base, withA))
  })

  it('a second change of the same column keeps its after but not its before (a conflict)', () => {
    const narrow = (type: string) => schema(table('users', [column('id', 'integer', { nullable: false }), column('email', type)]))
    const generated = changeFingerprint(base, narrow('varchar(200)'))
    const merged = changeFingerprint(narrow('varchar(100)'), narrow('varchar(200)'))
    expect(merged.after).toBe(generated.after)
    expect(merged.before).not.toBe(generated.before)
    expect(merged.parts).toEqual(['column users.email'])
  })

  it('is read back from the directive diff writes; the older whole-schema form still parses', () => {
    const { before, after } = changeFingerprint(base, withA)
    expect(parseDirectives(`-- migrator:expect-schema ${before} -> ${after}\nALTER TABLE users ADD COLUMN a text;\n`, 'x.up.sql').expectChanges).toEqual({ before, after })
    expect(parseDirectives(`-- migrator:expect-schema ${after}\nSELECT 1;\n`, 'x.up.sql').expectSchema).toBe(after)
    expect(() => parseDirectives(`-- migrator:expect-schema ${after} -> nope\nSELECT 1;\n`, 'x.up.sql')).toThrow(/sha256:<64 hex digits> -> sha256:<64 hex digits>/)
  })
})
