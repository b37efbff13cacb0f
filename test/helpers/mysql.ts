import { randomBytes } from 'node:crypto'
import { inject } from 'vitest'
import { parseUrl, type DatabaseUrl } from '../../src/config/url.js'
import { dialect } from '../../src/dialects/mysql/index.js'
import type { MysqlDriver } from '../../src/dialects/mysql/index.js'
import { quoteIdent } from '../../src/dialects/mysql/quote.js'
import { withDatabase } from '../../src/dialects/mysql/scratch.js'

/** The server every MySQL test uses; tests create their own databases on it. */
export const MYSQL_URL = parseUrl(process.env.MIGRATOR_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/mysql')

let reachable: Promise<boolean> | undefined

/**
 * Whether the test server answers. Under CI=true an unreachable server throws, so the test file
 * fails instead of being skipped.
 */
export function mysqlReachable(): Promise<boolean> {
  reachable ??= (async () => {
    try {
      const driver = await dialect.open(MYSQL_URL)
      await driver.close()
      return true
    } catch (error) {
      if (process.env.CI === 'true') throw error
      return false
    }
  })()
  return reachable
}

/** A server the dialect tests run against: `MariaDB …` / `MySQL …` as the server reports itself. */
export interface MysqlServer {
  readonly label: string
  readonly url: DatabaseUrl
}

export interface MysqlServers {
  readonly servers: readonly MysqlServer[]
  /** Why a server does not run here, one line each (used as the name of a skipped suite). */
  readonly skipped: readonly string[]
}

let servers: Promise<MysqlServers> | undefined

/**
 * The servers to run the MySQL dialect tests on: MIGRATOR_TEST_MYSQL_URL (the local MariaDB; under
 * CI=true it must answer) and MySQL 8 when test/helpers/mysql8-setup.ts found or started one
 * (MIGRATOR_TEST_MYSQL8_URL, else testcontainers where Docker runs). A MySQL 8 URL that was given
 * but does not answer fails the file: it was asked for.
 */
export function mysqlServers(): Promise<MysqlServers> {
  servers ??= (async () => {
    const found: MysqlServer[] = []
    const skipped: string[] = []
    if (await mysqlReachable()) found.push({ label: await labelOf(MYSQL_URL), url: MYSQL_URL })
    else skipped.push(`MIGRATOR_TEST_MYSQL_URL runs skipped: ${MYSQL_URL.redacted} does not answer`)
    const mysql8 = inject('mysql8') as { url: string } | { skip: string } | undefined
    if (mysql8 === undefined) skipped.push('MySQL 8 runs skipped: test/helpers/mysql8-setup.ts is not a vitest globalSetup')
    else if ('skip' in mysql8) skipped.push(mysql8.skip)
    else {
      const url = parseUrl(mysql8.url)
      found.push({ label: await labelOf(url), url })
    }
    return { servers: found, skipped }
  })()
  return servers
}

async function labelOf(url: DatabaseUrl): Promise<string> {
  const driver = (await dialect.open(url)) as MysqlDriver
  try {
    return driver.serverVersion
  } finally {
    await driver.close()
  }
}

export interface TestDatabase {
  readonly name: string
  readonly url: DatabaseUrl
  /** An open driver on the database. */
  readonly driver: MysqlDriver
  /** Closes the driver and drops the database. */
  drop(): Promise<void>
}

/** Creates `mt_<prefix>_<random>` on `server` (default MIGRATOR_TEST_MYSQL_URL) and opens a driver on it. */
export async function createTestDatabase(prefix: string, server: DatabaseUrl = MYSQL_URL): Promise<TestDatabase> {
  const name = `mt_${prefix}_${randomBytes(4).toString('hex')}`
  const admin = (await dialect.open(server)) as MysqlDriver
  try {
    await admin.db.exec(`CREATE DATABASE ${quoteIdent(name)} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`)
  } finally {
    await admin.close()
  }
  const url = withDatabase(server, name)
  const driver = (await dialect.open(url)) as MysqlDriver
  return {
    name,
    url,
    driver,
    async drop() {
      await driver.close()
      const again = (await dialect.open(server)) as MysqlDriver
      try {
        await again.db.exec(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`)
      } finally {
        await again.close()
      }
    },
  }
}

/** Runs every statement of `script` on `driver` (split by the dialect's splitter). */
export async function applyScript(driver: MysqlDriver, script: string): Promise<void> {
  for (const statement of driver.splitStatements(script)) await driver.db.exec(statement.sql)
}
