import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseUrl } from '../../../src/config/url.js'
import type { MysqlDriver } from '../../../src/dialects/mysql/index.js'
import { dialect } from '../../../src/dialects/mysql/index.js'
import { withDatabase } from '../../../src/dialects/mysql/scratch.js'
import { ConnectionError, LockTimeoutError } from '../../../src/errors.js'
import { createTestDatabase, mysqlServers, type TestDatabase } from '../../helpers/mysql.js'

const { servers, skipped } = await mysqlServers()
for (const reason of skipped) describe.skip(reason, () => it('needs the server', () => {}))

describe.each([...servers])('mysql driver on $label', (server) => {
  let test: TestDatabase

  beforeAll(async () => {
    test = await createTestDatabase('driver', server.url)
  })

  afterAll(async () => {
    await test?.drop()
  })

  it('reports flavor and version, and the MySQL capabilities', async () => {
    expect(test.driver.serverVersion).toMatch(/^(MariaDB|MySQL) \d+\.\d+\.\d+$/)
    const [{ lctn }] = (await test.driver.db.query<{ lctn: unknown }>('SELECT @@lower_case_table_names AS lctn')) as [{ lctn: unknown }]
    const tables = ({ 0: 'sensitive', 1: 'folding', 2: 'preserving' } as const)[Number(lctn) as 0 | 1 | 2]
    expect(test.driver.capabilities).toEqual({
      transactionalDdl: false,
      schemas: false,
      forwardForeignKeys: false,
      schemaScopedIndexNames: false,
      exclusiveRunnerLock: true,
      identifierCase: { tables, columns: 'preserving', indexes: 'preserving' },
      foreignKeysPinColumnTypes: true,
    })
    expect(test.driver.transactionSyntax).toEqual({ begin: 'START TRANSACTION;', commit: 'COMMIT;' })
    expect(test.driver.quoteIdent('a`b')).toBe('`a``b`')
  })

  it('opens mariadb:// URLs too', async () => {
    const url = parseUrl(test.url.raw.replace(/^mysql:/, 'mariadb:'))
    const driver = await dialect.open(url)
    try {
      expect(await driver.db.query<{ d: string }>('SELECT DATABASE() AS d')).toEqual([{ d: test.name }])
    } finally {
      await driver.close()
    }
  })

  it('fails to connect with a ConnectionError that shows the URL without its password', async () => {
    const url = parseUrl('mysql://root:s3cretpw@127.0.0.1:1/nowhere')
    const error = await dialect.open(url).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConnectionError)
    const message = (error as Error).message
    expect(message).toContain('mysql://root:***@127.0.0.1:1/nowhere')
    expect(message).not.toContain('s3cretpw')
    expect(message).toMatch(/server is running/)
  })

  it('takes GET_LOCK: a second runner times out with a clear message, then gets it after release', async () => {
    const other = (await dialect.open(test.url)) as MysqlDriver
    try {
      const release = await test.driver.lock('migrator_history', 1000)
      const started = Date.now()
      const error = await other.lock('migrator_history', 1000).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(LockTimeoutError)
      expect((error as Error).message).toMatch(/another migrator run holds the migration lock on mysql:\/\/.*after 1s/)
      expect(Date.now() - started).toBeGreaterThanOrEqual(900)
      await release()
      const releaseOther = await other.lock('migrator_history', 0)
      await releaseOther()
    } finally {
      await other.close()
    }
  })

  it('bounds lock waits with lock_wait_timeout (whole seconds, at least 1)', async () => {
    await test.driver.applyLockTimeout(test.driver.db, 2500)
    expect(await test.driver.db.query('SELECT @@SESSION.lock_wait_timeout AS t')).toEqual([{ t: 3 }])
    await test.driver.applyLockTimeout(test.driver.db, 0)
    expect(await test.driver.db.query('SELECT @@SESSION.lock_wait_timeout AS t')).toEqual([{ t: 1 }])
  })

  it('creates the history table and accepts applied_at as a Date or an ISO-8601 UTC string', async () => {
    const { db } = test.driver
    await db.exec(test.driver.historyTableDdl('migrator_history'))
    await db.exec(test.driver.historyTableDdl('migrator_history')) // IF NOT EXISTS
    const insert =
      'INSERT INTO migrator_history (version, name, checksum, status, applied_at, execution_ms, applied_by, tool_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'
    await db.exec(insert, ['20240102030405', 'a', 'c'.repeat(64), 'applied', new Date('2024-01-02T03:04:05.678Z'), 5, 'me', '0.1.0'])
    await db.exec(insert, ['20240102030406', 'b', 'c'.repeat(64), 'applied', '2024-01-02T03:04:06.123Z', 5, 'me', '0.1.0'])
    const rows = await db.query<{ version: string; at: string; statements_applied: number }>(
      "SELECT version, DATE_FORMAT(applied_at, '%Y-%m-%d %H:%i:%s.%f') AS at, statements_applied FROM migrator_history ORDER BY version",
    )
    expect(rows).toEqual([
      { version: '20240102030405', at: '2024-01-02 03:04:05.678000', statements_applied: 0 },
      { version: '20240102030406', at: '2024-01-02 03:04:06.123000', statements_applied: 0 },
    ])
    await db.exec('DROP TABLE migrator_history')
  })

  it('rolls back data statements of a failed transaction', async () => {
    const { db } = test.driver
    await db.exec('CREATE TABLE tx_probe (id int PRIMARY KEY) ENGINE=InnoDB')
    await expect(
      db.transaction(async (tx) => {
        await tx.exec('INSERT INTO tx_probe VALUES (?)', [1])
        await tx.exec('INSERT INTO tx_probe VALUES (?)', [1])
      }),
    ).rejects.toThrow(/Duplicate entry/)
    expect(await db.query('SELECT COUNT(*) AS n FROM tx_probe')).toEqual([{ n: 0 }])
    await db.exec('DROP TABLE tx_probe')
  })

  it('tells data statements, which a rollback takes back, from ones that commit implicitly', async () => {
    const { db } = test.driver
    const transactional = [
      'INSERT INTO tx_dml VALUES (2)',
      'REPLACE INTO tx_dml VALUES (3)',
      'update tx_dml SET id = id + 10',
      'DELETE FROM tx_dml WHERE id = 11',
      'WITH x AS (SELECT 1 AS a) SELECT a FROM x',
      '(SELECT 1)',
    ]
    const implicitCommit = [
      'CREATE TABLE tx_other (id int)',
      'ALTER TABLE tx_dml ADD COLUMN b int',
      'TRUNCATE TABLE tx_dml',
      'RENAME TABLE tx_dml TO tx_x',
      'CALL p()',
      'LOCK TABLES tx_dml WRITE',
      'SET FOREIGN_KEY_CHECKS = 0',
      '/*!40101 SET NAMES utf8mb4 */',
      "SELECT 1 INTO OUTFILE '/tmp/x'",
      "LOAD DATA INFILE 'x' INTO TABLE tx_dml",
    ]
    expect(transactional.filter((sql) => !test.driver.isTransactional(sql))).toEqual([])
    expect(implicitCommit.filter((sql) => test.driver.isTransactional(sql))).toEqual([])
    // On the server: every "transactional" statement is taken back by the rollback.
    await db.exec('CREATE TABLE tx_dml (id int PRIMARY KEY) ENGINE=InnoDB')
    await db.exec('INSERT INTO tx_dml VALUES (1)')
    await expect(
      db.transaction(async (tx) => {
        for (const sql of transactional) await tx.exec(sql)
        expect(await tx.query('SELECT id FROM tx_dml ORDER BY id')).toEqual([{ id: 12 }, { id: 13 }])
        throw new Error('roll back')
      }),
    ).rejects.toThrow('roll back')
    expect(await db.query('SELECT id FROM tx_dml')).toEqual([{ id: 1 }])
    // ...while DDL inside a transaction commits what came before it.
    await expect(
      db.transaction(async (tx) => {
        await tx.exec('INSERT INTO tx_dml VALUES (2)')
        await tx.exec('CREATE TABLE tx_other (id int)')
        throw new Error('roll back')
      }),
    ).rejects.toThrow('roll back')
    expect(await db.query('SELECT id FROM tx_dml ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }])
    await db.exec('DROP TABLE tx_dml, tx_other')
  })

  it('opens a temporary scratch database with the live charset and drops it', async () => {
    await test.driver.db.exec(`ALTER DATABASE \`${test.name}\` CHARACTER SET latin1 COLLATE latin1_swedish_ci`)
    const scratch = await test.driver.openScratch()
    const name = (scratch as unknown as MysqlDriver).database
    try {
      expect(name).toMatch(/^migrator_scratch_[a-z0-9]{1,16}_\d+_\d{10}_[0-9a-f]{6}$/)
      expect(await test.driver.db.query('SELECT DEFAULT_COLLATION_NAME AS c FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name])).toEqual([
        { c: 'latin1_swedish_ci' },
      ])
      await scratch.db.exec('CREATE TABLE s (id int)')
    } finally {
      await scratch.drop()
      await scratch.drop() // safe twice
      await test.driver.db.exec(`ALTER DATABASE \`${test.name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`)
    }
    expect(await test.driver.db.query('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name])).toEqual([])
  })

  it('uses devUrl when given and empties it afterwards', async () => {
    const dev = await createTestDatabase('dev', server.url)
    try {
      const scratch = await test.driver.openScratch(dev.url)
      await scratch.db.exec('CREATE TABLE a (id int PRIMARY KEY)')
      await scratch.db.exec('CREATE TABLE b (a_id int, FOREIGN KEY (a_id) REFERENCES a (id))')
      await scratch.db.exec('CREATE VIEW v AS SELECT id FROM a')
      expect((await scratch.inspect()).tables).toHaveLength(2)
      await scratch.drop()
      expect(await dev.driver.inspect()).toEqual({ tables: [], views: [], objects: [] })
    } finally {
      await dev.drop()
    }
  })

  it('tells the user to set devUrl when it may not create a scratch database', async () => {
    const user = `mt_noprv_${Math.random().toString(16).slice(2, 8)}`
    await test.driver.db.exec(`CREATE USER '${user}'@'%' IDENTIFIED BY 'pw-n0t-shown'`)
    await test.driver.db.exec(`GRANT SELECT ON \`${test.name}\`.* TO '${user}'@'%'`)
    try {
      const base = new URL(withDatabase(server.url, test.name).raw)
      base.username = user
      base.password = 'pw-n0t-shown'
      const driver = await dialect.open(parseUrl(base.toString()))
      try {
        const error = await driver.openScratch().catch((e: unknown) => e)
        expect(error).toBeInstanceOf(ConnectionError)
        expect((error as Error).message).toMatch(/cannot create a temporary scratch database on mysql:\/\/mt_noprv_\w+:\*\*\*@.*set devUrl/)
        expect((error as Error).message).not.toContain('pw-n0t-shown')
      } finally {
        await driver.close()
      }
    } finally {
      await test.driver.db.exec(`DROP USER '${user}'@'%'`)
    }
  })
})
