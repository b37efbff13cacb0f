/** The part of a mysql2 connection (callback API) a new session is set up through. */
export interface RawSession {
  query(sql: string, values: unknown[], callback: (error: Error | null, rows?: unknown) => void): void
}

/**
 * `modes` (a session's `sql_mode`) with STRICT_ALL_TABLES added when it is missing; the server's
 * other modes stay as they are. Pure.
 */
export function withStrictMode(modes: string): string {
  const list = modes.split(',').map((m) => m.trim()).filter((m) => m !== '')
  return list.some((m) => m.toUpperCase() === 'STRICT_ALL_TABLES') ? list.join(',') : [...list, 'STRICT_ALL_TABLES'].join(',')
}

/**
 * knex pool `afterCreate` hook (and the set-up of a queries-only session): makes every new session
 * strict before anything runs on it.
 * Without STRICT_ALL_TABLES a server whose `sql_mode` is empty (or only STRICT_TRANS_TABLES, for
 * MyISAM and Aria tables) turns a value that does not fit into a warning and stores it truncated
 * or rounded: a migration would destroy data and report success. With it the statement fails.
 * Running on every new connection, not once, also covers a session the pool reconnects.
 */
export function strictSession(session: RawSession, done: (error: Error | null, session: RawSession) => void): void {
  session.query('SELECT @@SESSION.sql_mode AS modes', [], (readError, rows) => {
    if (readError !== null) return done(readError, session)
    const modes = String((rows as { modes?: unknown }[] | undefined)?.[0]?.modes ?? '')
    const strict = withStrictMode(modes)
    if (strict === modes) return done(null, session)
    session.query('SET SESSION sql_mode = ?', [strict], (setError) => done(setError, session))
  })
}
