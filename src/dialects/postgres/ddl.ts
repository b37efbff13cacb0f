import type { Check, Index, Table, View } from '../../schema/model.js'
import { qualify, quoteIdent, quoteLiteral } from './quote.js'

/**
 * CREATE/DROP text for indexes, checks and views, shared by the planner and the enum rebuild (which
 * drops and recreates them around it), so a recreated object inspects the same as the original.
 */

function indexPart(part: Index['parts'][number]): string {
  let sql = part.column !== undefined ? quoteIdent(part.column) : `(${part.expression ?? ''})`
  if (part.collation !== undefined) sql += ` COLLATE ${part.collation}`
  const opclass = part.options?.opclass
  if (typeof opclass === 'string') sql += ` ${opclass}`
  if (part.desc === true) sql += ' DESC'
  const nulls = part.options?.nulls
  if (nulls === 'first') sql += ' NULLS FIRST'
  if (nulls === 'last') sql += ' NULLS LAST'
  return sql
}

export function createIndex(table: Table, index: Index, concurrently = false): string {
  let sql = `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${concurrently ? 'CONCURRENTLY ' : ''}${quoteIdent(index.name)} ON ${qualify(table)}`
  if (index.method !== undefined && index.method !== 'btree') sql += ` USING ${index.method}`
  sql += ` (${index.parts.map(indexPart).join(', ')})`
  const include = index.options?.include
  if (typeof include === 'string') sql += ` INCLUDE (${include})`
  if (index.options?.nullsNotDistinct === true) sql += ' NULLS NOT DISTINCT'
  const withOptions = index.options?.with
  if (typeof withOptions === 'string') sql += ` WITH (${withOptions})`
  if (index.where !== undefined) sql += ` WHERE ${index.where}`
  return sql
}

export function dropIndex(table: Table, index: Index, concurrently = false): string {
  return `DROP INDEX ${concurrently ? 'CONCURRENTLY ' : ''}${qualify({ schema: table.schema, name: index.name })}`
}

/** Inspection names every check; the fallback is PostgreSQL's own default name for the first one. */
function checkName(table: Table, check: Check): string {
  return check.name ?? `${table.name}_check`.slice(0, 63)
}

export function addCheck(table: Table, check: Check): string {
  const noInherit = check.options?.noInherit === true ? ' NO INHERIT' : ''
  return `ALTER TABLE ${qualify(table)} ADD CONSTRAINT ${quoteIdent(checkName(table, check))} CHECK (${check.expression})${noInherit}`
}

export function dropCheck(table: Table, check: Check): string {
  return `ALTER TABLE ${qualify(table)} DROP CONSTRAINT ${quoteIdent(checkName(table, check))}`
}

export function createView(view: View): string {
  const withOptions = view.options?.with
  const w = typeof withOptions === 'string' ? ` WITH (${withOptions})` : ''
  return `CREATE ${view.materialized === true ? 'MATERIALIZED ' : ''}VIEW ${qualify(view)}${w} AS\n${view.definition}`
}

/** Comment and (materialized view) index statements that follow CREATE VIEW. */
export function viewExtras(view: View): string[] {
  const out: string[] = []
  for (const [key, value] of Object.entries(view.options ?? {})) {
    if (key.startsWith('index:') && typeof value === 'string') out.push(value)
  }
  if (typeof view.options?.comment === 'string') out.push(viewComment(view))
  return out
}

/** `COMMENT ON [MATERIALIZED] VIEW … IS …` with the view's comment, NULL when it has none. */
export function viewComment(view: View): string {
  const comment = view.options?.comment
  return `COMMENT ON ${view.materialized === true ? 'MATERIALIZED ' : ''}VIEW ${qualify(view)} IS ${typeof comment === 'string' ? quoteLiteral(comment) : 'NULL'}`
}

export function dropView(view: View): string {
  return `DROP ${view.materialized === true ? 'MATERIALIZED ' : ''}VIEW ${qualify(view)}`
}
