import { createRequire } from 'node:module'
import type { DatabaseUrl } from '../../config/url.js'
import { redactUrl } from '../../config/url.js'
import type { Db } from '../../db.js'
import { ConnectionError } from '../../errors.js'
import { guardScratch, startDetached } from '../scratch-exit.js'
import { isStaleScratch, SCRATCH_LIKE, scratchName } from '../scratch-name.js'
import { connect } from './connect.js'
import { quoteIdent } from './quote.js'

/** The URL of `database` on the same server as `url` (same credentials and parameters). */
export function withDatabase(url: DatabaseUrl, database: string): DatabaseUrl {
  const parsed = new URL(url.raw)
  parsed.pathname = `/${encodeURIComponent(database)}`
  const raw = parsed.toString()
  return { ...url, raw, redacted: redactUrl(raw), database }
}

/** What openTemporary needs of the driver it is opened next to: its connection and URL. */
export interface ScratchServer {
  readonly db: Db
  readonly url: DatabaseUrl
}

/**
 * Creates a temporary scratch database on the server of `server` (named by scratchName: owner
 * host, pid and creation time; the live database's charset and collation, so a target normalized
 * there compares equal to the live schema) and opens it with `open`. It is dropped by `drop()`,
 * on SIGINT/SIGTERM/SIGHUP before the signal takes effect, and at process exit by a detached
 * process. Stale ones that killed runs left behind are dropped first.
 */
export async function openTemporary<D extends { readonly db: Db; close(): Promise<void> }>(
  server: ScratchServer,
  open: (url: DatabaseUrl) => Promise<D>,
): Promise<D & { drop(): Promise<void> }> {
  await reapStaleScratches(server.db)
  const name = scratchName()
  let opening: Promise<D> | undefined
  // Known synchronously once opened: the exit clean-up cannot wait for a promise.
  let session: number | undefined
  const opened = () => opening?.then((d) => d, () => undefined)
  const drop = guardScratch({
    drop: async () => {
      await (await opened())?.close()
      await server.db.exec(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`)
    },
    abort: async () => {
      // Not awaited: a statement may be running on it; KILL ends it, and DROP DATABASE would wait for it.
      void (await opened())?.close().catch(() => undefined)
      const admin = await connect(server.url)
      try {
        if (session !== undefined) await killSession(admin.db, session)
        await admin.db.exec(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`)
      } finally {
        await admin.close()
      }
    },
    abandon: () => dropDetached(server.url, name, session),
  })
  opening = (async () => {
    await createScratchDatabase(server.db, server.url, name)
    return open(withDatabase(server.url, name))
  })()
  try {
    const driver = await opening
    session = await sessionId(driver.db)
    return Object.assign(driver, { drop })
  } catch (error) {
    await drop().catch(() => undefined)
    throw error
  }
}

/** CONNECTION_ID() of a driver's single session, for KILL after a signal. */
export async function sessionId(db: Db): Promise<number> {
  return Number((await db.query<{ id: number | string }>('SELECT CONNECTION_ID() AS id'))[0]?.id)
}

/** Ends session `id` and the statement it runs; one that already ended is fine. */
export async function killSession(db: Db, id: number): Promise<void> {
  await db.exec(`KILL CONNECTION ${Math.trunc(id)}`).catch(() => undefined)
}

async function createScratchDatabase(db: Db, url: DatabaseUrl, name: string): Promise<void> {
  const rows = await db.query<{ charset: string; collation: string }>(
    'SELECT @@character_set_database AS charset, @@collation_database AS collation',
  )
  const { charset, collation } = rows[0] ?? { charset: 'utf8mb4', collation: 'utf8mb4_general_ci' }
  try {
    await db.exec(`CREATE DATABASE ${quoteIdent(name)} CHARACTER SET ${charset} COLLATE ${collation}`)
  } catch (error) {
    throw new ConnectionError(
      `cannot create a temporary scratch database on ${url.redacted} (${(error as Error).message}); ` +
        'grant CREATE and DROP to this user, or set devUrl to an empty database that migrator may use',
      { cause: error },
    )
  }
}

/**
 * Drops the scratch databases of runs that are gone (see isStaleScratch), in one catalog query
 * when there are none. One that cannot be dropped (no privilege) is left for its owner.
 */
export async function reapStaleScratches(db: Db): Promise<void> {
  const rows = await db.query<{ name: string }>('SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ?', [SCRATCH_LIKE])
  for (const { name } of rows) {
    if (isStaleScratch(name)) await dropStale(db, name).catch(() => undefined)
  }
}

// The server finishes a statement a killed client sent (and a DDL holds its locks until then), so
// the sessions still in the database are ended before DROP DATABASE would wait for them.
async function dropStale(db: Db, name: string): Promise<void> {
  const sessions = await db.query<{ id: number | string }>('SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()', [name])
  for (const { id } of sessions) await killSession(db, Number(id))
  await db.exec(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`)
}

const MYSQL_MODULE = createRequire(import.meta.url).resolve('mysql2/promise')

/**
 * Drops the database from a detached child process: 'exit' handlers must be synchronous, but
 * starting a process is, and the child outlives us. Credentials travel in the environment.
 */
function dropDetached(url: DatabaseUrl, name: string, session: number | undefined): void {
  const ssl = url.params.ssl ?? url.params.sslmode
  const options = {
    host: url.host ?? '127.0.0.1',
    port: url.port ?? 3306,
    user: url.user ?? 'root',
    password: url.password ?? '',
    ...(ssl !== undefined && ssl !== 'false' && ssl !== 'disable' ? { ssl: {} } : {}),
  }
  startDetached(DROPPER, {
    MIGRATOR_SCRATCH_MYSQL: MYSQL_MODULE,
    MIGRATOR_SCRATCH_SERVER: JSON.stringify(options),
    MIGRATOR_SCRATCH_NAME: name,
    MIGRATOR_SCRATCH_SESSION: String(session ?? 0),
  })
}

// Runs in the detached child. Our session may still be running a statement, which DROP DATABASE
// would wait for, so it is killed first; retried for a few seconds.
const DROPPER = `
const mysql = require(process.env.MIGRATOR_SCRATCH_MYSQL)
const name = process.env.MIGRATOR_SCRATCH_NAME
const session = Number(process.env.MIGRATOR_SCRATCH_SESSION)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
;(async () => {
  for (let attempt = 0; attempt < 20; attempt++) {
    let connection
    try {
      connection = await mysql.createConnection(JSON.parse(process.env.MIGRATOR_SCRATCH_SERVER))
      if (session > 0) await connection.query('KILL CONNECTION ' + session).catch(() => {})
      await connection.query('DROP DATABASE IF EXISTS \`' + name.replace(/\`/g, '\`\`') + '\`')
      await connection.end()
      return
    } catch {
      if (connection) await connection.end().catch(() => {})
      await sleep(250)
    }
  }
})()
`
