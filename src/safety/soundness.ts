/**
 * One soundness problem `migrator verify` found in a live database (Driver.verify): a corrupt page,
 * an index a failed concurrent build left invalid, a constraint added NOT VALID and never
 * validated, rows whose foreign key points at no parent.
 */
export interface SoundnessFinding {
  /** `integrity`, `invalid-index`, `not-validated`, `fk-orphans`, `check-table`. */
  readonly kind: 'integrity' | 'invalid-index' | 'not-validated' | 'fk-orphans' | 'check-table'
  /** The table (qualified where the dialect has schemas) the finding is about; absent for the whole database. */
  readonly table?: string
  /** The index or constraint, where there is one. */
  readonly object?: string
  /** Rows involved (orphans, rows violating an unvalidated constraint), where counted. */
  readonly rows?: number
  /** One line for humans: what is wrong and what to do. */
  readonly message: string
}
