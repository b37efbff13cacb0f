import { DataLossError } from '../errors.js'
import type { FileFinding } from '../lint/finding.js'
import { formatCount } from '../lint/finding.js'

/**
 * Stored values one migration (or one down) would destroy on the live database: a table or a
 * column holding rows, values a conversion cannot keep, enum labels still in use. Lint findings
 * carry one (`LintFinding.loss`); `up` and `down` refuse them without the user's consent.
 */
export interface DataLoss {
  /** The table as messages name it (`public.users`). */
  readonly table: string
  readonly column?: string
  /** Rows (or non-NULL values) lost; undefined when they exist but could not be counted. */
  readonly rows?: number
  /** What destroys them: `drops table`, `drops column`, `narrows to varchar(3)`, … */
  readonly action: string
}

/** A data loss placed in a migration file. */
export interface FileDataLoss extends DataLoss {
  readonly version: string
  readonly file: string
}

/** How `up`/`down` obtain consent: the flag (or config), or a question on a terminal. */
export interface ConsentOptions {
  /** `--allow-data-loss` or config `allowDataLoss`. */
  readonly allowDataLoss?: boolean
  /** Asks the user (a TTY); absent when nobody can answer. Resolves true to go ahead. */
  readonly confirm?: (losses: readonly FileDataLoss[]) => Promise<boolean>
}

/** The data losses among a migration run's findings, in file order. */
export function lossesOf(findings: readonly FileFinding[]): FileDataLoss[] {
  return findings.flatMap((f) => (f.loss === undefined ? [] : [{ ...f.loss, version: f.version, file: f.file }]))
}

/** `public.users.email (3 values): drops column`, `public.logs (1 row): drops table` */
export function describeLoss(loss: DataLoss): string {
  const what = loss.column === undefined ? loss.table : `${loss.table}.${loss.column}`
  const unit = loss.column === undefined ? 'row' : 'value'
  const rows = loss.rows === undefined ? `${unit}s that could not be counted` : `${formatCount(loss.rows)} ${unit}${loss.rows === 1 ? '' : 's'}`
  return `${what} (${rows}): ${loss.action}`
}

/**
 * Goes ahead only with consent: nothing to lose, `allowDataLoss`, or a yes from `confirm`.
 * Otherwise throws DataLossError, before anything has run.
 */
export async function requireConsent(losses: readonly FileDataLoss[], verb: 'apply' | 'revert', options: ConsentOptions): Promise<void> {
  if (losses.length === 0 || options.allowDataLoss === true) return
  const declined = options.confirm !== undefined && !(await options.confirm(losses))
  if (options.confirm !== undefined && !declined) return
  const shown = losses.slice(0, 6).map((l) => `${describeLoss(l)} in ${l.file}`)
  throw new DataLossError(
    losses,
    `refusing to ${verb}: it would destroy stored data: ${shown.join('; ')}${losses.length > shown.length ? `; and ${losses.length - shown.length} more` : ''}; ` +
      (declined
        ? 'you declined, so nothing was changed'
        : 'nothing was changed; back the data up (`migrator backup`), then pass --allow-data-loss (config `allowDataLoss: true`) to go ahead'),
  )
}
