import { randomBytes } from 'node:crypto'
import type { DatabaseUrl } from '../../config/url.js'
import { redactUrl } from '../../config/url.js'
import type { Db } from '../../db.js'
import { ConnectionError } from '../../errors.js'
import { quoteIdent } from './quote.js'

/** The URL of `database` on the same server as `url` (same credentials and parameters). */
export function withDatabase(url: DatabaseUrl, database: string): DatabaseUrl {
  const parsed = new URL(url.raw)
  parsed.pathname = `/${encodeURIComponent(database)}`
  const raw = parsed.toString()
  return { ...url, raw, redacted: redactUrl(raw), database }
}

/**
 * Creates `migrator_scratch_<random>` with the live database's default charset and collation, so
 * a target normalized there compares equal to the live schema. Returns its name.
 */
export async function createScratchDatabase(db: Db, url: DatabaseUrl): Promise<string> {
  const name = `migrator_scratch_${randomBytes(6).toString('hex')}`
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
  return name
}

/** Empties a devUrl database after use: views, tables, routines and events we may have created. */
export async function emptyDatabase(db: Db, database: string): Promise<void> {
  const views = await db.query<{ name: string }>('SELECT TABLE_NAME AS name FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?', [database])
  for (const v of views) await db.exec(`DROP VIEW IF EXISTS ${quoteIdent(v.name)}`)
  const tables = await db.query<{ name: string }>(
    "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'",
    [database],
  )
  await db.exec('SET FOREIGN_KEY_CHECKS = 0')
  try {
    for (const t of tables) await db.exec(`DROP TABLE IF EXISTS ${quoteIdent(t.name)}`)
  } finally {
    await db.exec('SET FOREIGN_KEY_CHECKS = 1')
  }
  const routines = await db.query<{ name: string; type: string }>(
    'SELECT ROUTINE_NAME AS name, ROUTINE_TYPE AS type FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?',
    [database],
  )
  for (const r of routines) await db.exec(`DROP ${r.type === 'FUNCTION' ? 'FUNCTION' : 'PROCEDURE'} IF EXISTS ${quoteIdent(r.name)}`)
}
