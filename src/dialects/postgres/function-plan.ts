import type { Change } from '../../schema/changes.js'
import type { SchemaObject, View } from '../../schema/model.js'
import { createView, dropView, viewExtras } from './ddl.js'
import { createObject, dropObject } from './object-ddl.js'
import { label, stmt, tokenIn, type Ctx } from './plan-context.js'
import { qualify, quoteIdent } from './quote.js'

/**
 * Function changes that `CREATE OR REPLACE` cannot make: a different result type (`RETURNS`), or
 * a different header (parameter names, defaults, OUT parameters). Those drop the function and
 * create it again, with what depends on it taken down and put back around that.
 */

/** pg_get_functiondef's first line (`CREATE OR REPLACE FUNCTION s.f(a integer DEFAULT 1)`) and RETURNS line. */
function header(definition: string): string {
  const lines = definition.split('\n')
  return [lines[0] ?? '', lines.find((l) => /^\s*RETURNS\s/.test(l)) ?? ''].join('\n')
}

export function replaceable(from: SchemaObject, to: SchemaObject): boolean {
  return header(from.definition) === header(to.definition)
}

const same = (a: { readonly schema?: string; readonly name: string }, b: { readonly schema?: string; readonly name: string }): boolean =>
  a.name === b.name && a.schema === b.schema

/**
 * DROP FUNCTION + CREATE FUNCTION for `from` → `to`. Views that call it (and are not dropped and
 * created by the plan anyway) are dropped first and created again after; column defaults that call
 * it are dropped and set again. Anything else that uses it (a CHECK, an index, a generated column,
 * a trigger) makes DROP FUNCTION fail, so the migration stops instead of losing it silently.
 */
export function recreateFunction(ctx: Ctx, change: Change, from: SchemaObject, to: SchemaObject): void {
  const push = (sql: string, reverse: readonly string[], comment: string): void => {
    ctx.out.push(stmt(change, sql, reverse, comment))
  }
  const name = from.name.replace(/\(.*$/, '')
  const views: View[] = (ctx.options.current?.views ?? []).filter(
    (v) => tokenIn(v.definition, name) && !ctx.changes.some((c) => c.kind === 'dropView' && same(c.view, v)),
  )
  // At this point of the plan, tables already have the desired defaults.
  const defaults = (ctx.options.desired?.tables ?? []).flatMap((table) =>
    table.columns
      .filter((column) => column.default !== undefined && tokenIn(column.default, name))
      .map((column) => ({ alter: `ALTER TABLE ${qualify(table)} ALTER COLUMN ${quoteIdent(column.name)}`, value: column.default!, what: `${table.name}.${column.name}` })),
  )
  for (const v of views) push(dropView(v), [createView(v), ...viewExtras(v)], `drop view ${label(v)} (calls ${label(from)})`)
  for (const d of defaults) push(`${d.alter} DROP DEFAULT`, [`${d.alter} SET DEFAULT ${d.value}`], `drop default of ${d.what} (calls ${label(from)})`)
  push(dropObject(from), createObject(from), `drop function ${label(from)} (its result type or parameters change)`)
  const [create = '', ...comment] = createObject(to)
  push(create, [dropObject(to)], `create function ${label(to)}`)
  for (const sql of comment) push(sql, [], `comment on function ${label(to)}`)
  for (const d of defaults) push(`${d.alter} SET DEFAULT ${d.value}`, [`${d.alter} DROP DEFAULT`], `set default of ${d.what}`)
  for (const v of views) {
    const desired = ctx.options.desired?.views.find((d) => same(d, v))
    if (desired === undefined || ctx.changes.some((c) => c.kind === 'createView' && same(c.view, v))) continue
    push(createView(desired), [dropView(desired)], `recreate view ${label(desired)}`)
    for (const extra of viewExtras(desired)) push(extra, [], `index or comment on view ${label(desired)}`)
  }
}
