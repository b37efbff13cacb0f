import type { Db } from '../../db.js'
import type { SchemaObject } from '../../schema/model.js'
import { str, strOrNull } from './normalize.js'
import { quoteIdent as q, quoteString } from './quote.js'

type Row = Record<string, unknown>

/**
 * Scheduled events as objects of kind 'event', each with the CREATE EVENT statement that makes it
 * in normal form (no DEFINER; clauses in the server's order):
 *   CREATE EVENT `e` ON SCHEDULE EVERY 1 HOUR [STARTS <time>] [ENDS <time>] | AT <time>
 *     ON COMPLETION [NOT] PRESERVE ENABLE | DISABLE | DISABLE ON SLAVE [COMMENT '…'] DO <body>
 * A STARTS the server filled in itself (the time of the CREATE or ALTER) is left out, so an event
 * declared without one compares equal whenever it was created. Times are UTC, written as
 * `CONVERT_TZ('…', '+00:00', @@time_zone)`: the same moment compares equal whatever time zone the
 * sessions that created the events had.
 */
export function parseEvents(rows: readonly Row[], replicaDisable: string): SchemaObject[] {
  return rows.map((row) => {
    const name = str(row.name)
    const schedule =
      str(row.type) === 'ONE TIME'
        ? `AT ${utc(str(row.executeAt))}`
        : `EVERY ${intervalValue(str(row.intervalValue))} ${str(row.intervalField)}` +
          (Number(row.startsImplied) === 1 || strOrNull(row.starts) === null ? '' : ` STARTS ${utc(str(row.starts))}`) +
          (strOrNull(row.ends) === null ? '' : ` ENDS ${utc(str(row.ends))}`)
    const status = str(row.status)
    // SLAVESIDE_DISABLED (REPLICA_SIDE_DISABLED in MySQL 8.4): disabled on replicas.
    const state = status === 'ENABLED' ? 'ENABLE' : status === 'DISABLED' ? 'DISABLE' : replicaDisable
    const comment = str(row.comment) === '' ? '' : ` COMMENT ${quoteString(str(row.comment))}`
    return {
      kind: 'event',
      name,
      definition: `CREATE EVENT ${q(name)} ON SCHEDULE ${schedule} ON COMPLETION ${str(row.onCompletion)} ${state}${comment} DO ${str(row.body)}`,
    }
  })
}

const TIMES = ['executeAt', 'starts', 'ends'] as const

/**
 * The event rows with their times (in the zone of the session that created each event, `timeZone`)
 * as UTC, converted by the server in one query with the values as parameters. Not in the catalog
 * query itself: MariaDB 10.11 crashed (signal 11, freeing the information_schema temporary table)
 * on CONVERT_TZ with TIME_ZONE as its zone inside the query on information_schema.EVENTS. A zone
 * the server cannot convert (a named zone without time zone tables) keeps its time as reported.
 */
export async function eventTimesInUtc(db: Db, rows: readonly Row[]): Promise<Row[]> {
  const wanted = rows.flatMap((row, i) => TIMES.filter((key) => strOrNull(row[key]) !== null).map((key) => ({ i, key, time: str(row[key]), zone: str(row.timeZone) })))
  if (wanted.length === 0) return [...rows]
  const select = wanted.map((_w, n) => `DATE_FORMAT(CONVERT_TZ(?, ?, '+00:00'), '%Y-%m-%d %H:%i:%s') AS t${n}`).join(', ')
  const [converted = {}] = await db.query<Row>(`SELECT ${select}`, wanted.flatMap((w) => [w.time, w.zone]))
  const result = rows.map((row) => ({ ...row }))
  wanted.forEach((w, n) => {
    const utc = strOrNull(converted[`t${n}`])
    if (utc !== null) result[w.i]![w.key] = utc
  })
  return result
}

/**
 * A moment given in UTC, as an expression any session reads the same: the server takes a schedule
 * time in the session's time zone, and migrations and scratch databases need not share one.
 */
function utc(time: string): string {
  return `CONVERT_TZ(${quoteString(time)}, '+00:00', @@time_zone)`
}

/** `1`, or a quoted composite value (`'1:30'` HOUR_MINUTE) as MariaDB already reports it. */
function intervalValue(value: string): string {
  if (/^-?\d+$/.test(value) || /^'.*'$/s.test(value)) return value
  return quoteString(value)
}

const PARTS = /^CREATE EVENT (`(?:[^`]|``)+`) ON SCHEDULE (.*?) ON COMPLETION (NOT PRESERVE|PRESERVE) (ENABLE|DISABLE ON SLAVE|DISABLE ON REPLICA|DISABLE)( COMMENT '(?:[^'\\]|''|\\.)*')? DO (.*)$/s

/**
 * The ALTER EVENT that turns event `from` into `to` (both CREATE EVENT statements in normal form):
 * every clause again, COMMENT '' included, so the event never stops existing. Undefined when ALTER
 * cannot say it: the server keeps an ENDS that ALTER EVENT leaves out, so dropping one needs
 * DROP + CREATE.
 */
export function alterEvent(from: SchemaObject, to: SchemaObject): string | undefined {
  const before = PARTS.exec(from.definition)
  const after = PARTS.exec(to.definition)
  if (before === null || after === null) return undefined
  const ends = (schedule: string): boolean => /^EVERY .* ENDS /.test(schedule)
  if (ends(before[2] as string) && !ends(after[2] as string)) return undefined
  const [, name, schedule, completion, state, comment, body] = after
  return `ALTER EVENT ${name} ON SCHEDULE ${schedule} ON COMPLETION ${completion} ${state}${comment ?? " COMMENT ''"} DO ${body}`
}
