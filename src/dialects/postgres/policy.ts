import type { SchemaObject } from '../../schema/model.js'
import { qualify, quoteIdent } from './quote.js'

/**
 * Row-level security policies, carried as SchemaObjects of kind `policy` on their table. The
 * definition is written in one normal form (every clause spelled out) so two inspections compare
 * equal; the options hold the clauses one by one, for ALTER POLICY.
 */

export interface PolicyRow {
  schema: string
  table_name: string
  name: string
  command: string
  permissive: boolean
  roles: string[]
  using_expr: string | null
  check_expr: string | null
  comment: string | null
}

export function policyObject(row: PolicyRow): SchemaObject {
  const table = qualify({ schema: row.schema, name: row.table_name })
  let definition = `CREATE POLICY ${quoteIdent(row.name)} ON ${table} AS ${row.permissive ? 'PERMISSIVE' : 'RESTRICTIVE'} FOR ${row.command} TO ${row.roles.join(', ')}`
  if (row.using_expr !== null) definition += ` USING (${row.using_expr})`
  if (row.check_expr !== null) definition += ` WITH CHECK (${row.check_expr})`
  return {
    kind: 'policy',
    schema: row.schema,
    name: row.name,
    table: row.table_name,
    definition,
    options: {
      command: row.command,
      permissive: row.permissive,
      roles: row.roles.join(', '),
      ...(row.using_expr === null ? {} : { using: row.using_expr }),
      ...(row.check_expr === null ? {} : { check: row.check_expr }),
      ...(row.comment === null ? {} : { comment: row.comment }),
    },
  }
}

/** `"name" ON "schema"."table"`: how DROP/ALTER/COMMENT name a policy. */
export function policyTarget(policy: SchemaObject): string {
  return `${quoteIdent(policy.name)} ON ${qualify({ schema: policy.schema, name: policy.table ?? '' })}`
}

/**
 * The ALTER POLICY that turns `from` into `to`, or undefined when it cannot: the command and
 * PERMISSIVE/RESTRICTIVE are fixed at creation, and a USING or WITH CHECK clause can be replaced
 * but not removed.
 */
export function alterPolicy(from: SchemaObject, to: SchemaObject): string | undefined {
  const a = from.options ?? {}
  const b = to.options ?? {}
  if (a.command !== b.command || a.permissive !== b.permissive) return undefined
  if ((a.using !== undefined && b.using === undefined) || (a.check !== undefined && b.check === undefined)) return undefined
  const clauses: string[] = []
  if (a.roles !== b.roles) clauses.push(`TO ${String(b.roles)}`)
  if (a.using !== b.using) clauses.push(`USING (${String(b.using)})`)
  if (a.check !== b.check) clauses.push(`WITH CHECK (${String(b.check)})`)
  return clauses.length === 0 ? undefined : `ALTER POLICY ${policyTarget(to)} ${clauses.join(' ')}`
}
