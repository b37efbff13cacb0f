import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { dialect } from '../../../src/dialects/sqlite/index.js'
import { ConnectionError, MigratorError } from '../../../src/errors.js'
import { openFile, sqliteUrl, tempDir } from './helpers.js'

const temp = tempDir('connect')
afterAll(() => temp.cleanup())

describe('sqlite driver and Db', () => {
  it('reports version, capabilities and enforces foreign keys', async () => {
    const driver = openFile(temp.dir)
    try {
      expect(driver.serverVersion).toMatch(/^SQLite \d+\.\d+\.\d+$/)
      expect(driver.capabilities).toEqual({ transactionalDdl: true, schemas: false, forwardForeignKeys: true, schemaScopedIndexNames: true, exclusiveRunnerLock: false,
        identifierCase: { tables: 'preserving', columns: 'preserving', indexes: 'preserving', folds: 'ascii' },
        definitionKey: expect.any(Function),
      })
      expect(driver.transactionSyntax).toEqual({ begin: 'BEGIN IMMEDIATE;', commit: 'COMMIT;' })
      expect(driver.quoteIdent('a"b')).toBe('"a""b"')
      expect(await driver.db.query('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1 }])
    } finally {
      await driver.close()
    }
  })

  it('binds ? parameters, Dates as ISO text and booleans as 1/0; exec runs exactly one statement', async () => {
    const driver = openFile(temp.dir)
    try {
      await driver.db.exec('CREATE TABLE t (at TEXT, ok INTEGER, n)')
      await driver.db.exec('INSERT INTO t VALUES (?, ?, ?)', [new Date('2024-01-02T03:04:05.000Z'), true, undefined])
      expect(await driver.db.query('INSERT INTO t VALUES (?, ?, ?)', ['x', false, 1])).toEqual([])
      expect(await driver.db.query('SELECT * FROM t ORDER BY rowid')).toEqual([
        { at: '2024-01-02T03:04:05.000Z', ok: 1, n: null },
        { at: 'x', ok: 0, n: 1 },
      ])
      await expect(driver.db.exec('DELETE FROM t; DROP TABLE t')).rejects.toThrow(/more than one statement/)
      expect(await driver.db.query('SELECT count(*) AS n FROM t')).toEqual([{ n: 2 }])
    } finally {
      await driver.close()
    }
  })

  it('rolls back on a throw, nests inner transactions and restores foreign_keys', async () => {
    const driver = openFile(temp.dir)
    try {
      await driver.db.exec('CREATE TABLE t (x INT)')
      await expect(
        driver.db.transaction(async (tx) => {
          await tx.exec('INSERT INTO t VALUES (1)')
          expect(await tx.query('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 0 }]) // off for rebuilds
          await tx.transaction(async (inner) => inner.exec('INSERT INTO t VALUES (2)'))
          throw new Error('boom')
        }),
      ).rejects.toThrow('boom')
      expect(await driver.db.query('SELECT count(*) AS n FROM t')).toEqual([{ n: 0 }])
      expect(await driver.db.query('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1 }])
      expect(await driver.db.transaction(async (tx) => tx.query('SELECT 7 AS v'))).toEqual([{ v: 7 }])
    } finally {
      await driver.close()
    }
  })

  it('runs foreign_key_check before COMMIT and rolls back violations with a clear message', async () => {
    const driver = openFile(temp.dir)
    try {
      await driver.db.exec('CREATE TABLE p (id INTEGER PRIMARY KEY)')
      await driver.db.exec('CREATE TABLE c (p_id INT REFERENCES p (id))')
      const error = await driver.db
        .transaction(async (tx) => {
          await tx.exec('INSERT INTO c VALUES (5)')
        })
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(MigratorError)
      expect((error as MigratorError).message).toBe(
        'foreign key check failed: row 1 of "c" references a missing row of "p"; the transaction was rolled back — ' +
          'fix the data or the migration so every foreign key points at an existing row',
      )
      expect(await driver.db.query('SELECT count(*) AS n FROM c')).toEqual([{ n: 0 }])
    } finally {
      await driver.close()
    }
  })

  it('accepts legacy double-quoted string literals in DDL only', async () => {
    const driver = openFile(temp.dir)
    try {
      await driver.db.exec(`CREATE TABLE j (doc TEXT, v TEXT GENERATED ALWAYS AS (json_extract(doc, "$.v")))`)
      await driver.db.exec(`INSERT INTO j (doc) VALUES ('{"v": "hi"}')`)
      expect(await driver.db.query('SELECT v FROM j')).toEqual([{ v: 'hi' }])
      await expect(driver.db.query('SELECT "nope" FROM j')).rejects.toThrow(/no such column/)
    } finally {
      await driver.close()
    }
  })

  it('fails to connect with a ConnectionError naming the problem', async () => {
    const missing = path.join(temp.dir, 'no', 'such', 'dir', 'app.db')
    await expect(dialect.open(sqliteUrl(missing))).rejects.toThrow(ConnectionError)
    await expect(dialect.open(sqliteUrl(missing))).rejects.toThrow(`directory ${path.dirname(missing)} does not exist`)
    const notDb = path.join(temp.dir, 'garbage.db')
    fs.writeFileSync(notDb, 'this is not a database file, just some text that is long enough'.repeat(20))
    await expect(dialect.open(sqliteUrl(notDb))).rejects.toThrow(/cannot open SQLite database .*garbage\.db: file is not a database/)
  })

  it('opens scratch databases in memory or at a dev file it deletes on drop', async () => {
    const driver = openFile(temp.dir)
    try {
      const memory = await driver.openScratch()
      expect(memory.url.file).toBe(':memory:')
      await memory.db.exec('CREATE TABLE s (x)')
      expect((await memory.inspect()).tables.map((t) => t.name)).toEqual(['s'])
      await memory.drop()
      await memory.drop() // safe twice

      const devFile = path.join(temp.dir, 'dev.db')
      const dev = await driver.openScratch(sqliteUrl(devFile))
      await dev.db.exec('CREATE TABLE s (x)')
      expect(fs.existsSync(devFile)).toBe(false) // scratch work stays in memory; the dev file is never written
      await dev.drop()
      expect(fs.existsSync(devFile)).toBe(false)
    } finally {
      await driver.close()
    }
  })

  it('creates the history table idempotently', async () => {
    const driver = openFile(temp.dir)
    try {
      await driver.db.exec(driver.historyTableDdl('migrator_history'))
      await driver.db.exec(driver.historyTableDdl('migrator_history'))
      const columns = await driver.db.query<{ name: string }>("SELECT name FROM pragma_table_info('migrator_history')")
      expect(columns.map((c) => c.name)).toEqual([
        'version', 'name', 'checksum', 'down_checksum', 'status', 'applied_at', 'execution_ms', 'applied_by', 'statements_applied', 'tool_version',
      ])
    } finally {
      await driver.close()
    }
  })

  it('queues a second writer on BEGIN IMMEDIATE for the lock timeout, then fails', async () => {
    const file = path.join(temp.dir, 'shared.db')
    const a = await dialect.open(sqliteUrl(file))
    const b = await dialect.open(sqliteUrl(file))
    try {
      await a.db.exec('CREATE TABLE t (x)')
      const release = await b.lock('migrator_history', 150)
      await a.db.transaction(async () => {
        const started = Date.now()
        await expect(b.db.transaction(async (tx) => tx.exec('INSERT INTO t VALUES (1)'))).rejects.toThrow(/locked by another writer/)
        expect(Date.now() - started).toBeGreaterThanOrEqual(140)
      })
      await release()
      await b.db.transaction(async (tx) => tx.exec('INSERT INTO t VALUES (1)'))
      expect(await a.db.query('SELECT count(*) AS n FROM t')).toEqual([{ n: 1 }])
    } finally {
      await a.close()
      await b.close()
    }
  })

  it('outside a transaction, dropping a parent never cascades into its children', async () => {
    const driver = openFile(temp.dir)
    try {
      await driver.db.exec('CREATE TABLE parent (id INTEGER PRIMARY KEY)')
      await driver.db.exec('CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id) ON DELETE CASCADE)')
      await driver.db.exec('INSERT INTO parent VALUES (1)')
      await driver.db.exec('INSERT INTO child VALUES (10, 1)')
      await expect(driver.db.exec('DROP TABLE parent')).rejects.toThrow(/foreign key check failed/)
      expect(await driver.db.query('SELECT id, parent_id FROM child')).toEqual([{ id: 10, parent_id: 1 }])
      expect(await driver.db.query('SELECT id FROM parent')).toEqual([{ id: 1 }])
    } finally {
      await driver.close()
    }
  })
})
