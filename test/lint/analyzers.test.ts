import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { lintWithDriver, type LintReport } from '../../src/api/lint.js'
import { readDirectory } from '../../src/migrations/directory.js'
import { project, type Project } from '../safety/project.js'

// Live database: users with 3 rows (two share an email, one has a NULL nick), an empty log table, a view.
const BASE = {
  '20240101000001_base.up.sql': [
    'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, nick TEXT, code VARCHAR(10));',
    'CREATE TABLE log (id INTEGER PRIMARY KEY, line TEXT);',
    'CREATE VIEW emails AS SELECT email FROM users;',
  ].join('\n'),
  '20240101000001_base.down.sql': 'DROP VIEW emails;\nDROP TABLE log;\nDROP TABLE users;\n',
}
const ROWS = "INSERT INTO users (email, nick, code) VALUES ('a@x', 'a', 'abcdefg'), ('a@x', NULL, 'ab'), ('b@x', 'b', NULL);"

/** A rebuild of users changing `nick`/`code` as given (a hand-written SQLite table rebuild). */
const rebuild = (nick: string, code: string) =>
  [
    `CREATE TABLE users_new (id INTEGER PRIMARY KEY, email TEXT, nick ${nick}, code ${code});`,
    'INSERT INTO users_new SELECT id, email, nick, code FROM users;',
    'DROP VIEW emails;',
    'DROP TABLE users;',
    'ALTER TABLE users_new RENAME TO users;',
    'CREATE VIEW emails AS SELECT email FROM users;',
  ].join('\n')

let p: Project
beforeEach(async () => {
  p = await project()
})
afterEach(async () => {
  await p.cleanup()
})

/** Applies BASE + ROWS live, then lints `pending` (a map of files of version 20240101000002). */
async function lintPending(pending: Record<string, string>, rules: Record<string, 'error' | 'warning' | 'info' | 'off'> = {}): Promise<LintReport> {
  await p.write(BASE)
  const driver = await p.open()
  const { runUp } = await import('../../src/runner/run.js')
  await runUp(driver, await readDirectory(p.dir), { historyTable: 'migrator_history', lockTimeoutMs: 5000, appliedBy: 't', toolVersion: 't' })
  p.exec(ROWS)
  await p.write(pending)
  return lintWithDriver(driver, p.config({ lint: { rules } }), await readDirectory(p.dir))
}

const pair = (up: string, down: string | null = 'SELECT 1;'): Record<string, string> => ({
  '20240101000002_change.up.sql': up,
  ...(down === null ? {} : { '20240101000002_change.down.sql': down }),
})
const codes = (report: LintReport) => report.migrations.flatMap((m) => m.findings.map((f) => f.code))
const find = (report: LintReport, code: string) => report.migrations.flatMap((m) => m.findings).find((f) => f.code === code)

describe('lint analyzers on SQLite (replayed on a scratch database, counted on the live one)', () => {
  it('DS101 drop table: names the table and its rows; creating a table is not flagged', async () => {
    const report = await lintPending(pair('DROP VIEW emails;\nDROP TABLE users;'))
    // Rows in the table: a data-loss error that up and down refuse without consent.
    expect(find(report, 'DS101')).toMatchObject({ severity: 'error', message: 'drops table users with 3 rows', rows: 3, loss: { table: 'users', rows: 3, action: 'drops table' } })
    expect(find(report, 'DS103')?.message).toBe('drops view emails')
    expect(report.migrations[0]!.risk.level).toBe('high')
    expect(report.migrations[0]!.risk.rowsTouched).toBe(3)
    await p.cleanup()
    p = await project()
    expect(codes(await lintPending(pair('CREATE TABLE t2 (id INTEGER);')))).toEqual([])
  })

  it('DS102 drop column + IR102; adding a nullable column is not flagged', async () => {
    const report = await lintPending(pair('ALTER TABLE users DROP COLUMN nick;', 'ALTER TABLE users ADD COLUMN nick TEXT;'))
    // Two of the three rows hold a nick: those values are lost (the NULL one loses nothing).
    expect(find(report, 'DS102')).toMatchObject({ severity: 'error', message: 'drops column users.nick holding 2 non-NULL values', loss: { table: 'users', column: 'nick', rows: 2 } })
    expect(find(report, 'IR102')?.message).toContain('column users.nick')
    await p.cleanup()
    p = await project()
    expect(codes(await lintPending(pair('ALTER TABLE users ADD COLUMN age INTEGER;')))).toEqual([])
  })

  it('MF101 unique index: counts duplicates live (error); a plain index is not flagged', async () => {
    const report = await lintPending(pair('CREATE UNIQUE INDEX users_email ON users (email);'))
    expect(find(report, 'MF101')).toMatchObject({ severity: 'error', rows: 1, message: 'adds unique index users_email on users (email): 1 duplicate row' })
    expect(report.errors).toBe(1)
    await p.cleanup()
    p = await project()
    expect(codes(await lintPending(pair('CREATE INDEX users_email ON users (email);')))).toEqual([])
  })

  it('TX103 DML mixed with DDL in one transaction; not for DDL alone', async () => {
    const report = await lintPending(pair("ALTER TABLE users ADD COLUMN tier TEXT;\nUPDATE users SET tier = 'free';"))
    expect(find(report, 'TX103')?.message).toMatch(/^mixes 1 data statement with 1 schema statement in one transaction/)
    await p.cleanup()
    p = await project()
    expect(codes(await lintPending(pair('ALTER TABLE users ADD COLUMN tier TEXT;')))).toEqual([])
  })

  it('MF103 NOT NULL: counts NULLs live; MF104 narrowing counts values that do not fit', async () => {
    const report = await lintPending(pair(rebuild('TEXT NOT NULL', 'VARCHAR(3)')))
    expect(find(report, 'MF103')).toMatchObject({ severity: 'error', message: 'makes users.nick NOT NULL: 1 row of users.nick is NULL' })
    // SQLite does not enforce declared lengths: 'abcdefg' survives a VARCHAR(3) column unchanged.
    expect(find(report, 'MF104')).toMatchObject({ severity: 'warning', message: 'changes the type of users.code from varchar(10) to varchar(3)' })
    expect(find(report, 'MF104')?.loss).toBeUndefined()
    expect(find(report, 'TX103')).toBeUndefined() // copying into the table the file creates is a rebuild, not a backfill
    expect(report.migrations[0]!.risk.level).toBe('high')
    await p.cleanup()
    p = await project()
    const same = await lintPending(pair(rebuild('TEXT', 'VARCHAR(10)')))
    expect(codes(same).filter((c) => c.startsWith('MF'))).toEqual([])
  })

  it('MF104 counts values a SQLite affinity change would store differently: a data-loss error', async () => {
    await p.write(BASE)
    const driver = await p.open()
    const { runUp } = await import('../../src/runner/run.js')
    await runUp(driver, await readDirectory(p.dir), { historyTable: 'migrator_history', lockTimeoutMs: 5000, appliedBy: 't', toolVersion: 't' })
    p.exec("INSERT INTO users (email, nick, code) VALUES ('a@x', 'a', '007'), ('b@x', 'b', '42'), ('c@x', 'c', 'abc'), ('d@x', 'd', NULL);")
    await p.write(pair(rebuild('TEXT', 'INTEGER')))
    const report = await lintWithDriver(driver, p.config(), await readDirectory(p.dir))
    // '007' would become 7; '42' reads back as '42' and 'abc' stays text: one value lost.
    const mf104 = find(report, 'MF104')
    expect(mf104).toMatchObject({ severity: 'error', rows: 1, loss: { table: 'users', column: 'code', rows: 1 } })
    expect(mf104?.message).toMatch(/^narrows users\.code from varchar\(10\) to integer: values that do not fit: 1 /)
  })

  it('MF105 foreign key and check: counts orphans and violating rows live (error); none: a warning', async () => {
    const fk = (ref: string) =>
      rebuild('TEXT', 'VARCHAR(10)').replace('code VARCHAR(10));', `code VARCHAR(10), FOREIGN KEY (code) REFERENCES ${ref} (id));`)
    // users.code holds 'abcdefg' and 'ab' (and a NULL, which needs no parent); log is empty.
    const orphans = await lintPending(pair(fk('log')))
    expect(find(orphans, 'MF105')).toMatchObject({ severity: 'error', rows: 2, message: 'adds foreign key users (code) → log: 2 rows have no parent' })
    await p.cleanup()
    p = await project()
    const check = await lintPending(pair(rebuild('TEXT', "VARCHAR(10) CHECK (length(code) < 5)")))
    expect(find(check, 'MF105')).toMatchObject({ severity: 'error', rows: 1 })
    expect(find(check, 'MF105')?.message).toMatch(/^adds check .* on users: 1 row fails it$/)
    await p.cleanup()
    p = await project()
    const passing = await lintPending(pair(rebuild('TEXT', "VARCHAR(10) CHECK (length(code) < 50)")))
    expect(find(passing, 'MF105')).toMatchObject({ severity: 'warning', rows: 0 })
  })

  it('BC101/BC102 renames; TX102 no-transaction with several statements', async () => {
    const renames = await lintPending(pair('-- migrator:no-transaction\nALTER TABLE users RENAME COLUMN nick TO handle;\nALTER TABLE log RENAME TO logs;'))
    expect(find(renames, 'BC101')?.message).toBe('renames column users.nick to handle')
    expect(find(renames, 'BC102')?.message).toBe('renames table log to logs')
    expect(find(renames, 'TX102')?.message).toMatch(/^no-transaction file holds 2 statements/)
    // A rename spelled out in the file is a rename, not a drop and an add.
    expect(codes(renames).filter((c) => c.startsWith('DS'))).toEqual([])
    await p.cleanup()
    p = await project()
    expect(codes(await lintPending(pair('-- migrator:no-transaction\nCREATE INDEX users_nick ON users (nick);')))).toEqual([])
  })

  it('TX101 CONCURRENTLY inside a transaction; MF100 the file fails on the scratch database', async () => {
    const report = await lintPending(pair('CREATE INDEX CONCURRENTLY users_nick ON users (nick);'))
    expect(find(report, 'TX101')?.severity).toBe('error')
    expect(find(report, 'MF100')?.message).toMatch(/^fails on this database \(tried on a scratch copy of its structure\): .*20240101000002_change\.up\.sql/)
  })

  it('IR101 missing down; config rules change severities and silence codes', async () => {
    const missing = await lintPending(pair('CREATE TABLE t2 (id INTEGER);', null))
    expect(find(missing, 'IR101')?.message).toBe('the down file is missing or empty: `migrator down` cannot revert it')
    await p.cleanup()
    p = await project()
    const configured = await lintPending(pair('ALTER TABLE users DROP COLUMN nick;', 'ALTER TABLE users ADD COLUMN nick TEXT;'), { DS102: 'error', IR102: 'off' })
    expect(find(configured, 'DS102')?.severity).toBe('error')
    expect(find(configured, 'IR102')).toBeUndefined()
    expect(configured.errors).toBe(1)
  })

  it('LK301 (SQLite hook): a rebuild of a table at least lint.largeTableRows big; not for a small one', async () => {
    await p.write(BASE)
    const driver = await p.open()
    const { runUp } = await import('../../src/runner/run.js')
    await runUp(driver, await readDirectory(p.dir), { historyTable: 'migrator_history', lockTimeoutMs: 5000, appliedBy: 't', toolVersion: 't' })
    p.exec(ROWS)
    await p.write(pair(rebuild('TEXT NOT NULL DEFAULT \'\'', 'VARCHAR(10)')))
    const files = await readDirectory(p.dir)
    const big = await lintWithDriver(driver, p.config({ lint: { rules: {}, largeTableRows: 3 } }), files)
    expect(find(big, 'LK301')).toMatchObject({ message: 'rebuilds table users (3 rows are copied while the database is write-locked)' })
    const small = await lintWithDriver(driver, p.config({ lint: { rules: {}, largeTableRows: 4 } }), files)
    expect(find(small, 'LK301')).toBeUndefined()
  })
})
