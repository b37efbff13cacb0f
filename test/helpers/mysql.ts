import { randomBytes } from 'node:crypto'
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

export interface TestDatabase {
  readonly name: string
  readonly url: DatabaseUrl
  /** An open driver on the database. */
  readonly driver: MysqlDriver
  /** Closes the driver and drops the database. */
  drop(): Promise<void>
}

/** Creates `mt_<prefix>_<random>` and opens a driver on it. */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const name = `mt_${prefix}_${randomBytes(4).toString('hex')}`
  const admin = (await dialect.open(MYSQL_URL)) as MysqlDriver
  try {
    await admin.db.exec(`CREATE DATABASE ${quoteIdent(name)} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`)
  } finally {
    await admin.close()
  }
  const url = withDatabase(MYSQL_URL, name)
  const driver = (await dialect.open(url)) as MysqlDriver
  return {
    name,
    url,
    driver,
    async drop() {
      await driver.close()
      const again = (await dialect.open(MYSQL_URL)) as MysqlDriver
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
