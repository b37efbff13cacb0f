import type { Change, TableChange } from '../../schema/changes.js'
import type { Options, Table, View } from '../../schema/model.js'
import { sameValue } from '../../schema/equal.js'
import { qualify, quoteIdent, quoteLiteral } from './quote.js'

/**
 * Comments on indexes and constraints: inspected into their `options.comment`, written as
 * `COMMENT ON INDEX|CONSTRAINT` after the object is created. The differ sees a comment-only
 * difference as a drop + add of the same index or constraint; `foldCommentChanges` turns those
 * pairs back into a comment change, so no index is rebuilt and no constraint re-validated for it.
 */

export function commentIn(options: Options | undefined): string | undefined {
  const comment = options?.comment
  return typeof comment === 'string' ? comment : undefined
}

function literal(comment: string | undefined): string {
  return comment === undefined ? 'NULL' : quoteLiteral(comment)
}

export function commentOnIndex(table: Table, name: string, comment: string | undefined): string {
  return `COMMENT ON INDEX ${qualify({ schema: table.schema, name })} IS ${literal(comment)}`
}

export function commentOnConstraint(table: Table, name: string, comment: string | undefined): string {
  return `COMMENT ON CONSTRAINT ${quoteIdent(name)} ON ${qualify(table)} IS ${literal(comment)}`
}

/** A comment that changes on an index or constraint that otherwise stays as it is. */
export interface KeyComment {
  readonly on: 'index' | 'constraint'
  readonly name: string
  readonly from?: string
  readonly to?: string
}

type Keyed = { readonly name?: string; readonly options?: Options }

/** The item of a drop or add table change, and which comment statement names it. */
function itemOf(change: TableChange): { on: 'index' | 'constraint'; add: boolean; item: Keyed } | undefined {
  switch (change.kind) {
    case 'addIndex':
    case 'dropIndex':
      return { on: 'index', add: change.kind === 'addIndex', item: change.index }
    case 'addUnique':
    case 'dropUnique':
      return { on: 'constraint', add: change.kind === 'addUnique', item: change.unique }
    case 'addCheck':
    case 'dropCheck':
      return { on: 'constraint', add: change.kind === 'addCheck', item: change.check }
    case 'addForeignKey':
    case 'dropForeignKey':
      return { on: 'constraint', add: change.kind === 'addForeignKey', item: change.foreignKey }
    case 'addPrimaryKey':
    case 'dropPrimaryKey':
      return { on: 'constraint', add: change.kind === 'addPrimaryKey', item: change.primaryKey }
    default:
      return undefined
  }
}

function withoutComment(item: Keyed): unknown {
  const { comment: _comment, ...options } = item.options ?? {}
  return { ...item, options }
}

/** Splits comment-only drop + add pairs (same kind, same name, equal but for the comment) out of `changes`. */
export function foldCommentChanges(changes: readonly TableChange[]): { changes: TableChange[]; comments: KeyComment[] } {
  const folded = new Set<TableChange>()
  const comments: KeyComment[] = []
  for (const drop of changes) {
    const dropped = itemOf(drop)
    if (dropped === undefined || dropped.add || dropped.item.name === undefined) continue
    const add = changes.find((c) => {
      const added = itemOf(c)
      return (
        !folded.has(c) && added !== undefined && added.add && c.kind.slice(3) === drop.kind.slice(4) &&
        added.item.name === dropped.item.name && sameValue(withoutComment(added.item), withoutComment(dropped.item))
      )
    })
    if (add === undefined) continue
    folded.add(drop).add(add)
    const to = commentIn(itemOf(add)!.item.options)
    const from = commentIn(dropped.item.options)
    comments.push({ on: dropped.on, name: dropped.item.name, ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) })
  }
  return { changes: changes.filter((c) => !folded.has(c)), comments }
}

/**
 * The neutral order moves foreign-key drops into an alterTable of their own that runs first (so
 * the tables they point at can change). A foreign key dropped there and re-added later with only
 * its comment changed goes back next to its add, where foldCommentChanges turns the pair into a
 * comment: nothing it points at changes.
 */
export function rejoinForeignKeyComments(changes: readonly Change[]): Change[] {
  const out = [...changes]
  for (let i = 0; i < out.length; i++) {
    const early = out[i]!
    if (early.kind !== 'alterTable' || !early.changes.every((c) => c.kind === 'dropForeignKey')) continue
    for (const drop of early.changes) {
      if (drop.kind !== 'dropForeignKey') continue
      const j = out.findIndex((c, k) => k > i && c.kind === 'alterTable' && qualify(c.to) === qualify(early.to) && c.changes.some((a) =>
        a.kind === 'addForeignKey' && a.foreignKey.name === drop.foreignKey.name && sameValue(withoutComment(a.foreignKey), withoutComment(drop.foreignKey))))
      const later = out[j]
      if (later === undefined || later.kind !== 'alterTable') continue
      out[j] = { ...later, from: { ...later.from, foreignKeys: [...later.from.foreignKeys, drop.foreignKey] }, changes: [drop, ...later.changes] }
      const rest = (out[i] as typeof early).changes.filter((c) => c !== drop)
      out[i] = { ...(out[i] as typeof early), changes: rest }
    }
  }
  return out.filter((c) => c.kind !== 'alterTable' || c.changes.length > 0)
}

/**
 * dropView + createView pairs of one view that differ only in its comment (`options.comment`):
 * the planner writes `COMMENT ON VIEW` for them instead of re-creating the view.
 */
export function commentOnlyViews(changes: readonly Change[]): Map<Change, View> {
  const pairs = new Map<Change, View>()
  const plain = (view: View): unknown => ({ ...view, options: { ...view.options, comment: undefined } })
  for (const drop of changes) {
    if (drop.kind !== 'dropView') continue
    const create = changes.find((c) => c.kind === 'createView' && qualify(c.view) === qualify(drop.view) && sameValue(plain(c.view), plain(drop.view)))
    if (create === undefined) continue
    pairs.set(drop, drop.view)
    pairs.set(create, drop.view)
  }
  return pairs
}
