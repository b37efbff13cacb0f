/**
 * Whether `error` is SQLite giving up on the write lock: SQLITE_BUSY (and its extended codes) from a
 * statement, or the LockTimeoutError (code `lock-timeout`) SqliteDb throws when BEGIN IMMEDIATE
 * waited out busy_timeout. Looks through `cause`.
 */
export function isLockTimeout(error: unknown): boolean {
  for (let e = error as { code?: unknown; cause?: unknown } | null | undefined, depth = 0; e != null && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && (e.code.startsWith('SQLITE_BUSY') || e.code === 'lock-timeout')) return true
  }
  return false
}
