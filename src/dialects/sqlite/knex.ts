import { createRequire } from 'node:module'
import type Database from 'better-sqlite3'
import type { Knex } from 'knex'

// knex is loaded only when a `.ts` migration asks for it: it takes a noticeable part of a second to
// load, which every other SQLite command would pay for nothing.
const require = createRequire(import.meta.url)

/**
 * A knex instance whose only connection is `raw`, the connection the runner itself uses: a `.ts`
 * migration's `ctx.knex` queries then run inside the migration's transaction (SQLite has one
 * connection per file here; a second one would wait on the migration's own write lock). knex never
 * opens or closes that connection: `destroy()` leaves it to its owner. A `ctx.knex.transaction()`
 * inside the migration's transaction fails ("cannot start a transaction within a transaction").
 */
export function knexOverConnection(raw: Database.Database): Knex {
  const knexFactory = require('knex') as typeof import('knex').knex
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: raw.name },
    useNullAsDefault: true,
    pool: { min: 1, max: 1 },
    log: { warn: () => undefined, error: () => undefined, deprecate: () => undefined, debug: () => undefined },
  })
  const client = knex.client as { acquireRawConnection(): Promise<unknown>; destroyRawConnection(connection: unknown): Promise<void> }
  client.acquireRawConnection = async () => raw
  client.destroyRawConnection = async () => undefined
  return knex
}
