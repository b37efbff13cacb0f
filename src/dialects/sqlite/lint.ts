import type { LintFinding, LintHookContext } from '../../lint/finding.js'
import { formatCount } from '../../lint/finding.js'
import type { Change } from '../../schema/changes.js'
import { qualifiedName } from '../../schema/model.js'
import { planChanges } from './plan.js'

/**
 * SQLite's lint hook. LK301: an ALTER that `ALTER TABLE` cannot express is a table rebuild (new
 * table, copy every row, drop, rename) holding the database write lock for the whole copy; on a
 * table with at least `largeTableRows` rows that blocks every writer for a long time. Whether a
 * change rebuilds is what the planner does with it (a `rewrite` risk).
 */
export function lintChange(change: Change, context: LintHookContext): readonly LintFinding[] {
  if (change.kind !== 'alterTable') return []
  const table = qualifiedName(change.from)
  const rows = context.rows?.get(table)
  if (rows === undefined || rows < context.largeTableRows) return []
  const rebuilds = planChanges([change]).statements.some((s) => s.risks.includes('rewrite'))
  if (!rebuilds) return []
  return [
    {
      code: 'LK301',
      severity: 'warning',
      message: `rebuilds table ${table} (${formatCount(rows)} rows are copied while the database is write-locked)`,
      fix: 'run it in a maintenance window, or split it so only changes ALTER TABLE supports (ADD/RENAME/DROP COLUMN) touch the big table',
      table,
      rows,
    },
  ]
}
