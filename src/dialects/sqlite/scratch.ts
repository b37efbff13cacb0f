import fs from 'node:fs'
import Database from 'better-sqlite3'
import type { DatabaseUrl } from '../../config/url.js'
import { ConnectionError } from '../../errors.js'
import { describeContents } from '../dev-contents.js'

/** The URL of the in-memory database every SQLite scratch database is. */
export const MEMORY_URL: DatabaseUrl = { dialect: 'sqlite', raw: 'sqlite::memory:', redacted: 'sqlite::memory:', file: ':memory:', params: {} }

/**
 * Checks that the dev database file of `url` holds no tables or views (a missing or zero-length
 * file is empty), without writing anything: not the file, not a journal, not a `-wal`/`-shm`
 * beside it. Throws ConnectionError naming what is there, or saying why it cannot be read.
 * SQLite scratch work happens in memory, so the file stays exactly as found whatever happens to
 * the process; the check keeps Atlas's rule that a dev database is empty.
 */
export function assertEmptyDevFile(url: DatabaseUrl): void {
  const file = url.file ?? ':memory:'
  if (file === ':memory:' || !fs.existsSync(file)) return
  let objects: { kind: string; name: string }[]
  try {
    const bytes = fs.readFileSync(file)
    const log = hasLog(file)
    if (bytes.length === 0 && !log) return
    const db = log ? new Database(file, { readonly: true, fileMustExist: true }) : new Database(asRollbackJournal(bytes))
    try {
      objects = db
        .prepare("SELECT type AS kind, name FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name")
        .all() as { kind: string; name: string }[]
    } finally {
      db.close()
    }
  } catch (error) {
    throw new ConnectionError(`cannot read dev database ${url.redacted}: ${(error as Error).message}; point devUrl at an empty database`, { cause: error })
  }
  if (objects.length > 0) {
    throw new ConnectionError(`dev database ${url.redacted} is not empty: ${describeContents(objects)}; point devUrl at an empty database`)
  }
}

/** Whether a write-ahead log with content sits beside the file: then only a real (read-only) open sees every commit. */
function hasLog(file: string): boolean {
  try {
    return fs.statSync(`${file}-wal`).size > 0
  } catch {
    return false
  }
}

/**
 * A copy of a database image that opens in memory: an in-memory database cannot be in WAL mode,
 * so header bytes 18–19 (file format write/read version, 2 = WAL) become 1 (rollback journal).
 */
function asRollbackJournal(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes)
  if (copy.length >= 20 && copy[18] === 2 && copy[19] === 2) copy.fill(1, 18, 20)
  return copy
}
