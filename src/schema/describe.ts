import { assertNever, type Change, type TableChange } from './changes.js'
import type { ForeignKey } from './model.js'

/**
 * One line for humans about a change, independent of how a dialect carries it out (a SQLite rebuild
 * is one change, many statements): `alter table posts: add column body, drop index "x y"`. Names
 * are written bare when they are plain identifiers and double-quoted otherwise, each part of a
 * qualified name on its own (`public."Order Details"`). A created table lists the indexes and
 * foreign keys that come with it, which a dialect may create in statements of their own.
 */
export function describeChange(change: Change): string {
  switch (change.kind) {
    case 'createTable': {
      const { table } = change
      const parts = [...table.indexes.map((i) => `index ${ident(i.name)}`), ...table.foreignKeys.map((fk) => `foreign key ${foreignKey(fk)}`)]
      return `create table ${name(table)}${parts.length === 0 ? '' : ` with ${parts.join(', ')}`}`
    }
    case 'dropTable':
      return `drop table ${name(change.table)}`
    case 'renameTable':
      return `rename table ${name(change.from)} to ${name(change.to)}`
    case 'alterTable':
      return `alter table ${name(change.to)}: ${change.changes.map(describeTableChange).join(', ')}`
    case 'createView':
      return `create view ${name(change.view)}`
    case 'dropView':
      return `drop view ${name(change.view)}`
    case 'createObject':
      return `create ${change.object.kind} ${name(change.object)}`
    case 'dropObject':
      return `drop ${change.object.kind} ${name(change.object)}`
    case 'alterObject':
      return `change ${change.to.kind} ${name(change.to)}`
    default:
      return assertNever(change)
  }
}

export function describeTableChange(change: TableChange): string {
  switch (change.kind) {
    case 'addColumn':
    case 'dropColumn':
      return `${verb(change.kind)} column ${ident(change.column.name)}`
    case 'alterColumn':
      return `change ${change.aspects.join('/')} of column ${ident(change.to.name)}`
    case 'renameColumn':
      return `rename column ${ident(change.from.name)} to ${ident(change.to.name)}`
    case 'addIndex':
    case 'dropIndex':
      return `${verb(change.kind)} index ${ident(change.index.name)}`
    case 'renameIndex':
      return `rename index ${ident(change.from.name)} to ${ident(change.to.name)}`
    case 'addUnique':
    case 'dropUnique':
      return `${verb(change.kind)} unique (${change.unique.columns.map(ident).join(', ')})`
    case 'addForeignKey':
    case 'dropForeignKey':
      return `${verb(change.kind)} foreign key ${foreignKey(change.foreignKey)}`
    case 'addCheck':
    case 'dropCheck':
      return `${verb(change.kind)} check ${change.check.name === undefined ? `(${change.check.expression})` : ident(change.check.name)}`
    case 'addPrimaryKey':
    case 'dropPrimaryKey':
      return `${verb(change.kind)} primary key (${change.primaryKey.columns.map(ident).join(', ')})`
    case 'alterComment':
      return 'change comment'
    case 'alterOptions':
      return 'change table options'
    default:
      return assertNever(change)
  }
}

function verb(kind: string): string {
  return kind.startsWith('add') ? 'add' : 'drop'
}

function name(item: { readonly schema?: string; readonly name: string }): string {
  return item.schema === undefined ? ident(item.name) : `${ident(item.schema)}.${ident(item.name)}`
}

function foreignKey(fk: ForeignKey): string {
  return `(${fk.columns.map(ident).join(', ')}) → ${name({ schema: fk.refSchema, name: fk.refTable })}`
}

/** A name as is when it is a plain identifier, otherwise double-quoted with `"` doubled. */
function ident(text: string): string {
  return /^[A-Za-z_][A-Za-z0-9_$]*$/.test(text) ? text : `"${text.replace(/"/g, '""')}"`
}
