// The states `status` reports per migration, apart from status.ts so the CLI can read them
// without loading what computing them needs.

/**
 * `baseline`: recorded by `baseline`/`init --from-live` without running (or a file at or below the
 * baseline version): counts as applied. `out-of-order`: pending, but older than the newest applied
 * version (merged from another branch): `up` refuses it unless `--allow-out-of-order`.
 */
export type MigrationState = 'applied' | 'baseline' | 'pending' | 'out-of-order' | 'modified' | 'missing' | 'failed'

/** Whether a migration in `state` is in the database as far as `up` is concerned. */
export function countsAsApplied(state: MigrationState): boolean {
  return state === 'applied' || state === 'baseline'
}

/** Whether `up` has yet to run a migration in `state` (`out-of-order` only with --allow-out-of-order). */
export function isPending(state: MigrationState): boolean {
  return state === 'pending' || state === 'out-of-order'
}
