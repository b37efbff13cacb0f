import type { Change } from '../../schema/changes.js'
import type { ValueLoss } from '../../schema/plan.js'

/** The stored values a column type change would not keep (see Driver.valueLosses). */
export function columnValueLosses(change: Change): ValueLoss[] {
  return []
}
