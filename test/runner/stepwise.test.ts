import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FailedMigrationError } from '../../src/errors.js'
import { runUp } from '../../src/runner/run.js'
import { historyVersions, sandbox, tables, type Sandbox } from './setup.js'

// Statement by statement (no-transaction): the path MySQL takes, exercised on SQLite via the directive.
const USERS = {
  '20240101000001_users.up.sql': "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\nINSERT INTO users (email) VALUES ('a@example.com');\n",
  '20240101000001_users.down.sql': 'DROP TABLE users;\n',
}
const up = [
  '-- migrator:no-transaction',
  'CREATE TABLE audit (id INTEGER PRIMARY KEY);',
  "INSERT INTO users (email) VALUES ('z@example.com');",
  'INSERT INTO nowhere VALUES (1);',
  '',
].join('\n')
const grouped = (undo1 = 'DROP TABLE audit;'): string =>
  ['-- migrator:undo 3', 'SELECT 3;', '', '-- migrator:undo 2', "DELETE FROM users WHERE email = 'z@example.com';", '', '-- migrator:undo 1', undo1, ''].join('\n')

let box: Sandbox
beforeEach(async () => {
  box = await sandbox()
})
afterEach(async () => {
  await box.cleanup()
})

async function applyUsers(): Promise<string> {
  await box.write(USERS)
  await runUp(await box.open(), await box.files(), box.options())
  return box.dump()
}

describe('statement-by-statement migrations', () => {
  it('record progress and end with an applied row', async () => {
    await applyUsers()
    await box.write({ '20240101000002_audit.up.sql': '-- migrator:no-transaction\nCREATE TABLE audit (id INTEGER);\nCREATE INDEX audit_id ON audit (id);\n' })
    const result = await runUp(await box.open(), await box.files(), box.options())
    expect(result.results.map((r) => r.status)).toEqual(['applied'])
    expect(box.events.find((e) => e.kind === 'migration-start' && e.version === '20240101000002')).toMatchObject({ transactional: false, statements: 2 })
    expect(box.query("SELECT status, statements_applied FROM migrator_history WHERE version = '20240101000002'")).toEqual([
      { status: 'applied', statements_applied: 2 },
    ])
  })

  it('undo the applied statements newest first from the undo groups when one fails', async () => {
    const before = await applyUsers()
    await box.write({ '20240101000002_audit.up.sql': up, '20240101000002_audit.down.sql': grouped() })
    const result = await runUp(await box.open(), await box.files(), box.options())
    expect(result.error?.message).toBe(
      '20240101000002_audit.up.sql:4: statement 3 (INSERT INTO nowhere VALUES (1)) failed: no such table: nowhere; ' +
        'undid statements 2, 1 of 20240101000002_audit.up.sql; database and history are as before',
    )
    expect(box.events.filter((e) => e.kind === 'undo-statement').map((e) => (e.kind === 'undo-statement' ? [e.index, e.sql] : []))).toEqual([
      [2, "DELETE FROM users WHERE email = 'z@example.com'"],
      [1, 'DROP TABLE audit'],
    ])
    expect(box.dump()).toBe(before)
    expect(historyVersions(box)).toEqual(['20240101000001'])
  })

  // Issue 9: a down file without undo groups is run only where it provably pairs with the up
  // statement for statement (Driver.objectsOf, which SQLite does not have): never whole.
  it('run no statement of a hand-written down file without undo groups that cannot be paired, and say what stayed', async () => {
    const before = await applyUsers()
    await box.write({
      '20240101000002_audit.up.sql': up,
      '20240101000002_audit.down.sql': "DELETE FROM users WHERE email = 'z@example.com';\nDROP TABLE IF EXISTS audit;\n",
    })
    const result = await runUp(await box.open(), await box.files(), box.options({ txMode: 'none' }))
    expect(result.error?.message).toMatch(
      /; statements 1-2 of 20240101000002_audit\.up\.sql stayed applied \(CREATE TABLE audit \(id INTEGER PRIMARY …; INSERT INTO users \(email\) VALUES \('z@ex…\); 20240101000002_audit\.down\.sql cannot be paired with them safely \(this database cannot tell which objects a statement touches\), so nothing was undone; history marks 20240101000002 failed with statements_applied = 2: undo them by hand, then run `migrator repair`$/,
    )
    expect(box.dump()).not.toBe(before)
    expect(box.query("SELECT email FROM users WHERE email = 'z@example.com'")).toEqual([{ email: 'z@example.com' }])
    expect(box.query("SELECT status, statements_applied FROM migrator_history WHERE version = '20240101000002'")).toEqual([{ status: 'failed', statements_applied: 2 }])
  })

  it('leave a failed row with statements_applied when the undo fails, and up then points to repair', async () => {
    await applyUsers()
    await box.write({ '20240101000002_audit.up.sql': up, '20240101000002_audit.down.sql': grouped('DROP TABLE not_there;') })
    const driver = await box.open()
    const result = await runUp(driver, await box.files(), box.options())
    expect(result.results.map((r) => r.status)).toEqual(['failed'])
    expect(result.error?.message).toMatch(
      /; undid statement 2 of 20240101000002_audit\.up\.sql; undoing statement 1 failed \(20240101000002_audit\.down\.sql undo 1: no such table: not_there\), so statement 1 of 20240101000002_audit\.up\.sql stayed applied \(CREATE TABLE audit \(id INTEGER PRIMARY …\); history marks 20240101000002 failed with statements_applied = 1: undo it by hand, then run `migrator repair`$/,
    )
    // Statement 2 was undone, so history counts only statement 1 as still applied.
    expect(box.query("SELECT status, statements_applied FROM migrator_history WHERE version = '20240101000002'")).toEqual([
      { status: 'failed', statements_applied: 1 },
    ])
    await expect(runUp(driver, await box.files(), box.options())).rejects.toBeInstanceOf(FailedMigrationError)
  })

  it('all-or-nothing also reverts earlier migrations of the run with their downs', async () => {
    await box.write({ ...USERS, '20240101000002_audit.up.sql': up, '20240101000002_audit.down.sql': grouped() })
    const driver = await box.open()
    const result = await runUp(driver, await box.files(), box.options({ allOrNothing: true }))
    expect(result.results.map((r) => [r.version, r.status])).toEqual([
      ['20240101000001', 'undone'],
      ['20240101000002', 'failed'],
    ])
    // Everything was taken back and nothing recorded: the history table this run created is gone too.
    expect(tables(box)).toEqual([])
    expect(box.events.filter((e) => e.kind === 'migration-undone').map((e) => ('version' in e ? e.version : ''))).toEqual(['20240101000001'])
  })

  it('a dry run shows the statements without transaction boundaries', async () => {
    await box.write({ '20240101000001_audit.up.sql': '-- migrator:no-transaction\nCREATE TABLE audit (id INTEGER);\n' })
    const result = await runUp(await box.open(), await box.files(), box.options({ dryRun: true }))
    expect(result.sql).toBe('-- 20240101000001_audit.up.sql\nCREATE TABLE audit (id INTEGER);\n')
    expect(tables(box)).toEqual([])
  })
})
