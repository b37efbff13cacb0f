import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { DatabaseUrl } from '../../../src/config/url.js'
import { SqliteDriver } from '../../../src/dialects/sqlite/index.js'
import { corpusFile } from '../../helpers/corpus.js'

/** The project's own SQLite fixtures. */
export const OWN_FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/sqlite')
/** The SQLite part of the optional real-world corpus (test/helpers/corpus.ts). */
export const CORPUS_FIXTURES = corpusFile('sqlite')

/** The `.sql` files of `dir` (own fixtures by default), sorted. */
export function fixtureNames(dir: string = OWN_FIXTURES): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()
}

export function readFixture(name: string, dir: string = OWN_FIXTURES): string {
  return fs.readFileSync(path.join(dir, name), 'utf8')
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
