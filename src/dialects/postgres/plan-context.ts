import type { PlanOptions } from '../dialect.js'
import type { Risk, Statement } from '../../schema/plan.js'
import type { Change } from '../../schema/changes.js'

/** The state of one `plan()` call, shared by the planner's parts. */
export interface Ctx {
  readonly changes: readonly Change[]
  readonly options: PlanOptions
  readonly out: Statement[]
  /** Statements that must run after all others (foreign keys of new tables). */
  readonly deferred: Statement[]
  transactional: boolean
}

export function stmt(source: Change, sql: string, reverse: readonly string[], comment: string, risks: readonly Risk[] = []): Statement {
  return { sql, reverse, source, risks, comment }
}

export function label(item: { readonly schema?: string; readonly name: string }): string {
  return item.schema === undefined ? item.name : `${item.schema}.${item.name}`
}

/** Whether SQL text mentions `name` as a whole word, quoted or not: a conservative dependency test. */
export function tokenIn(text: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`(^|[^\\w$])"?${escaped}"?($|[^\\w$])`).test(text)
}
