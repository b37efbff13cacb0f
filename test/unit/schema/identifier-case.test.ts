import { describe, expect, it } from 'vitest'
import { diffSchemas } from '../../../src/schema/diff.js'
import { applyRenames, type DeclaredRename } from '../../../src/target/renames.js'
import type { Column, ForeignKey, Schema, Table } from '../../../src/schema/model.js'
import type { Capabilities, IdentifierCase } from '../../../src/schema/plan.js'

const col = (name: string, type = 'int'): Column => ({ name, type, nullable: true })
const fk = (columns: string[], refTable: string, name?: string): ForeignKey => ({
  ...(name === undefined ? {} : { name }), columns, refTable, refColumns: ['id'], onDelete: 'NO ACTION', onUpdate: 'NO ACTION',
})
const table = (name: string, columns: readonly Column[], extra: Partial<Table> = {}): Table => ({
  name, columns, primaryKey: { columns: ['id'] }, indexes: [], uniques: [], foreignKeys: [], checks: [], options: {}, ...extra,
})
const schema = (tables: Table[]): Schema => ({ tables, views: [], objects: [] })
const capabilities = (identifierCase?: IdentifierCase): Capabilities => ({
  transactionalDdl: false, schemas: false, forwardForeignKeys: false, schemaScopedIndexNames: false, exclusiveRunnerLock: true,
  ...(identifierCase === undefined ? {} : { identifierCase }),
})
const MYSQL_LCTN0: IdentifierCase = { tables: 'sensitive', columns: 'preserving', indexes: 'preserving' }
const MYSQL_LCTN1: IdentifierCase = { tables: 'folding', columns: 'preserving', indexes: 'preserving' }
const MYSQL_LCTN2: IdentifierCase = { tables: 'preserving', columns: 'preserving', indexes: 'preserving' }

const users = table('users', [col('id'), col('email', 'text')], { indexes: [{ name: 'idx_email', unique: false, parts: [{ column: 'email' }] }] })
const posts = table('posts', [col('id'), col('user_id')], { foreignKeys: [fk(['user_id'], 'users', 'fk_user')] })

const kinds = (s: { changes: readonly { kind: string }[] }): string[] => s.changes.map((c) => c.kind)

describe('diffSchemas: names that differ only in letter case', () => {
  const Users = table('Users', [col('ID'), col('Email', 'text')], { primaryKey: { columns: ['ID'] }, indexes: [{ name: 'IDX_EMAIL', unique: false, parts: [{ column: 'EMAIL' }] }] })
  const Posts = table('posts', [col('id'), col('USER_ID')], { foreignKeys: [fk(['user_id'], 'USERS', 'FK_USER')] })

  it('without identifierCase every name is case-sensitive: a drop and a create (as before)', () => {
    expect(kinds(diffSchemas(schema([users]), schema([Users]), { capabilities: capabilities() }))).toEqual(['createTable', 'dropTable'])
  })

  it('lower_case_table_names=1 (tables folding): the same table; columns and indexes are respelled, never dropped', () => {
    const { changes } = diffSchemas(schema([users, posts]), schema([Users, Posts]), { capabilities: capabilities(MYSQL_LCTN1) })
    // (The FK drop of posts runs first, in an alterTable of its own.)
    expect(new Set(kinds({ changes }))).toEqual(new Set(['alterTable']))
    const inner = changes.flatMap((c) => (c.kind === 'alterTable' ? c.changes.map((t) => `${c.to.name}:${t.kind}`) : []))
    expect(inner.sort()).toEqual([
      'Users:renameColumn', 'Users:renameColumn', 'Users:renameIndex',
      // The FK under its new spelling: constraints have no RENAME, so it is recreated.
      'posts:addForeignKey', 'posts:dropForeignKey', 'posts:renameColumn',
    ].sort())
    expect(changes.some((c) => c.kind === 'renameTable')).toBe(false)
  })

  it('lower_case_table_names=2 (tables preserving): the table is renamed to the new spelling, FKs follow it', () => {
    const { changes } = diffSchemas(schema([users, posts]), schema([Users, { ...posts, foreignKeys: [fk(['user_id'], 'Users', 'fk_user')] }]), { capabilities: capabilities(MYSQL_LCTN2) })
    expect(kinds({ changes })).toEqual(['renameTable', 'alterTable'])
    const rename = changes[0]
    expect(rename?.kind === 'renameTable' && [rename.from.name, rename.to.name]).toEqual(['users', 'Users'])
  })

  it('lower_case_table_names=0 (tables sensitive): a declared rename is a RENAME, an undeclared one a drop + create with a rename hint', () => {
    const declared = diffSchemas(schema([users]), schema([{ ...users, name: 'Users', renamedFrom: 'users' }]), { capabilities: capabilities(MYSQL_LCTN0) })
    expect(kinds(declared)).toEqual(['renameTable'])
    const undeclared = diffSchemas(schema([users]), schema([{ ...users, name: 'Users' }]), { capabilities: capabilities(MYSQL_LCTN0) })
    expect(kinds(undeclared)).toEqual(['createTable', 'dropTable'])
    expect(undeclared.renameCandidates).toEqual([{ kind: 'table', table: 'users', from: 'users', to: 'Users' }])
  })

  it('a declared column rename whose old name differs only in case is the same respelling', () => {
    const to = table('users', [col('id'), { ...col('EMAIL', 'text'), renamedFrom: 'email' }], { indexes: users.indexes })
    const { changes } = diffSchemas(schema([users]), schema([to]), { capabilities: capabilities(MYSQL_LCTN0) })
    const alter = changes[0]
    expect(alter?.kind === 'alterTable' && alter.changes.map((c) => c.kind)).toEqual(['renameColumn'])
  })

  it('still finds real changes behind a respelling', () => {
    const to = table('users', [col('id'), col('Email', 'varchar(10)')], { indexes: users.indexes })
    const { changes } = diffSchemas(schema([users]), schema([to]), { capabilities: capabilities(MYSQL_LCTN0) })
    const alter = changes[0]
    expect(alter?.kind === 'alterTable' && alter.changes.map((c) => (c.kind === 'alterColumn' ? `${c.kind}:${c.aspects.join()}` : c.kind))).toEqual(['renameColumn', 'alterColumn:type'])
  })
})

describe('applyRenames: declared renames find names as the server matches them', () => {
  const folded = schema([table('users', [col('id'), col('email_address', 'text')])])
  const renames: DeclaredRename[] = [
    { kind: 'table', table: 'Users', from: 'People', to: 'Users', where: 'schema.sql:1' },
    { kind: 'column', table: 'Users', from: 'email', to: 'Email_Address', where: 'schema.sql:2' },
  ]

  it('lower_case_table_names=1: a rename into `Users` names the table stored as `users`; the differ then renames', () => {
    const marked = applyRenames(folded, renames, MYSQL_LCTN1)
    expect(marked.tables[0]?.renamedFrom).toBe('People')
    expect(marked.tables[0]?.columns[1]?.renamedFrom).toBe('email')
    const live = schema([table('people', [col('id'), col('email', 'text')])])
    const { changes } = diffSchemas(live, marked, { capabilities: capabilities(MYSQL_LCTN1) })
    expect(kinds({ changes })).toEqual(['renameTable', 'alterTable'])
  })

  it('where case matters the names must be spelled as stored', () => {
    expect(() => applyRenames(folded, renames)).toThrow('schema.sql:1: the target has no table Users to rename into')
  })
})
