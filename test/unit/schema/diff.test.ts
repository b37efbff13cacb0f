import { describe, expect, it } from 'vitest'
import type { Capabilities } from '../../../src/schema/plan.js'
import { diffSchemas } from '../../../src/schema/diff.js'
import type { Column, ForeignKey, Schema, Table } from '../../../src/schema/model.js'

const col = (name: string, type = 'integer', extra: Partial<Column> = {}): Column => ({ name, type, nullable: true, ...extra })
const fk = (columns: string[], refTable: string, refColumns = ['id']): ForeignKey => ({
  columns, refTable, refColumns, onDelete: 'NO ACTION', onUpdate: 'NO ACTION',
})
const table = (name: string, columns: readonly Column[], extra: Partial<Table> = {}): Table => ({
  name, columns, primaryKey: { columns: ['id'] }, indexes: [], uniques: [], foreignKeys: [], checks: [], options: {}, ...extra,
})
const schema = (tables: Table[], extra: Partial<Schema> = {}): Schema => ({ tables, views: [], objects: [], ...extra })
const strict: Capabilities = { transactionalDdl: true, schemas: true, forwardForeignKeys: false, schemaScopedIndexNames: true, exclusiveRunnerLock: true }

const users = table('users', [col('id'), col('email', 'text')])
const posts = table('posts', [col('id'), col('user_id')], { foreignKeys: [fk(['user_id'], 'users')] })

describe('diffSchemas', () => {
  it('finds nothing between a schema and itself', () => {
    expect(diffSchemas(schema([users, posts]), schema([users, posts])).changes).toEqual([])
  })

  it('creates referenced tables before the tables that reference them', () => {
    const { changes } = diffSchemas(schema([]), schema([posts, users]))
    expect(changes.map((c) => c.kind === 'createTable' && c.table.name)).toEqual(['users', 'posts'])
  })

  it('drops referencing tables before the tables they reference', () => {
    const { changes } = diffSchemas(schema([users, posts]), schema([]), { capabilities: strict })
    expect(changes.map((c) => c.kind === 'dropTable' && c.table.name)).toEqual(['posts', 'users'])
  })

  it('detaches FKs that close a cycle when the dialect checks FK targets at creation', () => {
    const a = table('a', [col('id'), col('b_id')], { foreignKeys: [fk(['b_id'], 'b')] })
    const b = table('b', [col('id'), col('a_id')], { foreignKeys: [fk(['a_id'], 'a')] })
    const { changes } = diffSchemas(schema([]), schema([a, b]), { capabilities: strict })
    expect(changes.map((c) => c.kind)).toEqual(['createTable', 'createTable', 'alterTable'])
    const [first, second, third] = changes
    expect(first?.kind === 'createTable' && first.table.foreignKeys).toEqual([])
    expect(second?.kind === 'createTable' && second.table.foreignKeys).toHaveLength(1)
    expect(third?.kind === 'alterTable' && third.changes.map((c) => c.kind)).toEqual(['addForeignKey'])
  })

  it('reports each column aspect that changed', () => {
    const to = table('users', [col('id'), col('email', 'varchar(100)', { nullable: false, default: "''" })])
    const { changes } = diffSchemas(schema([users]), schema([to]))
    expect(changes).toHaveLength(1)
    const change = changes[0]!
    expect(change.kind).toBe('alterTable')
    if (change.kind !== 'alterTable') return
    expect(change.changes).toEqual([
      { kind: 'alterColumn', from: users.columns[1], to: to.columns[1], aspects: ['type', 'nullable', 'default'] },
    ])
  })

  it('renames a column only when the target declares renamedFrom, and flags look-alikes', () => {
    const lookalike = table('users', [col('id'), col('mail', 'text')])
    const guessed = diffSchemas(schema([users]), schema([lookalike]))
    const kinds = guessed.changes.flatMap((c) => (c.kind === 'alterTable' ? c.changes.map((t) => t.kind) : []))
    expect(kinds).toEqual(['dropColumn', 'addColumn'])
    expect(guessed.renameCandidates).toEqual([{ kind: 'column', table: 'users', from: 'email', to: 'mail' }])

    const declared = table('users', [col('id'), col('mail', 'text', { renamedFrom: 'email' })])
    const renamed = diffSchemas(schema([users]), schema([declared]))
    const change = renamed.changes[0]
    expect(change?.kind === 'alterTable' && change.changes.map((t) => t.kind)).toEqual(['renameColumn'])
  })

  it('a declared rename onto a name the table still has drops that column and renames the other (a zero-downtime contract)', () => {
    const expanded = table('users', [col('id'), col('n'), col('n__new', 'bigint')])
    const contracted = table('users', [col('id'), col('n', 'bigint', { renamedFrom: 'n__new' })])
    const change = diffSchemas(schema([expanded]), schema([contracted])).changes[0]
    expect(change?.kind === 'alterTable' && change.changes.map((t) => (t.kind === 'dropColumn' ? `drop ${t.column.name}` : t.kind === 'renameColumn' ? `rename ${t.from.name} to ${t.to.name}` : t.kind))).toEqual([
      'drop n',
      'rename n__new to n',
    ])
  })

  it('renames a table declared with renamedFrom and keeps FKs that follow it', () => {
    const people = { ...users, name: 'people', renamedFrom: 'users' }
    const posts2 = { ...posts, foreignKeys: [fk(['user_id'], 'people')] }
    const { changes } = diffSchemas(schema([users, posts]), schema([people, posts2]))
    expect(changes.map((c) => c.kind)).toEqual(['renameTable'])
  })

  it('matches unnamed constraints by shape and named ones by name', () => {
    const withCheck = table('users', users.columns, { checks: [{ expression: 'id > 0' }] })
    expect(diffSchemas(schema([withCheck]), schema([withCheck])).changes).toEqual([])
    const other = table('users', users.columns, { checks: [{ expression: 'id > 1' }] })
    const change = diffSchemas(schema([withCheck]), schema([other])).changes[0]
    expect(change?.kind === 'alterTable' && change.changes.map((t) => t.kind)).toEqual(['dropCheck', 'addCheck'])
  })

  it('drops views first and creates them last, dependencies first', () => {
    const v1 = { name: 'active_users', definition: 'CREATE VIEW active_users AS SELECT * FROM users' }
    const v2 = { name: 'emails', definition: 'CREATE VIEW emails AS SELECT email FROM active_users' }
    const to = table('users', [...users.columns, col('active')])
    const { changes } = diffSchemas(schema([users], { views: [v1, v2] }), schema([to], { views: [v2, { ...v1, definition: v1.definition + ' WHERE active' }] }))
    expect(changes.map((c) => `${c.kind}:${'view' in c ? c.view.name : ''}`)).toEqual([
      'dropView:emails', 'dropView:active_users', 'alterTable:', 'createView:active_users', 'createView:emails',
    ])
  })

  it('creates types before tables and triggers after them', () => {
    const enumType = { kind: 'enum' as const, name: 'mood', definition: "CREATE TYPE mood AS ENUM ('a')" }
    const trigger = { kind: 'trigger' as const, name: 't', table: 'users', definition: 'CREATE TRIGGER t …' }
    const { changes } = diffSchemas(schema([]), schema([users], { objects: [trigger, enumType] }))
    expect(changes.map((c) => c.kind === 'createObject' ? c.object.kind : c.kind)).toEqual(['enum', 'createTable', 'trigger'])
  })

  it('creates namespaces first and drops them last, around everything they hold', () => {
    const ns = (name: string) => ({ kind: 'schema' as const, name, definition: `CREATE SCHEMA ${name}` })
    const policy = { kind: 'policy' as const, schema: 'app', name: 'p', table: 'users', definition: 'CREATE POLICY p …' }
    const enumType = { kind: 'enum' as const, schema: 'app', name: 'mood', definition: "CREATE TYPE app.mood AS ENUM ('a')" }
    const app = (t: Table): Table => ({ ...t, schema: 'app' })
    const withApp = schema([app(users)], { objects: [ns('public'), ns('app'), enumType, policy] })
    const bare = schema([], { objects: [ns('public')] })
    const kinds = (changes: readonly { kind: string }[]) =>
      changes.map((c) => ('object' in c ? `${c.kind}:${(c as { object: { kind: string } }).object.kind}` : c.kind))
    expect(kinds(diffSchemas(bare, withApp, { capabilities: strict }).changes)).toEqual(['createObject:schema', 'createObject:enum', 'createTable', 'createObject:policy'])
    expect(kinds(diffSchemas(withApp, bare, { capabilities: strict }).changes)).toEqual(['dropObject:policy', 'dropTable', 'dropObject:enum', 'dropObject:schema'])
  })

  it('leaves namespaces alone when the target declares none (a schema module from before they were modelled)', () => {
    const live = schema([users], { objects: [{ kind: 'schema', name: 'public', definition: 'CREATE SCHEMA public' }] })
    expect(diffSchemas(live, schema([users])).changes).toEqual([])
  })
})
