import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import type { ResolvedConfig } from '../../src/config/schema.js'
import { parseUrl } from '../../src/config/url.js'
import type { Driver } from '../../src/dialects/dialect.js'
import { backupSqlite, restoreSqlite } from '../../src/dialects/sqlite/backup.js'
import type { SqliteDb } from '../../src/dialects/sqlite/connect.js'
import { dialect } from '../../src/dialects/sqlite/index.js'
import { lintChange } from '../../src/dialects/sqlite/lint.js'
import { writeSum } from '../../src/migrations/sum.js'

/** A temp project: migrations/ dir, app.db file and a resolved config pointing at both. */
export interface Project {
  readonly root: string
  readonly dir: string
  readonly dbFile: string
  config(patch?: Partial<ResolvedConfig>): ResolvedConfig
  /** Writes migration files and refreshes migrator.sum. */
  write(files: Record<string, string>): Promise<void>
  exec(sql: string): void
  query<Row>(sql: string): Row[]
  /** Opens the database with the SQLite hooks wired as the driver class will wire them. */
  open(): Promise<Driver>
  cleanup(): Promise<void>
}

export async function project(): Promise<Project> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'migrator-safety-'))
  const dir = path.join(root, 'migrations')
  const dbFile = path.join(root, 'app.db')
  await mkdir(dir)
  const drivers: Driver[] = []
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
    config: (patch = {}) => ({
      cwd: root,
      url: `sqlite:${dbFile}`,
      dir,
      schemas: ['public'],
      historyTable: 'migrator_history',
      lockTimeoutMs: 5000,
      lockWaitMs: 5000,
      ...patch,
    }),
    async write(files) {
      for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text)
      await writeSum(dir)
    },
    exec: (sql) => withDb((db) => db.exec(sql)),
    query: (sql) => withDb((db) => db.prepare(sql).all() as never),
    async open() {
      const driver = wireSqlite(await dialect.open(parseUrl(`sqlite:${dbFile}`)))
      drivers.push(driver)
      return driver
    },
    async cleanup() {
      for (const d of drivers) await d.close()
      await rm(root, { recursive: true, force: true })
    },
  }
}

/** The wiring the SQLite driver class gets (lintChange, backup, restore); idempotent. */
export function wireSqlite(driver: Driver): Driver {
  const db = driver.db as SqliteDb
  return Object.assign(driver, {
    lintChange,
    backup: (dest: string) => backupSqlite(db, driver.url.file, dest),
    restore: (file: string) => restoreSqlite(db, driver.url.file, file),
  })
}
