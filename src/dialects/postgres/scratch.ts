import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import type { DatabaseUrl } from '../../config/url.js'
import { parseUrl, redactSecrets } from '../../config/url.js'
import { ConnectionError } from '../../errors.js'
import type { Db } from '../../db.js'
import { quoteIdent } from './quote.js'

/** Replaces the database of a postgres URL, keeping credentials and parameters. */
export function withDatabase(url: DatabaseUrl, database: string): DatabaseUrl {
  const u = new URL(url.raw)
  u.pathname = `/${encodeURIComponent(database)}`
  return parseUrl(u.toString())
}

/**
 * Temporary databases created and not yet dropped, by name, with the URL of the server database to
 * drop them from. The normal path drops them in `ScratchDriver.drop()` (callers use `finally`);
 * this registry covers the paths that skip `finally`: `process.exit()`, an uncaught exception,
 * Ctrl-C and SIGTERM. Only SIGKILL or a power cut can leave one behind.
 */
const pending = new Map<string, string>()

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

function onSignal(signal: NodeJS.Signals): void {
  dropAllDetached()
  // Our listener kept the default action from happening: remove it and let the signal do its work.
  unhook()
  process.kill(process.pid, signal)
}

function onExit(): void {
  dropAllDetached()
}

function hook(): void {
  if (pending.size !== 1) return
  for (const signal of SIGNALS) process.on(signal, onSignal)
  process.on('exit', onExit)
}

function unhook(): void {
  for (const signal of SIGNALS) process.removeListener(signal, onSignal)
  process.removeListener('exit', onExit)
}

/** Registers a temporary database for the exit-time cleanup; `adminUrl` is where to drop it from. */
export function trackScratch(name: string, adminUrl: DatabaseUrl): void {
  pending.set(name, adminUrl.raw)
  hook()
}

/** The database was dropped (or never created): nothing to clean up at exit. */
export function untrackScratch(name: string): void {
  if (!pending.delete(name)) return
  if (pending.size === 0) unhook()
}

/** Names still registered; for tests. */
export function trackedScratches(): readonly string[] {
  return [...pending.keys()]
}

/**
 * Drops every registered database from a detached child process: 'exit' handlers must be
 * synchronous and a signal must not wait on the network, but starting a process is synchronous,
 * and the child outlives us. The URL travels in the environment (not argv, which `ps` shows).
 */
function dropAllDetached(): void {
  for (const [name, url] of pending) {
    try {
      spawn(process.execPath, ['--input-type=commonjs', '-e', DROPPER], {
        detached: true,
        stdio: 'ignore',
        windowsHide: true,
        env: { ...process.env, MIGRATOR_SCRATCH_PG: PG_MODULE, MIGRATOR_SCRATCH_URL: url, MIGRATOR_SCRATCH_NAME: name },
      }).unref()
    } catch {
      // Nothing else can be done while exiting; the name is in the log of the server.
    }
  }
  pending.clear()
}

const PG_MODULE = createRequire(import.meta.url).resolve('pg')

// Runs in the detached child. Our own sessions on the scratch database may still be closing, so it
// ends them and retries for a few seconds (DROP DATABASE … WITH (FORCE) is PostgreSQL 13+ only).
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

/** A fresh, unused scratch database name. */
export function scratchName(): string {
  return `migrator_scratch_${randomBytes(6).toString('hex')}`
}

/** CREATE DATABASE on the server of `url`; no CREATEDB privilege → ConnectionError that says to set devUrl. */
export async function createScratchDatabase(db: Db, url: DatabaseUrl, name: string): Promise<void> {
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

export async function dropScratchDatabase(db: Db, name: string): Promise<void> {
  await db.exec(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`)
}

/** What a devUrl database held when opened; clearDatabase keeps exactly that. */
export interface Baseline {
  readonly schemas: readonly string[]
  readonly extensions: readonly string[]
}

const USER_SCHEMAS = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`

export async function readBaseline(db: Db): Promise<Baseline> {
  const schemas = await db.query<{ name: string }>(`SELECT n.nspname AS name FROM pg_catalog.pg_namespace n WHERE ${USER_SCHEMAS}`)
  const extensions = await db.query<{ name: string }>('SELECT extname AS name FROM pg_catalog.pg_extension')
  return { schemas: schemas.map((r) => r.name), extensions: extensions.map((r) => r.name) }
}

/** Returns a devUrl database to its baseline: new schemas and extensions dropped, other user objects dropped. */
export async function clearDatabase(db: Db, baseline: Baseline): Promise<void> {
  const schemas = await db.query<{ name: string }>(`SELECT n.nspname AS name FROM pg_catalog.pg_namespace n WHERE ${USER_SCHEMAS}`)
  for (const s of schemas) if (!baseline.schemas.includes(s.name)) await db.exec(`DROP SCHEMA IF EXISTS ${quoteIdent(s.name)} CASCADE`)
  const extensions = await db.query<{ name: string }>('SELECT extname AS name FROM pg_catalog.pg_extension')
  for (const e of extensions) if (!baseline.extensions.includes(e.name)) await db.exec(`DROP EXTENSION IF EXISTS ${quoteIdent(e.name)} CASCADE`)
  const drops = await db.query<{ sql: string }>(
    `SELECT 'DROP ' || CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END
            || ' IF EXISTS ' || pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) || ' CASCADE' AS sql
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND ${USER_SCHEMAS} AND NOT c.relispartition
     UNION ALL
     SELECT 'DROP ' || CASE p.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END || ' IF EXISTS '
            || pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(p.proname)
            || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ') CASCADE'
       FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
      WHERE ${USER_SCHEMAS} AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
     UNION ALL
     SELECT 'DROP TYPE IF EXISTS ' || pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(t.typname) || ' CASCADE'
       FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
      WHERE t.typtype IN ('e', 'd', 'c') AND ${USER_SCHEMAS}
        AND (t.typtype <> 'c' OR EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c'))
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')`,
  )
  for (const d of drops) await db.exec(d.sql)
}
