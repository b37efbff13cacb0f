import type { DatabaseUrl } from '../../config/url.js'
import type { Db } from '../../db.js'
import { ConnectionError } from '../../errors.js'
import { describeContents } from '../dev-contents.js'
import { guardScratch } from '../scratch-exit.js'
import { connect } from './connect.js'
import { quoteIdent } from './quote.js'
import { killSession, sessionId } from './scratch.js'

/** One thing a database holds (`default charset` is the database's charset and collation, not an object). */
interface Content {
  readonly kind: string
  readonly name: string
}

/**
 * Opens a devUrl database as a scratch database. It must hold no tables, views, sequences,
 * routines or events; otherwise ConnectionError naming what is there. `drop()`, and a
 * SIGINT/SIGTERM/SIGHUP before it takes effect, drops everything again and restores the default
 * charset and collation, then fails naming anything left. Every statement names the database, so
 * a target's `USE other` cannot send the clean-up elsewhere. Only SIGKILL (or a second signal)
 * can leave objects behind; the next run then names them.
 */
export async function openDev<D extends { readonly db: Db; readonly database: string; close(): Promise<void> }>(
  url: DatabaseUrl,
  open: (url: DatabaseUrl) => Promise<D>,
): Promise<D & { drop(): Promise<void> }> {
  const driver = await open(url)
  const database = driver.database
  let defaults: string | undefined
  let session: number
  try {
    const found = await contentsOf(driver.db, database)
    const objects = found.filter((c) => c.kind !== 'default charset')
    if (objects.length > 0) {
      throw new ConnectionError(`dev database ${url.redacted} is not empty: ${describeContents(objects)}; point devUrl at an empty database`)
    }
    defaults = found.find((c) => c.kind === 'default charset')?.name
    session = await sessionId(driver.db)
  } catch (error) {
    await driver.close()
    throw error
  }
  const drop = guardScratch({
    drop: async () => {
      try {
        await clear(driver.db, database, defaults, url)
      } finally {
        await driver.close()
      }
    },
    abort: async () => {
      // Not awaited: a statement may be running on our session; KILL ends it.
      void driver.close().catch(() => undefined)
      const fresh = await connect(url)
      try {
        await killSession(fresh.db, session)
        await clear(fresh.db, database, defaults, url)
      } finally {
        await fresh.close()
      }
    },
    // Emptying takes queries, which an exiting process cannot wait for; the next run names what is left.
    abandon: () => undefined,
  })
  return Object.assign(driver, { drop })
}

/** Drops every object of `database`, restores its charset and collation, then checks that nothing is left. */
async function clear(db: Db, database: string, defaults: string | undefined, url: DatabaseUrl): Promise<void> {
  const found = await contentsOf(db, database)
  const qualified = (kinds: readonly string[]) => found.filter((c) => kinds.includes(c.kind)).map((c) => `${quoteIdent(database)}.${quoteIdent(c.name)}`)
  const views = qualified(['view'])
  if (views.length > 0) await db.exec(`DROP VIEW IF EXISTS ${views.join(', ')}`)
  const tables = qualified(['table'])
  if (tables.length > 0) {
    // One statement for all tables; foreign keys between them would otherwise dictate an order.
    await db.exec('SET FOREIGN_KEY_CHECKS = 0')
    try {
      await db.exec(`DROP TABLE IF EXISTS ${tables.join(', ')}`)
    } finally {
      await db.exec('SET FOREIGN_KEY_CHECKS = 1')
    }
  }
  const sequences = qualified(['sequence'])
  if (sequences.length > 0) await db.exec(`DROP SEQUENCE IF EXISTS ${sequences.join(', ')}`)
  for (const c of found) {
    if (c.kind === 'procedure' || c.kind === 'function' || c.kind === 'event') {
      await db.exec(`DROP ${c.kind.toUpperCase()} IF EXISTS ${quoteIdent(database)}.${quoteIdent(c.name)}`)
    }
  }
  const now = found.find((c) => c.kind === 'default charset')?.name
  if (defaults !== undefined && now !== defaults) {
    const [charset, collation] = defaults.split(' ')
    await db.exec(`ALTER DATABASE ${quoteIdent(database)} CHARACTER SET ${charset} COLLATE ${collation}`)
  }
  const left = (await contentsOf(db, database)).filter((c) => (c.kind === 'default charset' ? c.name !== defaults : true))
  if (left.length > 0) {
    throw new ConnectionError(`could not empty dev database ${url.redacted}: it still holds ${describeContents(left)}; drop them by hand before the next run`)
  }
}

function contentsOf(db: Db, database: string): Promise<Content[]> {
  return db.query<Content>(CONTENTS, [database, database, database, database])
}

// Triggers, indexes and constraints belong to tables and go with them.
const CONTENTS = `
SELECT 0 AS ord, CASE TABLE_TYPE WHEN 'VIEW' THEN 'view' WHEN 'SEQUENCE' THEN 'sequence' ELSE 'table' END AS kind, TABLE_NAME AS name
  FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?
UNION ALL
SELECT 1, LOWER(ROUTINE_TYPE), ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?
UNION ALL
SELECT 2, 'event', EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?
UNION ALL
SELECT 3, 'default charset', CONCAT(DEFAULT_CHARACTER_SET_NAME, ' ', DEFAULT_COLLATION_NAME) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?
ORDER BY ord, kind, name`
