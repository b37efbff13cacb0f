import { createRequire } from 'node:module'
import type { DatabaseUrl } from '../../config/url.js'
import { parseUrl, redactSecrets } from '../../config/url.js'
import { ConnectionError } from '../../errors.js'
import type { Db } from '../../db.js'
import { guardScratch, startDetached } from '../scratch-exit.js'
import { isStaleScratch, SCRATCH_LIKE, scratchName } from '../scratch-name.js'
import { connect } from './connect.js'
import { quoteIdent } from './quote.js'

/** Replaces the database of a postgres URL, keeping credentials and parameters. */
export function withDatabase(url: DatabaseUrl, database: string): DatabaseUrl {
  const u = new URL(url.raw)
  u.pathname = `/${encodeURIComponent(database)}`
  return parseUrl(u.toString())
}

/** What openTemporary needs of the driver it is opened next to: its connection and URL. */
export interface ScratchServer {
  readonly db: Db
  readonly url: DatabaseUrl
}

/** Temporary databases created and not yet dropped, by name. */
const tracked = new Set<string>()

/** Names still registered for the exit clean-up; for tests. */
export function trackedScratches(): readonly string[] {
  return [...tracked]
}

/**
 * Creates a temporary scratch database on the server of `server` (named by scratchName: owner
 * host, pid and creation time) and opens it with `open`. It is dropped by `drop()` (callers use
 * `finally`), on SIGINT/SIGTERM/SIGHUP before the signal takes effect, and at process exit by a
 * detached process. Stale ones that killed runs left behind (SIGKILL, power cut) are dropped first.
 */
export async function openTemporary<D extends { close(): Promise<void> }>(
  server: ScratchServer,
  open: (url: DatabaseUrl) => Promise<D>,
): Promise<D & { drop(): Promise<void> }> {
  await reapStaleScratches(server.db)
  const name = scratchName()
  let opening: Promise<D> | undefined
  const opened = () => opening?.then((d) => d, () => undefined)
  const dropOverFreshConnection = async () => {
    const admin = await connect(server.url)
    try {
      await dropScratchDatabase(admin.db, name)
    } finally {
      await admin.close()
    }
    tracked.delete(name)
  }
  // Registered before the database exists, so a signal arriving during CREATE DATABASE still drops it.
  const drop = guardScratch({
    drop: async () => {
      await (await opened())?.close()
      await dropOverFreshConnection()
    },
    abort: async () => {
      // Not awaited: a statement may be running on it; dropping ends its session.
      void (await opened())?.close().catch(() => undefined)
      await dropOverFreshConnection()
    },
    abandon: () => dropDetached(server.url, name),
  })
  tracked.add(name)
  opening = (async () => {
    await createScratchDatabase(server.db, server.url, name)
    return open(withDatabase(server.url, name))
  })()
  try {
    return Object.assign(await opening, { drop })
  } catch (error) {
    await drop().catch(() => undefined)
    throw error
  }
}

/** CREATE DATABASE on the server of `url`; no CREATEDB privilege → ConnectionError that says to set devUrl. */
async function createScratchDatabase(db: Db, url: DatabaseUrl, name: string): Promise<void> {
  try {
    await db.exec(`CREATE DATABASE ${quoteIdent(name)}`)
  } catch (error) {
    const err = error as { code?: string; message?: string }
    const reason = redactSecrets(String(err.message ?? error), url)
    if (err.code === '42501') {
      throw new ConnectionError(
        `cannot create a temporary scratch database on ${url.redacted}: ${reason}; ` +
          'grant the user CREATEDB, or set `devUrl` (or --dev-url) to an empty database migrator may use',
        { cause: error },
      )
    }
    throw new ConnectionError(`cannot create a temporary scratch database on ${url.redacted}: ${reason}; set devUrl to an empty database`, { cause: error })
  }
}

/** Ends the sessions on a scratch database (ours, or a dead run's) and drops it (DROP DATABASE … WITH (FORCE) is 13+ only). */
async function dropScratchDatabase(db: Db, name: string): Promise<void> {
  await db.query('SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE datname = ? AND pid <> pg_catalog.pg_backend_pid()', [name])
  await db.exec(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`)
}

/**
 * Drops the scratch databases of runs that are gone (see isStaleScratch), in one catalog query
 * when there are none. One that cannot be dropped (another role's) is left for its owner.
 */
export async function reapStaleScratches(db: Db): Promise<void> {
  const rows = await db.query<{ name: string }>('SELECT datname AS name FROM pg_catalog.pg_database WHERE datname LIKE ?', [SCRATCH_LIKE])
  for (const { name } of rows) {
    if (isStaleScratch(name)) await dropScratchDatabase(db, name).catch(() => undefined)
  }
}

const PG_MODULE = createRequire(import.meta.url).resolve('pg')

/**
 * Drops the database from a detached child process: 'exit' handlers must be synchronous, but
 * starting a process is, and the child outlives us. The URL travels in the environment.
 */
function dropDetached(url: DatabaseUrl, name: string): void {
  startDetached(DROPPER, { MIGRATOR_SCRATCH_PG: PG_MODULE, MIGRATOR_SCRATCH_URL: url.raw, MIGRATOR_SCRATCH_NAME: name })
}

// Runs in the detached child. Our own sessions on the scratch database may still be closing, so it
// ends them and retries for a few seconds.
const DROPPER = `
const pg = require(process.env.MIGRATOR_SCRATCH_PG)
const name = process.env.MIGRATOR_SCRATCH_NAME
const quoted = '"' + name.replace(/"/g, '""') + '"'
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
;(async () => {
  for (let attempt = 0; attempt < 20; attempt++) {
    const client = new pg.Client({ connectionString: process.env.MIGRATOR_SCRATCH_URL })
    client.on('error', () => {})
    try {
      await client.connect()
      await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name])
      await client.query('DROP DATABASE IF EXISTS ' + quoted)
      await client.end()
      return
    } catch {
      await client.end().catch(() => {})
      await sleep(250)
    }
  }
})()
`
