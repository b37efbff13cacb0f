import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { DatabaseUrl } from '../../../src/config/url.js'
import { SqliteDriver } from '../../../src/dialects/sqlite/index.js'

/** The shared real-world fixtures (read in place, never copied). */
export const FIXTURES_DIR = path.resolve(
  process.env.MIGRATOR_FIXTURES_DIR ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/fixtures/real'),
  'sqlite',
)

export function fixtureNames(): string[] {
  return fs.readdirSync(FIXTURES_DIR).filter((f) => f.endsWith('.sql')).sort()
}

export function readFixture(name: string): string {
  return fs.readFileSync(path.join(FIXTURES_DIR, name), 'utf8')
}

export function sqliteUrl(file: string): DatabaseUrl {
  return { dialect: 'sqlite', raw: `sqlite://${file}`, redacted: `sqlite://${file}`, file, params: {} }
}

/** A temp directory removed by the returned cleanup; databases in it are real files. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `migrator-sqlite-${prefix}-`))
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) }
}

let counter = 0

/** Opens a fresh database file in `dir`. */
export function openFile(dir: string, name = `db${++counter}`): SqliteDriver {
  return new SqliteDriver(sqliteUrl(path.join(dir, `${name}.db`)))
}

/** Runs a script statement by statement, outside any transaction (like the sqlite3 shell). */
export async function runScript(driver: SqliteDriver, sql: string): Promise<void> {
  for (const statement of driver.splitStatements(sql)) await driver.db.exec(statement.sql)
}
