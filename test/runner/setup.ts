import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { parseUrl } from '../../src/config/url.js'
import type { Driver } from '../../src/dialects/dialect.js'
import { dialect } from '../../src/dialects/sqlite/index.js'
import { readDirectory } from '../../src/migrations/directory.js'
import type { MigrationFile } from '../../src/migrations/file.js'
import type { RunEvent } from '../../src/runner/events.js'
import type { RunOptions } from '../../src/runner/run.js'

/** A temp folder with a migrations/ dir and a SQLite file; drivers opened through it are closed by cleanup(). */
export interface Sandbox {
  readonly root: string
  readonly dir: string
  readonly dbFile: string
  readonly events: RunEvent[]
  write(files: Record<string, string>): Promise<void>
  remove(name: string): Promise<void>
  files(): Promise<MigrationFile[]>
  open(): Promise<Driver>
  options(patch?: Partial<RunOptions>): RunOptions
  /** Schema SQL and every row of every table, in a stable order. */
  dump(): string
  /** sha256 of the database file's bytes. */
  bytes(): Promise<string>
  query<Row = Record<string, unknown>>(sql: string): Row[]
  exec(sql: string): void
  cleanup(): Promise<void>
}

export async function sandbox(): Promise<Sandbox> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'migrator-runner-'))
  const dir = path.join(root, 'migrations')
  const dbFile = path.join(root, 'app.db')
  await import('node:fs/promises').then((fs) => fs.mkdir(dir))
  const drivers: Driver[] = []
  const events: RunEvent[] = []
  const withDb = <T>(fn: (db: Database.Database) => T): T => {
    const db = new Database(dbFile)
    try {
      return fn(db)
    } finally {
      db.close()
    }
  }
  return {
    root,
    dir,
    dbFile,
    events,
    async write(files) {
      for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text)
    },
    async remove(name) {
      await rm(path.join(dir, name))
    },
    files: () => readDirectory(dir),
    async open() {
      const driver = await dialect.open(parseUrl(`sqlite:${dbFile}`))
      drivers.push(driver)
      return driver
    },
    options: (patch = {}) => ({
      historyTable: 'migrator_history',
      lockTimeoutMs: 5000,
      appliedBy: 'tester@host',
      toolVersion: '0.1.0-test',
      onEvent: (e) => events.push(e),
      ...patch,
    }),
    dump: () =>
      withDb((db) => {
        const entries = db.prepare('SELECT type, name, sql FROM sqlite_schema ORDER BY type, name').all() as { type: string; name: string; sql: string | null }[]
        const lines = entries.map((e) => `${e.type} ${e.name}: ${e.sql ?? ''}`)
        for (const e of entries.filter((x) => x.type === 'table' && !x.name.startsWith('sqlite_'))) {
          for (const row of db.prepare(`SELECT * FROM "${e.name.replace(/"/g, '""')}" ORDER BY rowid`).all()) lines.push(`${e.name} ${JSON.stringify(row)}`)
        }
        return lines.join('\n')
      }),
    bytes: async () => createHash('sha256').update(await readFile(dbFile)).digest('hex'),
    query: (sql) => withDb((db) => db.prepare(sql).all() as never),
    exec: (sql) => withDb((db) => db.exec(sql)),
    async cleanup() {
      for (const d of drivers) await d.close()
      await rm(root, { recursive: true, force: true })
    },
  }
}

export const tables = (box: Sandbox): string[] =>
  box.query<{ name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").map((r) => r.name)

export const historyVersions = (box: Sandbox): string[] =>
  tables(box).includes('migrator_history') ? box.query<{ version: string }>('SELECT version FROM migrator_history ORDER BY version').map((r) => r.version) : []
