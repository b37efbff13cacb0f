import type { CopyCode } from './types.js'

/**
 * What `migrator copy` reports before it writes anything: each way the target cannot hold the
 * source exactly. Codes are stable (docs/copy.md lists them); never renumber.
 */
export const COPY_CODES: Readonly<Record<CopyCode, string>> = {
  CP101: 'numeric precision or range narrowed (values outside it fail the copy, none are rounded silently)',
  CP102: 'time zone dropped: values are stored as UTC wall-clock times',
  CP103: 'type without an equivalent: copied as its text form',
  CP104: 'column default not translated: the column has none on the target',
  CP105: 'index not translated (expression, partial or special kind): not created',
  CP106: 'CHECK constraint not translated: not created',
  CP107: 'view not translated: not created',
  CP108: 'schema object (trigger, function, sequence, …) not copied',
  CP109: 'generated column copied as a plain column holding the source values',
  CP110: 'unbounded text in a key stored as varchar(255) (longer values fail the copy)',
  CP111: 'identity dropped: the target has no counter for this column',
  CP112: 'foreign key to a table that is not copied: not created',
}

/** One reported loss: its code, where (`table.column`, `index name`, …) and what exactly. */
export interface CopyLoss {
  readonly code: CopyCode
  readonly where: string
  readonly message: string
}
