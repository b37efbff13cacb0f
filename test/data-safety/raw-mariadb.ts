import { randomBytes } from 'node:crypto'
import mysql from 'mysql2/promise'
import type { Connection, FieldPacket } from 'mysql2/promise'
import { quoteIdent } from '../../src/dialects/mysql/quote.js'
import { MYSQL_URL } from '../helpers/mysql.js'
import type { RawDb, TextRow, Value } from './raw.js'

/** Every value as the server's text (DOUBLE, DECIMAL, DATETIME exactly as sent), so nothing is re-rounded in JS. */
const asText = { typeCast: (field: { string(): string | null }) => field.string() }

async function connect(database?: string): Promise<Connection> {
  const url = new URL(MYSQL_URL.raw)
  return mysql.createConnection({
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database,
    charset: 'utf8mb4',
    multipleStatements: true,
    ...asText,
  })
}

/** A fresh, uniquely named MariaDB database (utf8mb4) with one open `mysql2` connection. */
export async function openMariadb(): Promise<RawDb> {
  const name = `mt_ds_${randomBytes(5).toString('hex')}`
  const admin = await connect()
  try {
    await admin.query(`CREATE DATABASE ${quoteIdent(name)} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`)
  } finally {
    await admin.end()
  }
  const connection = await connect(name)
  const url = new URL(MYSQL_URL.raw)
  url.pathname = `/${name}`
  const param = (value: Value) => (typeof value === 'bigint' ? String(value) : value)
  const select = async (sql: string, values: (string | null)[] = []): Promise<TextRow[]> => {
    const [rows] = (await connection.query({ sql, values, rowsAsArray: true })) as [TextRow[], FieldPacket[]]
    return rows
  }
  return {
    dialect: 'mariadb',
    url: url.toString(),
    async exec(sql) {
      await connection.query(sql)
    },
    async insert(table, rows) {
      for (const row of rows) {
        const names = Object.keys(row)
        const sql = `INSERT INTO ${quoteIdent(table)} (${names.map(quoteIdent).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`
        await connection.query(sql, names.map((n) => param(row[n] ?? null)))
      }
    },
    select: (sql) => select(sql),
    rows: (table, columns) => select(`SELECT ${columns.map(quoteIdent).join(', ')} FROM ${quoteIdent(table)} ORDER BY ${quoteIdent('id')}`),
    async columns(table) {
      const rows = await select(
        'SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
        [table],
      )
      return rows.map((r) => String(r[0]))
    },
    async dump() {
      const lines: string[] = []
      const tables = await select('SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME')
      for (const [table, type] of tables) {
        const view = type === 'VIEW'
        const [create] = await select(`SHOW CREATE ${view ? 'VIEW' : 'TABLE'} ${quoteIdent(String(table))}`)
        // The AUTO_INCREMENT counter is not data: a rolled-back insert moves it.
        lines.push(String(create?.[1]).replace(/ AUTO_INCREMENT=\d+/, ''))
        if (view) continue
        const rows = await select(`SELECT * FROM ${quoteIdent(String(table))}`)
        lines.push(...rows.map((row) => `${String(table)} ${JSON.stringify(row)}`).sort())
      }
      const triggers = await select(
        `SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_STATEMENT
           FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY TRIGGER_NAME`,
      )
      const routines = await select(
        'SELECT ROUTINE_NAME, ROUTINE_TYPE, ROUTINE_DEFINITION FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() ORDER BY ROUTINE_NAME',
      )
      lines.push(...triggers.map((t) => `trigger ${JSON.stringify(t)}`), ...routines.map((r) => `routine ${JSON.stringify(r)}`))
      return lines.join('\n')
    },
    async dispose() {
      await connection.end().catch(() => undefined)
      const again = await connect()
      try {
        await again.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`)
      } finally {
        await again.end()
      }
    },
  }
}
