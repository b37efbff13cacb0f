import type { Change } from '../../schema/changes.js'
import type { Options } from '../../schema/model.js'
import type { RowLoss } from '../../schema/plan.js'
import type { PlanOptions } from '../dialect.js'
import { tableNameBefore } from '../loss-source.js'
import { quoteIdent as q } from './quote.js'

/** Whether a table's options say MariaDB `WITH SYSTEM VERSIONING`. */
export function isVersioned(options: Options): boolean {
  return options.systemVersioning === true
}

/**
 * The history rows an alterTable deletes by dropping system versioning (`DROP SYSTEM VERSIONING`
 * keeps only the current rows), named as the table is before the migration: the rows that ended
 * by now (current rows end at the end of time).
 */
export function historyRowLosses(change: Change, options: PlanOptions = {}): RowLoss[] {
  if (change.kind !== 'alterTable') return []
  const dropsVersioning = change.changes.some((c) => c.kind === 'alterOptions' && isVersioned(c.from) && !isVersioned(c.to))
  if (!dropsVersioning) return []
  const table = tableNameBefore(change, options.current, (a, b) => a === b)
  return [{
    table,
    from: `(SELECT 1 FROM ${q(table)} FOR SYSTEM_TIME ALL WHERE ROW_END <= CURRENT_TIMESTAMP(6)) AS history`,
    reason: 'drops system versioning (its history rows)',
  }]
}
