import type pg from 'pg'
import { ClientDb } from '../../db.js'
import { pgRows } from './rows.js'

/**
 * The PostgreSQL Db of a connection opened with `OpenOptions.queriesOnly`: straight over one
 * pg.Client, without knex (which takes a good part of `status`'s start-up to load). Only migrator's
 * own SQL runs on it, so it has none of PgDb's failure explanations (which concern migrations).
 */
export function pgClientDb(client: pg.Client): ClientDb {
  return new ClientDb(async (sql, params) => pgRows(params.length > 0 ? await client.query(positional(sql), params as unknown[]) : await client.query(sql)))
}

/**
 * `?` bindings → pg's `$1, $2, …`, exactly as knex numbers them for the knex-based PgDb (a `?`
 * after an odd number of backslashes is a literal `?`), so one SQL text means the same on both.
 * A statement without bindings is sent untouched, as PgDb does (connect.ts keepQuestionMarks).
 */
export function positional(sql: string): string {
  let n = 0
  return sql.replace(/(\\*)(\?)/g, (_match, escapes: string) => (escapes.length % 2 === 1 ? '?' : `$${++n}`))
}
