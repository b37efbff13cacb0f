import type { Column, ForeignKey, Index, Table } from '../../schema/model.js'
import { conflictSql, keyColumnsSql } from './key-options.js'
import { renderDefault } from './normalize.js'
import { quoteIdent } from './quote.js'

/**
 * DDL text for model objects, written so that inspecting what it creates gives the same model back
 * (see inspect.ts for the normal form).
 */

const list = (names: readonly string[]) => names.map(quoteIdent).join(', ')
const constraintName = (name: string | undefined) => (name === undefined ? '' : `CONSTRAINT ${quoteIdent(name)} `)

/**
 * True when the primary key is written on its column: AUTOINCREMENT, which SQLite only accepts
 * there, or a DESC key declared there (which SQLite does not make the rowid; key-options.ts).
 */
function inlinePrimaryKey(table: Table, column: Column): boolean {
  const pk = table.primaryKey
  const inline = column.identity !== undefined || pk?.options?.columnConstraint === true
  return inline && pk !== undefined && pk.columns.length === 1 && pk.columns[0] === column.name
}

/** One column definition as used in CREATE TABLE and ALTER TABLE ADD COLUMN. */
export function columnSql(table: Table, column: Column, inlineReference?: ForeignKey): string {
  let sql = quoteIdent(column.name)
  if (column.type !== '') sql += ` ${column.type}`
  const pk = table.primaryKey
  if (inlinePrimaryKey(table, column)) {
    const order = pk?.options?.order === 'DESC' ? ' DESC' : ''
    sql += ` ${constraintName(pk?.name)}PRIMARY KEY${order}${conflictSql(pk?.options)}${column.identity !== undefined ? ' AUTOINCREMENT' : ''}`
  }
  if (!column.nullable) {
    const onConflict = column.options?.notNullOnConflict
    sql += ` NOT NULL${typeof onConflict === 'string' ? ` ON CONFLICT ${onConflict}` : ''}`
  }
  if (column.default !== undefined) sql += ` DEFAULT ${renderDefault(column.default)}`
  if (column.collation !== undefined) sql += ` COLLATE ${quoteIdent(column.collation)}`
  if (column.generated !== undefined) {
    sql += ` GENERATED ALWAYS AS (${column.generated.expression}) ${column.generated.stored ? 'STORED' : 'VIRTUAL'}`
  }
  if (inlineReference !== undefined) sql += ` ${constraintName(inlineReference.name)}${referencesSql(inlineReference)}`
  return sql
}

function referencesSql(fk: ForeignKey): string {
  let sql = `REFERENCES ${quoteIdent(fk.refTable)}`
  if (fk.refColumns.length > 0) sql += ` (${list(fk.refColumns)})`
  if (fk.onDelete !== 'NO ACTION') sql += ` ON DELETE ${fk.onDelete}`
  if (fk.onUpdate !== 'NO ACTION') sql += ` ON UPDATE ${fk.onUpdate}`
  if (typeof fk.options?.match === 'string') sql += ` MATCH ${fk.options.match}`
  if (fk.deferrable !== undefined) sql += ` DEFERRABLE INITIALLY ${fk.deferrable}`
  return sql
}

/** CREATE TABLE with every column and constraint inline; `name` overrides the table's name. */
export function createTableSql(table: Table, name: string = table.name): string {
  const lines = table.columns.map((c) => columnSql(table, c))
  const pk = table.primaryKey
  if (pk !== undefined && !table.columns.some((c) => inlinePrimaryKey(table, c))) {
    lines.push(`${constraintName(pk.name)}PRIMARY KEY (${keyColumnsSql(pk.columns, pk.options)})${conflictSql(pk.options)}`)
  }
  for (const u of table.uniques) lines.push(`${constraintName(u.name)}UNIQUE (${keyColumnsSql(u.columns, u.options)})${conflictSql(u.options)}`)
  for (const c of table.checks) lines.push(`${constraintName(c.name)}CHECK (${c.expression})`)
  for (const fk of table.foreignKeys) {
    lines.push(`${constraintName(fk.name)}FOREIGN KEY (${list(fk.columns)}) ${referencesSql(fk)}`)
  }
  const options = [table.options.withoutRowid === true ? 'WITHOUT ROWID' : '', table.options.strict === true ? 'STRICT' : '']
    .filter((o) => o !== '')
    .join(', ')
  return `CREATE TABLE ${quoteIdent(name)} (\n  ${lines.join(',\n  ')}\n)${options === '' ? '' : ` ${options}`}`
}

export function createIndexSql(table: string, index: Index): string {
  const parts = index.parts.map((p) => {
    let sql = p.column !== undefined ? quoteIdent(p.column) : `(${p.expression ?? ''})`
    if (p.collation !== undefined) sql += ` COLLATE ${quoteIdent(p.collation)}`
    if (p.desc === true) sql += ' DESC'
    return sql
  })
  const where = index.where === undefined ? '' : ` WHERE ${index.where}`
  return `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${quoteIdent(index.name)} ON ${quoteIdent(table)} (${parts.join(', ')})${where}`
}

export function dropIndexSql(index: Index): string {
  return `DROP INDEX ${quoteIdent(index.name)}`
}
