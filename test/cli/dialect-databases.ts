import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseUrl } from '../../src/config/url.js'
import type { Driver } from '../../src/dialects/dialect.js'
import { openDriver } from '../../src/dialects/registry.js'
import { createTestDatabase as createMysqlDatabase, mysqlReachable } from '../helpers/mysql.js'
import { createTestDatabase as createPgDatabase, pgAvailable } from '../helpers/postgres.js'

/** A database the end-to-end tests of one dialect create, fill by hand and read back. */
export interface HandMadeDatabase {
  /** URL as given to the CLI (`--url`). */
  readonly url: string
  /** Runs each statement of `script` (split by the dialect). */
  exec(script: string): Promise<void>
  query<Row = Record<string, unknown>>(sql: string): Promise<Row[]>
  drop(): Promise<void>
}

export type DialectKey = 'postgres' | 'mariadb' | 'sqlite'

/** Which dialects have a server here (SQLite always); under CI=true an unreachable server throws. */
export async function availableDialects(): Promise<Record<DialectKey, boolean>> {
  return { postgres: await pgAvailable(), mariadb: await mysqlReachable(), sqlite: true }
}

/** A new, empty, uniquely named database of `dialect`. */
export async function createDatabase(dialect: DialectKey, prefix: string): Promise<HandMadeDatabase> {
  let url: string
  let dropDatabase: () => Promise<void>
  if (dialect === 'postgres') {
    const db = await createPgDatabase(`mt_${prefix}`)
    url = db.url.raw
    dropDatabase = () => db.drop()
  } else if (dialect === 'mariadb') {
    const db = await createMysqlDatabase(prefix)
    url = db.url.raw
    dropDatabase = () => db.drop()
  } else {
    const dir = mkdtempSync(path.join(os.tmpdir(), `migrator-${prefix}-`))
    url = `sqlite:${path.join(dir, 'app.db')}`
    dropDatabase = async () => rmSync(dir, { recursive: true, force: true })
  }
  let driver: Driver | undefined
  const open = async (): Promise<Driver> => (driver ??= await openDriver(parseUrl(url)))
  return {
    url,
    async exec(script) {
      const d = await open()
      for (const statement of d.splitStatements(script)) await d.db.exec(statement.sql)
    },
    async query<Row>(sql: string) {
      return (await (await open()).db.query(sql)) as Row[]
    },
    async drop() {
      await driver?.close()
      driver = undefined
      await dropDatabase()
    },
  }
}
