/**
 * Whether `error` is MySQL/MariaDB giving up on a lock: 1205 ER_LOCK_WAIT_TIMEOUT (row locks after
 * innodb_lock_wait_timeout, metadata locks after lock_wait_timeout) or 3572 ER_LOCK_NOWAIT (MySQL 8
 * NOWAIT). Looks through `cause`.
 */
export function isLockTimeout(error: unknown): boolean {
  for (let e = error as { errno?: unknown; code?: unknown; cause?: unknown } | null | undefined, depth = 0; e != null && depth < 5; e = e.cause as typeof e, depth++) {
    if (e.errno === 1205 || e.errno === 3572 || e.code === 'ER_LOCK_WAIT_TIMEOUT' || e.code === 'ER_LOCK_NOWAIT') return true
  }
  return false
}
