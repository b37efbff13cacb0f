import { TargetError } from '../errors.js'
import type { Schema } from '../schema/model.js'
import { nameKey, type IdentifierCase } from '../schema/plan.js'

/**
 * A rename the target declares, so the differ emits a real RENAME instead of drop + add:
 *   -- migrator:rename table users to people
 *   -- migrator:rename column people.email to email_address
 * (`schema.table` works where the dialect has schemas.)
 */
export interface DeclaredRename {
  readonly kind: 'table' | 'column'
  readonly table: string
  readonly from: string
  readonly to: string
  readonly where: string
}

const RENAME = /^\s*--\s*migrator:rename\s+(.*)$/gm
const TABLE = /^table\s+(\S+)\s+to\s+(\S+)\s*$/i
const COLUMN = /^column\s+(\S+)\.([^.\s]+)\s+to\s+(\S+)\s*$/i

export function parseRenames(sql: string, file: string): DeclaredRename[] {
  const renames: DeclaredRename[] = []
  for (const match of sql.matchAll(RENAME)) {
    const body = match[1]!.trim()
    const line = sql.slice(0, match.index).split('\n').length
    const where = `${file}:${line}`
    const table = TABLE.exec(body)
    const column = COLUMN.exec(body)
    if (table !== null) renames.push({ kind: 'table', table: table[2]!, from: table[1]!, to: table[2]!, where })
    else if (column !== null) renames.push({ kind: 'column', table: column[1]!, from: column[2]!, to: column[3]!, where })
    else {
      throw new TargetError(
        `${where}: cannot read "-- migrator:rename ${body}"; write "-- migrator:rename table <old> to <new>" or "-- migrator:rename column <table>.<old> to <new>"`,
      )
    }
  }
  return renames
}

/**
 * Sets `renamedFrom` on the renamed tables and columns; a rename naming nothing is an error. Names
 * match as the server matches them (`identifierCase`): on MySQL with lower_case_table_names=1 a
 * rename into `Users` names the table the server stores as `users`.
 */
export function applyRenames(schema: Schema, renames: readonly DeclaredRename[], identifierCase?: IdentifierCase): Schema {
  if (renames.length === 0) return schema
  const tableKey = (name: string): string => nameKey(name, identifierCase, 'tables')
  const columnKey = (name: string): string => nameKey(name, identifierCase, 'columns')
  const matches = (name: string, table: { schema?: string; name: string }): boolean =>
    tableKey(name) === tableKey(table.name) || name === `${table.schema}.${table.name}`
  for (const rename of renames) {
    const table = schema.tables.find((t) => matches(rename.table, t))
    const found = rename.kind === 'table' ? table !== undefined : table?.columns.some((c) => columnKey(c.name) === columnKey(rename.to))
    if (!found) {
      throw new TargetError(`${rename.where}: the target has no ${rename.kind} ${rename.kind === 'table' ? rename.to : `${rename.table}.${rename.to}`} to rename into`)
    }
  }
  return {
    ...schema,
    tables: schema.tables.map((table) => {
      const tableRename = renames.find((r) => r.kind === 'table' && matches(r.table, table))
      const columnRenames = renames.filter((r) => r.kind === 'column' && matches(r.table, table))
      return {
        ...table,
        ...(tableRename === undefined ? {} : { renamedFrom: tableRename.from.split('.').pop()! }),
        columns: table.columns.map((column) => {
          const rename = columnRenames.find((r) => columnKey(r.to) === columnKey(column.name))
          return rename === undefined ? column : { ...column, renamedFrom: rename.from }
        }),
      }
    }),
  }
}
