import type { Change } from '../../schema/changes.js'
import type { SchemaObject } from '../../schema/model.js'
import type { Risk } from '../../schema/plan.js'
import { sameValue } from '../../schema/equal.js'
import { alterEnum } from './enum-plan.js'
import { recreateFunction, replaceable } from './function-plan.js'
import { commentOnObject, createObject, dropObject, objectComment } from './object-ddl.js'
import { label, stmt, type Ctx } from './plan-context.js'
import { alterPolicy } from './policy.js'

/** Changes to `Schema.objects`: what a drop risks, and how one object turns into another. */

/** A dropped sequence loses its current value; other objects hold no rows of their own. */
export function risksOfObjectDrop(object: SchemaObject): Risk[] {
  return object.kind === 'sequence' ? ['data-loss'] : []
}

/**
 * Same kind and name, different definition or comment: a comment alone is a COMMENT ON; enums,
 * sequences, replaceable functions and policies change in place where they can; everything else
 * is dropped and created again.
 */
export function alterObject(ctx: Ctx, change: Change, from: SchemaObject, to: SchemaObject): void {
  const push = (sql: string, reverse: readonly string[], comment: string, risks: readonly Risk[] = []): void => {
    ctx.out.push(stmt(change, sql, reverse, comment, risks))
  }
  const recreate = (): void => {
    push(dropObject(from), createObject(from), `drop ${from.kind} ${label(from)}`)
    const [create = '', ...comment] = createObject(to)
    push(create, [dropObject(to)], `create ${to.kind} ${label(to)}`)
    for (const sql of comment) push(sql, [], `comment on ${to.kind} ${label(to)}`)
  }
  const commentChanged = objectComment(from) !== objectComment(to)
  const setComment = (): void => {
    if (commentChanged) push(commentOnObject(to, objectComment(to)), [commentOnObject(from, objectComment(from))], `comment on ${to.kind} ${label(to)}`)
  }
  if (from.definition === to.definition && sameValue({ ...from.options, comment: undefined }, { ...to.options, comment: undefined })) return setComment()
  if (from.kind === 'enum' && to.kind === 'enum') {
    const start = ctx.out.length
    alterEnum(ctx, change, from, to)
    // A rebuilt enum (labels removed or reordered) is a new type: its comment goes with the old one.
    const rebuilt = ctx.out.slice(start).some((s) => /^DROP TYPE /.test(s.sql))
    if (rebuilt && !commentChanged && objectComment(to) !== undefined) push(commentOnObject(to, objectComment(to)), [], `comment on ${to.kind} ${label(to)}`)
    return setComment()
  }
  if (from.kind === 'sequence' && to.kind === 'sequence') {
    const alter = (o: SchemaObject): string => o.definition.replace(/^CREATE SEQUENCE/, 'ALTER SEQUENCE')
    push(alter(to), [alter(from)], `alter sequence ${label(to)}`)
    return setComment()
  }
  if (from.kind === 'function' && to.kind === 'function' && /^CREATE OR REPLACE/.test(to.definition)) {
    if (!replaceable(from, to)) return recreateFunction(ctx, change, from, to)
    push(to.definition, [from.definition], `replace function ${label(to)}`)
    return setComment()
  }
  if (from.kind === 'policy' && to.kind === 'policy') {
    const forward = alterPolicy(from, to)
    const back = alterPolicy(to, from)
    if (forward !== undefined && back !== undefined) {
      push(forward, [back], `alter policy ${label(to)} on ${to.table ?? ''}`)
      return setComment()
    }
  }
  recreate()
}
