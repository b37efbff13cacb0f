import { assertNever, type Change, type TableChange } from './changes.js'
import { qualifiedName } from './model.js'

/**
 * One line for humans about a change, independent of how a dialect carries it out (a SQLite rebuild
 * is one change, many statements): `alter table "posts": add column "body", drop index "x"`.
 */
export function describeChange(change: Change): string {
  switch (change.kind) {
    case 'createTable':
      return `create table ${name(change.table)}`
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
      return `${verb(change.kind)} column ${quote(change.column.name)}`
    case 'alterColumn':
      return `change ${change.aspects.join('/')} of column ${quote(change.to.name)}`
    case 'renameColumn':
      return `rename column ${quote(change.from.name)} to ${quote(change.to.name)}`
    case 'addIndex':
    case 'dropIndex':
      return `${verb(change.kind)} index ${quote(change.index.name)}`
    case 'renameIndex':
      return `rename index ${quote(change.from.name)} to ${quote(change.to.name)}`
    case 'addUnique':
    case 'dropUnique':
      return `${verb(change.kind)} unique (${change.unique.columns.map(quote).join(', ')})`
    case 'addForeignKey':
    case 'dropForeignKey':
      return `${verb(change.kind)} foreign key (${change.foreignKey.columns.map(quote).join(', ')}) → ${quote(change.foreignKey.refTable)}`
    case 'addCheck':
    case 'dropCheck':
      return `${verb(change.kind)} check ${change.check.name === undefined ? `(${change.check.expression})` : quote(change.check.name)}`
    case 'addPrimaryKey':
    case 'dropPrimaryKey':
      return `${verb(change.kind)} primary key (${change.primaryKey.columns.map(quote).join(', ')})`
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
  return quote(qualifiedName(item))
}

function quote(text: string): string {
  return `"${text}"`
}
