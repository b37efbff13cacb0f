import type { Column, ForeignKey, Index, Table } from '../../schema/model.js'
import { renderDefault } from './normalize.js'
import { quoteIdent } from './quote.js'

/**
 * DDL text for model objects, written so that inspecting what it creates gives the same model back
 * (see inspect.ts for the normal form).
 */

const list = (names: readonly string[]) => names.map(quoteIdent).join(', ')
const constraintName = (name: string | undefined) => (name === undefined ? '' : `CONSTRAINT ${quoteIdent(name)} `)

/** True when the column carries AUTOINCREMENT, which SQLite only accepts inline on the PK column. */
function inlinePrimaryKey(table: Table, column: Column): boolean {
  const pk = table.primaryKey
  return column.identity !== undefined && pk !== undefined && pk.columns.length === 1 && pk.columns[0] === column.name
}

/** One column definition as used in CREATE TABLE and ALTER TABLE ADD COLUMN. */
export function columnSql(table: Table, column: Column, inlineReference?: ForeignKey): string {
  let sql = quoteIdent(column.name)
  if (column.type !== '') sql += ` ${column.type}`
  if (inlinePrimaryKey(table, column)) sql += ` ${constraintName(table.primaryKey?.name)}PRIMARY KEY AUTOINCREMENT`
  if (!column.nullable) sql += ' NOT NULL'
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
  if (fk.deferrable !== undefined) sql += ` DEFERRABLE INITIALLY ${fk.deferrable}`
  return sql
}

/** CREATE TABLE with every column and constraint inline; `name` overrides the table's name. */
export function createTableSql(table: Table, name: string = table.name): string {
  const lines = table.columns.map((c) => columnSql(table, c))
  const pk = table.primaryKey
  if (pk !== undefined && !table.columns.some((c) => inlinePrimaryKey(table, c))) {
    lines.push(`${constraintName(pk.name)}PRIMARY KEY (${list(pk.columns)})`)
  }
  for (const u of table.uniques) lines.push(`${constraintName(u.name)}UNIQUE (${list(u.columns)})`)
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
