import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import pg from 'pg'
import { quoteIdent } from '../../src/dialects/postgres/quote.js'
import { createTestDatabase } from '../helpers/postgres.js'
import type { RawDb, TextRow, Value } from './raw.js'

const run = promisify(execFile)

/** A fresh, uniquely named PostgreSQL database with one open `pg` client. */
export async function openPostgres(): Promise<RawDb> {
  const database = await createTestDatabase('mt_ds')
  const client = new pg.Client({ connectionString: database.url.raw })
  await client.connect()
  // Parameters travel as text: pg has no BigInt serializer, and text keeps decimals exact.
  const param = (value: Value) => (typeof value === 'bigint' || typeof value === 'number' ? String(value) : value)
  return {
    dialect: 'postgres',
    url: database.url.raw,
    async exec(sql) {
      await client.query(sql)
    },
    async insert(table, rows) {
      for (const row of rows) {
        const names = Object.keys(row)
        const sql = `INSERT INTO ${quoteIdent(table)} (${names.map(quoteIdent).join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')})`
        await client.query(sql, names.map((name) => param(row[name] ?? null)))
      }
    },
    async rows(table, columns) {
      const list = columns.map((c) => `${quoteIdent(c)}::text`).join(', ')
      const result = await client.query<unknown[]>({ text: `SELECT ${list} FROM ${quoteIdent(table)} ORDER BY "id"`, rowMode: 'array' })
      return result.rows as TextRow[]
    },
    async select(sql) {
      const result = await client.query<unknown[]>({ text: sql, rowMode: 'array' })
      return result.rows.map((row): TextRow => row.map((v) => (v === null ? null : String(v))))
    },
    async columns(table) {
      const result = await client.query<{ name: string }>(
        "SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
        [table],
      )
      return result.rows.map((r) => r.name)
    },
    async dump() {
      const { stdout } = await run('pg_dump', ['--schema-only', '--no-owner', '--no-privileges', '-d', database.url.raw], { maxBuffer: 1 << 26 })
      // pg_dump ≥ 15.14 writes a random \restrict key into every dump.
      const schema = stdout.split('\n').filter((line) => !/^\\(un)?restrict /.test(line))
      const tables = await client.query<{ schema: string; name: string }>(
        `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
          ORDER BY 1, 2`,
      )
      const lines = [...schema]
      for (const { schema: ns, name } of tables.rows) {
        const qualified = `${quoteIdent(ns)}.${quoteIdent(name)}`
        const rows = await client.query<{ r: string }>(`SELECT t::text AS r FROM ${qualified} t ORDER BY 1`)
        lines.push(...rows.rows.map((row) => `${ns}.${name} ${row.r}`))
      }
      return lines.join('\n')
    },
    async dispose() {
      await client.end().catch(() => undefined)
      await database.drop()
    },
  }
}
