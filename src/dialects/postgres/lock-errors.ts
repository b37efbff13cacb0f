/**
 * Whether `error` is PostgreSQL giving up on a lock: SQLSTATE 55P03 lock_not_available, raised by
 * `lock_timeout` and by NOWAIT. Looks through `cause` (PgDb rewraps lock timeouts to name the holders).
 */
export function isLockTimeout(error: unknown): boolean {
  for (let e = error as { code?: unknown; cause?: unknown } | null | undefined, depth = 0; e != null && depth < 5; e = e.cause as typeof e, depth++) {
    if (e.code === '55P03') return true
  }
  return false
}
