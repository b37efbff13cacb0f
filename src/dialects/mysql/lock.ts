import { createHash } from 'node:crypto'
import type { Db } from '../../db.js'
import { LockTimeoutError } from '../../errors.js'

/** GET_LOCK names are limited to 64 characters; long ones are hashed. */
export function lockName(database: string, scope = 'migrator'): string {
  const name = `migrator:${database}:${scope}`
  return name.length <= 64 ? name : `migrator:${createHash('sha256').update(name).digest('hex').slice(0, 48)}`
}

/**
 * Takes the named server lock on this session (GET_LOCK waits up to the timeout, in whole
 * seconds). 0 means another session holds it; NULL means the server refused. Returns the release.
 */
export async function acquireLock(db: Db, name: string, timeoutMs: number, where: string): Promise<() => Promise<void>> {
  const seconds = Math.max(0, Math.ceil(timeoutMs / 1000))
  const rows = await db.query<{ got: number | null }>('SELECT GET_LOCK(?, ?) AS got', [name, seconds])
  const got = rows[0]?.got
  if (got === null || got === undefined || Number(got) !== 1) {
    throw new LockTimeoutError(
      `another migrator run holds the migration lock on ${where} (GET_LOCK '${name}' not granted after ${seconds}s); ` +
        'wait for it to finish, or raise --lock-wait',
    )
  }
  let released = false
  return async () => {
    if (released) return
    released = true
    await db.query('SELECT RELEASE_LOCK(?) AS released', [name])
  }
}

/** `SET SESSION lock_wait_timeout`: seconds, at least 1 (0 would mean "use the default"). */
export async function applyLockTimeout(tx: Db, timeoutMs: number): Promise<void> {
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000))
  await tx.exec(`SET SESSION lock_wait_timeout = ${seconds}`)
}

/** The same, or (undefined) back to the server's global value. */
export async function sessionLockTimeout(db: Db, timeoutMs: number | undefined): Promise<void> {
  if (timeoutMs === undefined) await db.exec('SET SESSION lock_wait_timeout = DEFAULT')
  else await applyLockTimeout(db, timeoutMs)
}
