import { execFile } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { parseUrl, type DatabaseUrl } from '../../src/config/url.js'
import type { Driver } from '../../src/dialects/dialect.js'
import { openDriver } from '../../src/dialects/registry.js'
import { HistoryStore, type HistoryRow } from '../../src/runner/history.js'
import { ownTables } from '../../src/runner/snapshots.js'
import { mysqlReachable, MYSQL_URL } from '../helpers/mysql.js'
import { pgAvailable, PG_URL } from '../helpers/postgres.js'

export type DialectName = 'sqlite' | 'postgres' | 'mysql'
export const DIALECTS: readonly DialectName[] = ['sqlite', 'postgres', 'mysql']
export const HISTORY = 'migrator_history'

const run = promisify(execFile)

/** One database of the reliability suite: a SQLite file in a temp dir, or a fresh database on the test server. */
export interface Target {
  readonly dialect: DialectName
  /** The URL to pass to the CLI (`--url`). */
  readonly url: string
  readonly parsed: DatabaseUrl
  /** A driver on it; close it. */
  open(): Promise<Driver>
  /** Runs statements (split by the dialect) outside migrator. */
  exec(sql: string): Promise<void>
  /** Schema (as migrator inspects it) and every row of every table, the history table left out: what migrations produce. */
  state(): Promise<string>
  /** Everything, history included, as the server keeps it: file bytes (or `absent`), or a full dump. */
  snapshot(): Promise<string>
  history(): Promise<HistoryRow[]>
  drop(): Promise<void>
}

/** Whether the dialect's test server answers (SQLite always does). */
export async function reachable(dialect: DialectName): Promise<boolean> {
  if (dialect === 'sqlite') return true
  return dialect === 'postgres' ? pgAvailable() : mysqlReachable()
}

/** A fresh, empty database; `dir` holds SQLite files. */
export async function createTarget(dialect: DialectName, dir: string): Promise<Target> {
  const name = `mt_rel_${randomBytes(5).toString('hex')}`
  let parsed: DatabaseUrl
  let drop: () => Promise<void>
  if (dialect === 'sqlite') {
    const file = path.join(dir, `${name}.db`)
    parsed = parseUrl(`sqlite:${file}`)
    drop = async () => undefined
  } else if (dialect === 'postgres') {
    await admin(parseUrl(PG_URL), `CREATE DATABASE "${name}"`)
    const u = new URL(PG_URL)
    u.pathname = `/${name}`
    parsed = parseUrl(u.toString())
    drop = async () => {
      await admin(parseUrl(PG_URL), `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}' AND pid <> pg_backend_pid()`)
      await admin(parseUrl(PG_URL), `DROP DATABASE IF EXISTS "${name}"`)
    }
  } else {
    await admin(MYSQL_URL, `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`)
    const u = new URL(MYSQL_URL.raw)
    u.pathname = `/${name}`
    parsed = parseUrl(u.toString())
    drop = () => admin(MYSQL_URL, `DROP DATABASE IF EXISTS \`${name}\``)
  }
  return targetAt(dialect, parsed, drop)
}

/** A Target over an existing database (another user's URL, say). */
export function targetAt(dialect: DialectName, parsed: DatabaseUrl, drop: () => Promise<void> = async () => undefined): Target {
  const withDriver = async <T>(fn: (driver: Driver) => Promise<T>): Promise<T> => {
    const driver = await openDriver(parsed)
    try {
      return await fn(driver)
    } finally {
      await driver.close()
    }
  }
  return {
    dialect,
    url: parsed.raw,
    parsed,
    open: () => openDriver(parsed),
    exec: (sql) =>
      withDriver(async (driver) => {
        for (const statement of driver.splitStatements(sql)) await driver.db.exec(statement.sql)
      }),
    state: () => withDriver((driver) => stateOf(driver)),
    snapshot: () => snapshotOf(dialect, parsed),
    history: () => withDriver((driver) => new HistoryStore(driver, HISTORY).list()),
    drop,
  }
}

/** Schema and rows, history and its snapshots left out, in a stable text. */
export async function stateOf(driver: Driver): Promise<string> {
  const schema = await driver.inspect({ exclude: ownTables(HISTORY) })
  const lines = [JSON.stringify(schema)]
  for (const table of [...schema.tables].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const rows = await driver.db.query(`SELECT * FROM ${driver.quoteIdent(table.name)}`)
    const texts = rows.map((row) => JSON.stringify(row, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value instanceof Date ? value.toISOString() : value))).sort()
    lines.push(`${table.name}: ${texts.join(' ')}`)
  }
  return lines.join('\n')
}

async function snapshotOf(dialect: DialectName, url: DatabaseUrl): Promise<string> {
  if (dialect === 'sqlite') {
    const file = url.file!
    const part = (suffix: string): string => (existsSync(file + suffix) ? createHash('sha256').update(readFileSync(file + suffix)).digest('hex') : 'absent')
    return `${part('')} journal ${part('-journal')} wal ${part('-wal')}`
  }
  if (dialect === 'postgres') {
    const { stdout } = await run('pg_dump', ['--no-owner', '-d', url.raw], { maxBuffer: 1 << 26 })
    return stdout
      .split('\n')
      .filter((line) => !line.startsWith('--') && !line.startsWith('\\restrict') && !line.startsWith('\\unrestrict'))
      .join('\n')
  }
  const { stdout } = await run(
    'mariadb-dump',
    ['--protocol=TCP', `--host=${url.host ?? '127.0.0.1'}`, `--port=${url.port ?? 3306}`, `--user=${url.user ?? 'root'}`, ...(url.password ? [`--password=${url.password}`] : []), '--skip-comments', '--skip-dump-date', '--routines', '--events', '--triggers', '--hex-blob', '--', url.database ?? ''],
    { maxBuffer: 1 << 26 },
  )
  return stdout
}

async function admin(url: DatabaseUrl, sql: string): Promise<void> {
  const driver = await openDriver(url)
  try {
    await driver.db.exec(sql)
  } finally {
    await driver.close()
  }
}
