import type { Change } from '../../schema/changes.js'
import type { PlanOptions } from '../dialect.js'
import { tableNameBefore } from '../loss-source.js'
import type { Options } from '../../schema/model.js'
import type { Risk, RowLoss } from '../../schema/plan.js'
import { quoteIdent as q, quoteString } from './quote.js'
import { str, strOrNull } from './normalize.js'

/**
 * Table partitioning in the model: two table options in normal form, both as the server reports
 * them so a target and a live table compare with `===`:
 *   partitionBy  `RANGE (year(\`d\`))`, `LIST COLUMNS (\`region\`)`, `LINEAR HASH (\`id\`)`, `KEY ()`,
 *                with `SUBPARTITION BY HASH (…) SUBPARTITIONS n` when subpartitioned
 *   partitions   `PARTITION \`p0\` VALUES LESS THAN (2000), PARTITION \`p1\` VALUES LESS THAN MAXVALUE`
 *                (HASH/KEY: `PARTITION \`p0\`, PARTITION \`p1\``, the names the server gives `PARTITIONS n`;
 *                MariaDB SYSTEM_TIME: `PARTITION \`p0\` HISTORY, PARTITION \`pn\` CURRENT`)
 */
export interface Partition {
  readonly name: string
  /** The whole definition: `PARTITION \`p0\` VALUES LESS THAN (2000) COMMENT = '…'`. */
  readonly sql: string
}

type Row = Record<string, unknown>

/**
 * Whether a table's PARTITION BY clause needs SHOW CREATE TABLE (`row`: one of its PARTITIONS
 * rows): information_schema leaves out KEY's `ALGORITHM = 1` and SYSTEM_TIME's `INTERVAL …
 * [STARTS …]` / `LIMIT n`.
 */
export function partitionHeadNeeded(row: Row): boolean {
  return /^(LINEAR )?KEY$|^SYSTEM_TIME$/.test(str(row.method))
}

/**
 * The partitioning options of one table from its information_schema.PARTITIONS rows (in order)
 * and, where partitionHeadNeeded, its SHOW CREATE TABLE: the clause after PARTITION BY, as the
 * server writes it (`LINEAR KEY ALGORITHM = 1 (\`id\`)`, `SYSTEM_TIME INTERVAL 1 MONTH STARTS
 * TIMESTAMP'2024-01-01 00:00:00'`, `SYSTEM_TIME LIMIT 1000`).
 */
export function partitionOptions(rows: readonly Row[], createTable?: string): Record<string, string> {
  const first = rows[0]
  if (first === undefined) return {}
  const method = str(first.method)
  let partitionBy = `${method} (${str(first.expression)})`
  const shown = createTable === undefined ? null : /\bPARTITION BY (.*?)\s*(?:\n\(PARTITION |\nPARTITIONS \d+|\*\/|$)/s.exec(createTable)
  if (shown !== null) partitionBy = (shown[1] as string).replace(/\s+/g, ' ')
  const subMethod = strOrNull(first.subMethod)
  if (subMethod !== null) partitionBy += ` SUBPARTITION BY ${subMethod} (${str(first.subExpression)}) SUBPARTITIONS ${Number(first.subpartitions)}`
  const partitions = rows.map((row) => {
    const description = str(row.description)
    const values =
      method.startsWith('RANGE')
        ? ` VALUES LESS THAN ${description === 'MAXVALUE' && method === 'RANGE' ? description : `(${description})`}`
        : method.startsWith('LIST')
          ? ` VALUES IN (${description})`
          : method === 'SYSTEM_TIME'
            ? description === 'CURRENT' ? ' CURRENT' : ' HISTORY'
            : ''
    const comment = str(row.comment) === '' ? '' : ` COMMENT = ${quoteString(str(row.comment))}`
    return `PARTITION ${q(str(row.name))}${values}${comment}`
  })
  return { partitionBy, partitions: partitions.join(', ') }
}

/** The `PARTITION BY …` clause of a table (empty when it is not partitioned). */
export function partitionClause(options: Options): string {
  const { partitionBy, partitions } = options
  if (typeof partitionBy !== 'string' || typeof partitions !== 'string') return ''
  return `PARTITION BY ${partitionBy} (${partitions})`
}

/** The partitions of a table's options, in order. */
export function partitionsOf(options: Options): Partition[] {
  const list = options.partitions
  if (typeof list !== 'string' || list === '') return []
  return splitTopLevel(list).map((sql) => ({ sql, name: nameOf(sql) }))
}

/** One statement of a partitioning change, with the statements that undo it. */
export interface PartitionStep {
  readonly sql: string
  readonly reverse: readonly string[]
  readonly comment: string
  readonly risks: readonly Risk[]
  /** Partitions whose rows the statement deletes. */
  readonly dropped: readonly string[]
}

/**
 * The statements that take `table` from one partitioning to another. Partitions added to or
 * dropped from a RANGE/LIST scheme are `ADD PARTITION`/`DROP PARTITION` (dropping deletes the
 * partition's rows: data loss); anything else (a new scheme, changed bounds, another HASH/KEY
 * count) re-partitions the whole table with `PARTITION BY`, which moves every row or fails on a
 * row that no longer fits, losing nothing; `REMOVE PARTITIONING` keeps every row.
 */
export function partitionSteps(table: string, from: Options, to: Options): PartitionStep[] {
  const t = q(table)
  const before = partitionClause(from)
  const after = partitionClause(to)
  if (before === after) return []
  const alter = (clause: string): string => `ALTER TABLE ${t} ${clause}`
  if (after === '') {
    return [{ sql: alter('REMOVE PARTITIONING'), reverse: [alter(before)], comment: `remove partitioning of ${table}`, risks: ['rewrite'], dropped: [] }]
  }
  if (before === '') {
    return [{ sql: alter(after), reverse: [alter('REMOVE PARTITIONING')], comment: `partition ${table} by ${to.partitionBy as string}`, risks: ['rewrite'], dropped: [] }]
  }
  const repartition: PartitionStep = { sql: alter(after), reverse: [alter(before)], comment: `re-partition ${table} by ${to.partitionBy as string}`, risks: ['rewrite'], dropped: [] }
  const method = typeof to.partitionBy === 'string' ? to.partitionBy : ''
  if (from.partitionBy !== to.partitionBy || !/^(RANGE|LIST)\b/.test(method) || method.includes('SUBPARTITION')) return [repartition]

  const old = partitionsOf(from)
  const now = partitionsOf(to)
  const oldByName = new Map(old.map((p) => [p.name.toLowerCase(), p]))
  const nowByName = new Map(now.map((p) => [p.name.toLowerCase(), p]))
  const kept = old.filter((p) => nowByName.has(p.name.toLowerCase()))
  const dropped = old.filter((p) => !nowByName.has(p.name.toLowerCase()))
  const added = now.filter((p) => !oldByName.has(p.name.toLowerCase()))
  const unchanged = kept.every((p) => nowByName.get(p.name.toLowerCase())?.sql === p.sql)
  // ADD PARTITION appends: a RANGE partition can only go after the last one (LIST: anywhere, but
  // the kept ones must come first in the target's order, as the server will list them).
  // A dropped partition whose values an added one takes over unchanged is a rename: its rows stay.
  const body = (p: Partition): string => p.sql.replace(/^PARTITION `(?:[^`]|``)*`/, '')
  const renamed = added.some((a) => dropped.some((d) => body(d) === body(a)))
  if (!unchanged || renamed || now.slice(0, kept.length).some((p, i) => p.name !== kept[i]?.name)) {
    return method.startsWith('RANGE') ? [reorganize(table, old, now) ?? repartition] : [repartition]
  }

  const steps: PartitionStep[] = []
  let layout = old
  if (dropped.length > 0) {
    const remaining = layout.filter((p) => !dropped.includes(p))
    steps.push({
      sql: alter(`DROP PARTITION ${dropped.map((p) => q(p.name)).join(', ')}`),
      // Put back as it was: re-partitioning moves the rows of the partitions now covering those
      // values back into them (ADD PARTITION cannot insert a RANGE partition before others).
      reverse: [alter(`PARTITION BY ${from.partitionBy as string} (${layout.map((p) => p.sql).join(', ')})`)],
      comment: `drop partition${dropped.length === 1 ? '' : 's'} ${dropped.map((p) => p.name).join(', ')} of ${table} (deletes their rows)`,
      risks: ['data-loss'],
      dropped: dropped.map((p) => p.name),
    })
    layout = remaining
  }
  if (added.length > 0) {
    steps.push({
      sql: alter(`ADD PARTITION (${added.map((p) => p.sql).join(', ')})`),
      reverse: [alter(`DROP PARTITION ${added.map((p) => q(p.name)).join(', ')}`)],
      comment: `add partition${added.length === 1 ? '' : 's'} ${added.map((p) => p.name).join(', ')} to ${table}`,
      risks: [],
      dropped: [],
    })
  }
  return steps
}

/**
 * The rows an alterTable deletes by dropping partitions, named as the table is before the
 * migration (lint counts them on the live database, where a table renamed by the same migration
 * still has its old name).
 */
export function partitionRowLosses(change: Change, options: PlanOptions = {}): RowLoss[] {
  if (change.kind !== 'alterTable') return []
  const table = tableNameBefore(change, options.current, (a, b) => a === b)
  return change.changes.flatMap((c) =>
    c.kind !== 'alterOptions'
      ? []
      : partitionSteps(table, c.from, c.to).flatMap((step) =>
          step.dropped.map((name) => ({ table, from: `${q(table)} PARTITION (${q(name)})`, reason: `drops partition ${name}` })),
        ),
  )
}

/**
 * RANGE partitions changed in one run (split, merged, bounds moved): `REORGANIZE PARTITION` of just
 * that run, which moves only their rows (or fails on a row that fits nowhere, losing nothing). The
 * run is what lies between the partitions both sides share at the start and at the end; when it
 * stops short of the end its new partitions must end at the same bound, so it takes in the next
 * shared partition where they do not (the server allows only the last range to grow). Undefined
 * when no such run exists (then the whole table is re-partitioned).
 */
function reorganize(table: string, old: readonly Partition[], now: readonly Partition[]): PartitionStep | undefined {
  let head = 0
  while (head < old.length && head < now.length && old[head]?.sql === now[head]?.sql) head++
  let tail = 0
  while (tail < old.length - head && tail < now.length - head && old[old.length - 1 - tail]?.sql === now[now.length - 1 - tail]?.sql) tail++
  const bound = (p: Partition | undefined): string | undefined => (p === undefined ? undefined : / VALUES LESS THAN (.*?)(?: COMMENT = .*)?$/s.exec(p.sql)?.[1])
  let from = old.slice(head, old.length - tail)
  let into = now.slice(head, now.length - tail)
  if (tail > 0 && bound(from.at(-1)) !== bound(into.at(-1))) {
    tail--
    from = old.slice(head, old.length - tail)
    into = now.slice(head, now.length - tail)
  }
  if (from.length === 0 || into.length === 0) return undefined
  // Before the end the run must keep its outer bound; at the end it may only grow, which is
  // certain only when the new bound is MAXVALUE (or unchanged).
  const last = bound(into.at(-1))
  if (bound(from.at(-1)) !== last && (tail > 0 || last === undefined || !/^\(?MAXVALUE(,MAXVALUE)*\)?$/.test(last))) return undefined
  const alter = (a: readonly Partition[], b: readonly Partition[]): string =>
    `ALTER TABLE ${q(table)} REORGANIZE PARTITION ${a.map((p) => q(p.name)).join(', ')} INTO (${b.map((p) => p.sql).join(', ')})`
  return {
    sql: alter(from, into),
    reverse: [alter(into, from)],
    comment: `reorganize partition${from.length === 1 ? '' : 's'} ${from.map((p) => p.name).join(', ')} of ${table} into ${into.map((p) => p.name).join(', ')}`,
    risks: ['rewrite'],
    dropped: [],
  }
}

function nameOf(definition: string): string {
  const match = /^PARTITION `((?:[^`]|``)*)`/.exec(definition)
  return match === null ? definition : (match[1] as string).replace(/``/g, '`')
}

/** Splits at commas outside parentheses, quotes and backticks. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = []
  let depth = 0
  let start = 0
  let quote: string | undefined
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string
    if (quote !== undefined) {
      if (ch === '\\' && quote === "'") i++
      else if (ch === quote) {
        if (text[i + 1] === quote) i++
        else quote = undefined
      }
    } else if (ch === "'" || ch === '`' || ch === '"') quote = ch
    else if (ch === '(') depth++
    else if (ch === ')') depth--
    else if (ch === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim())
      start = i + 1
    }
  }
  parts.push(text.slice(start).trim())
  return parts.filter((p) => p !== '')
}
