import { capture, expectValuesKept } from '../outcome.js'
import type { Scenario } from '../scenario.js'
import type { Stage } from '../stage.js'
import { FAMILY, TEXTS } from '../values.js'

const TRANSACTIONAL = 'DDL is transactional here: a failed migration rolls back whole, no statement stays applied'

/**
 * Statement 3 fails (duplicate emails) after 1 and 2 committed implicitly. The hand-written down
 * has no `-- migrator:undo` markers; its first two statements undo 4 and 3, which never ran, and
 * the first would drop the existing audit_log table with its rows: they must not run.
 */
const UP = `CREATE TABLE shipments (id INT PRIMARY KEY);
ALTER TABLE accounts ADD COLUMN note VARCHAR(20) NULL;
ALTER TABLE accounts ADD UNIQUE INDEX accounts_email_uq (email);
CREATE TABLE IF NOT EXISTS audit_log (id INT PRIMARY KEY, msg TEXT);
`
const DOWN = `DROP TABLE IF EXISTS audit_log;
ALTER TABLE accounts DROP INDEX accounts_email_uq;
ALTER TABLE accounts DROP COLUMN note;
DROP TABLE shipments;
`

const failingAtThree: Scenario = {
  name: 'MariaDB: hand-written 4-statement migration failing at statement 3, down without undo markers: exit 1, no undo of statements 3–4 run, the message tells truly what stayed applied, existing data identical',
  notOn: { postgres: TRANSACTIONAL, sqlite: TRANSACTIONAL },
  async run(s) {
    await s.db.exec(`CREATE TABLE accounts (id INT PRIMARY KEY, email VARCHAR(100), nickname TEXT);
CREATE TABLE audit_log (id INT PRIMARY KEY, msg TEXT);`)
    await s.db.insert('accounts', [
      { id: 1, email: 'same@example.com', nickname: TEXTS[0] ?? null },
      { id: 2, email: 'same@example.com', nickname: FAMILY },
      { id: 3, email: null, nickname: null },
    ])
    await s.db.insert('audit_log', TEXTS.map((msg, i) => ({ id: i + 1, msg })))
    await s.handWritten('20240101000001', 'four_statements', UP, DOWN)
    const before = await capture(s, [
      { table: 'accounts', columns: ['id', 'email', 'nickname'] },
      { table: 'audit_log', columns: ['id', 'msg'] },
    ])
    // --force: the duplicate emails are also a lint error, and the point is the failure at statement 3.
    const result = await s.cli('up', '--force')
    s.expect.soft(result.code, `the failed migration must exit 1\n${s.context()}`).toBe(1)
    await expectValuesKept(s, before)
    s.expect.soft(/\n\s+at .+:\d+:\d+\)?$/m.test(result.stderr), `no stack trace\n${s.context()}`).toBe(false)
    await expectHonestAccount(s, result.stderr)
  },
}

/**
 * The message must say what became of statements 1 and 2, and say it truly: either they stayed
 * applied (shipments and accounts.note exist) or they were undone (both gone), by down statements
 * that pair with them one for one.
 */
async function expectHonestAccount(s: Stage, stderr: string): Promise<void> {
  const pair = String.raw`1\s*(?:–|-|—|,|and|to)\s*2|2\s*(?:,|and)\s*1`
  const stayed = new RegExp(String.raw`statements?\s+(?:${pair})\b[^\n]*(?:stayed|still|remain)[^\n]*applied|(?:stayed|still|remain)[^\n]*applied[^\n]*statements?\s+(?:${pair})\b`, 'i').test(stderr)
  const undone = new RegExp(String.raw`undid statements?\s+(?:${pair})\b`, 'i').test(stderr)
  s.expect.soft(stayed || undone, `the message must say whether statements 1-2 stayed applied or were undone\n${s.context()}`).toBe(true)
  const shipments = await s.db.columns('shipments')
  const accounts = await s.db.columns('accounts')
  if (stayed) {
    s.expect.soft(shipments, `statement 1 said applied: shipments must exist\n${s.context()}`).not.toEqual([])
    s.expect.soft(accounts, `statement 2 said applied: accounts.note must exist\n${s.context()}`).toContain('note')
  }
  if (undone) {
    s.expect.soft(shipments, `statement 1 said undone: shipments must be gone\n${s.context()}`).toEqual([])
    s.expect.soft(accounts, `statement 2 said undone: accounts.note must be gone\n${s.context()}`).not.toContain('note')
  }
}

export const MARIADB_UNDO: readonly Scenario[] = [failingAtThree]
