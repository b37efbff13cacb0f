import type { PlanOptions } from '../dialect.js'
import type { Change } from '../../schema/changes.js'
import type { ValueLoss } from '../../schema/plan.js'
import type { Column, Schema, SchemaObject, Table } from '../../schema/model.js'
import { enumLabels } from './normalize.js'
import { label, stmt, type Ctx } from './plan-context.js'
import { qualify, quoteIdent, quoteLiteral } from './quote.js'

/** Columns of `schema` whose type is the enum (by bare, qualified or quoted name). */
function enumColumns(schema: Schema | undefined, object: SchemaObject): { table: Table; column: Column }[] {
  const names = new Set([object.name, quoteIdent(object.name), `${object.schema}.${object.name}`, qualify(object)])
  const out: { table: Table; column: Column }[] = []
  for (const table of schema?.tables ?? []) {
    for (const column of table.columns) if (names.has(column.type)) out.push({ table, column })
  }
  return out
}

export function alterEnum(ctx: Ctx, change: Change, from: SchemaObject, to: SchemaObject): void {
  const q = qualify(to)
  const before = enumLabels(from.definition)
  const after = enumLabels(to.definition)
  const kept = after.filter((l) => before.includes(l))
  const appendOnly = before.every((l) => after.includes(l)) && kept.every((l, i) => l === before[i])
  const rebuildBack = rebuildEnum(ctx.options.desired, to, from)
  if (appendOnly) {
    // ADD VALUE cannot be undone in place; the reverse rebuilds the type with the old labels.
    // Note: on PostgreSQL 12+ ADD VALUE runs inside a transaction, but the new label cannot be used
    // until that transaction commits.
    let first = true
    after.forEach((value, i) => {
      if (before.includes(value)) return
      const next = after.slice(i + 1).find((l) => before.includes(l))
      const position = next === undefined ? '' : ` BEFORE ${quoteLiteral(next)}`
      ctx.out.push(stmt(change, `ALTER TYPE ${q} ADD VALUE ${quoteLiteral(value)}${position}`, first ? rebuildBack : [], `add value ${value} to enum ${label(to)}`))
      first = false
    })
    return
  }
  const forward = rebuildEnum(ctx.options.current, from, to)
  forward.forEach((sql, i) => ctx.out.push(stmt(change, sql, i === 0 ? rebuildBack : [], `rebuild enum ${label(to)}`, ['rewrite'])))
}

/** Renames the old type away, creates the new one, converts every column through text, drops the old. */
function rebuildEnum(schema: Schema | undefined, from: SchemaObject, to: SchemaObject): string[] {
  const oldName = `${to.name}__old`.slice(0, 63)
  const oldQ = qualify({ schema: to.schema, name: oldName })
  const q = qualify(to)
  const sql = [`ALTER TYPE ${q} RENAME TO ${quoteIdent(oldName)}`, to.definition]
  for (const { table, column } of enumColumns(schema, from)) {
    const col = `ALTER TABLE ${qualify(table)} ALTER COLUMN ${quoteIdent(column.name)}`
    if (column.default !== undefined) sql.push(`${col} DROP DEFAULT`)
    sql.push(`${col} TYPE ${q} USING ${quoteIdent(column.name)}::text::${q}`)
    if (column.default !== undefined) sql.push(`${col} SET DEFAULT ${column.default.replace(/::[^:]+$/, '')}::${q}`)
  }
  sql.push(`DROP TYPE ${oldQ}`)
  return sql
}

/** Rows that hold an enum label the change removes (see Driver.valueLosses). */
export function enumValueLosses(change: Change, options: PlanOptions): ValueLoss[] {
  return []
}
