import { createHash } from 'node:crypto'
import type { Db } from '../../db.js'
import { LockTimeoutError } from '../../errors.js'

/**
 * Two int4 halves of sha256(name): the two-key form of pg_advisory_lock shows up in pg_locks as
 * (classid, objid, objsubid = 2), which lets a timeout name the session that holds it.
 */
export function lockKey(name: string): readonly [number, number] {
  const hash = createHash('sha256').update(`migrator:${name}`).digest()
  return [hash.readInt32BE(0), hash.readInt32BE(4)]
}

const POLL_MS = 100

/**
 * Takes the session-level advisory lock, polling pg_try_advisory_lock until `timeoutMs` has passed.
 * The lock belongs to the driver's single pooled connection, so it holds until released or closed.
 */
export async function lock(db: Db, timeoutMs: number, name: string): Promise<() => Promise<void>> {
  const [a, b] = lockKey(name)
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const rows = await db.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(?::int4, ?::int4) AS locked', [a, b])
    if (rows[0]?.locked === true) break
    if (Date.now() >= deadline) throw new LockTimeoutError(await holderMessage(db, a, b, timeoutMs, name))
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, Math.max(1, deadline - Date.now()))))
  }
  let released = false
  return async () => {
    if (released) return
    released = true
    await db.query('SELECT pg_advisory_unlock(?::int4, ?::int4)', [a, b])
  }
}

async function holderMessage(db: Db, a: number, b: number, timeoutMs: number, name: string): Promise<string> {
  const rows = await db
    .query<{ pid: number; application_name: string | null; since: string | null }>(
      `SELECT l.pid, a.application_name, a.backend_start::text AS since
         FROM pg_catalog.pg_locks l LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
          AND l.classid = (?::int4)::oid AND l.objid = (?::int4)::oid AND l.objsubid = 2
        LIMIT 1`,
      [a, b],
    )
    .catch(() => [])
  const holder = rows[0]
  const who =
    holder === undefined
      ? 'another migrator run'
      : `another migrator run (backend pid ${holder.pid}${holder.application_name ? `, application "${holder.application_name}"` : ''})`
  return (
    `could not take the migration lock (advisory lock for "${name}") within ${timeoutMs} ms: ${who} holds it; ` +
    'wait for it to finish, or raise --lock-wait'
  )
}

/** Bounds how long each statement of the current transaction waits for a table lock. */
export async function applyLockTimeout(tx: Db, timeoutMs: number): Promise<void> {
  await tx.exec(`SET LOCAL lock_timeout = ${lockTimeoutValue(timeoutMs)}`)
}

/** The same for the session, or (undefined) back to its default. */
export async function sessionLockTimeout(db: Db, timeoutMs: number | undefined): Promise<void> {
  await db.exec(timeoutMs === undefined ? 'RESET lock_timeout' : `SET lock_timeout = ${lockTimeoutValue(timeoutMs)}`)
}

/** SET takes no bind parameters; the value is an integer we format ourselves. */
function lockTimeoutValue(timeoutMs: number): string {
  return `'${Math.max(0, Math.floor(timeoutMs))}ms'`
}

/**
 * CREATE/DROP INDEX, REINDEX and ALTER TABLE … DETACH PARTITION in their CONCURRENTLY forms wait for
 * every older transaction to end, without blocking other sessions meanwhile: a lock timeout would
 * only fail them part-way (an INVALID index left behind). Leading comments are skipped.
 */
export function waitsForOtherTransactions(sql: string): boolean {
  const text = sql.replace(/^(\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*/, '')
  return /^(CREATE|DROP|REINDEX|ALTER)\b/i.test(text) && /\bCONCURRENTLY\b/i.test(text)
}
