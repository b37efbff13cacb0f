import { describe, expect, it } from 'vitest'
import { statementObjects } from '../../../src/dialects/mysql/objects.js'
import { splitStatements } from '../../../src/dialects/mysql/split.js'
import { pairDown, type ObjectsOf } from '../../../src/runner/pair-down.js'

// Which down statement may undo which up statement of a hand-written MySQL migration (issue 9).
const UP = [
  'CREATE TABLE audit (id int NOT NULL PRIMARY KEY, email varchar(100) NOT NULL);',
  'ALTER TABLE users ADD COLUMN nickname varchar(50) NULL;',
  'ALTER TABLE `users` ADD UNIQUE INDEX `uq_email` (`email`);',
  'UPDATE users SET name = UPPER(name);',
].join('\n')

const MIRRORED = [
  '-- hand-written: newest first',
  'UPDATE users SET name = LOWER(name);',
  'ALTER TABLE users DROP INDEX UQ_EMAIL;',
  'ALTER TABLE `users` DROP COLUMN `nickname`;',
  'DROP TABLE IF EXISTS audit;',
].join('\n')

const objectsOf: ObjectsOf = statementObjects
const pair = (up: string, down: string, reader: ObjectsOf | undefined = objectsOf) => pairDown(splitStatements(up), splitStatements(down), reader)
const unread = (up: string, down: string) => pairDown(splitStatements(up), splitStatements(down), undefined)

describe('pairDown', () => {
  it('pairs down statement n-i+1 with up statement i when every pair touches the same objects', () => {
    const pairing = pair(UP, MIRRORED)
    expect(pairing.ok).toBe(true)
    if (!pairing.ok) return
    expect(pairing.undo.map((s) => [s.number, s.line, s.sql])).toEqual([
      [4, 5, 'DROP TABLE IF EXISTS audit'],
      [3, 4, 'ALTER TABLE `users` DROP COLUMN `nickname`'],
      [2, 3, 'ALTER TABLE users DROP INDEX UQ_EMAIL'],
      [1, 2, 'UPDATE users SET name = LOWER(name)'],
    ])
  })

  it('refuses a down with fewer statements than the up (the usual "drop everything" down)', () => {
    const down = 'UPDATE users SET name = LOWER(name);\nALTER TABLE users DROP INDEX uq_email, DROP COLUMN nickname;\nDROP TABLE audit;\n'
    expect(pair(UP, down)).toEqual({
      ok: false,
      reason: 'it has 3 statements and the up file 4, but it needs one per up statement, in reverse order',
    })
  })

  it('refuses a down written in the same order as the up: the first mismatching pair is named', () => {
    const down = splitStatements(MIRRORED).map((s) => `${s.sql};`).reverse().join('\n')
    expect(pair(UP, down)).toEqual({
      ok: false,
      reason:
        'down statement 4 (UPDATE users SET name = LOWER(name)) touches table `users`, but up statement 1 ' +
        '(CREATE TABLE audit (id int NOT NULL PRIMARY KEY, email varc…), which it would undo, touches table `audit`',
    })
  })

  it('tells a column from an index and from the table itself', () => {
    const up = 'ALTER TABLE users ADD COLUMN a int;\nALTER TABLE users ADD INDEX a (a);\n'
    // Same table, but the index undo sits where the column's would be.
    expect(pair(up, 'ALTER TABLE users DROP COLUMN a;\nALTER TABLE users DROP INDEX a;\n')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^down statement 2 \(ALTER TABLE users DROP INDEX a\) touches index `users`\.`a`, table `users`, but up statement 1 .* touches column `users`\.`a`, table `users`$/),
    })
    expect(pair(up, 'ALTER TABLE users DROP INDEX a;\nALTER TABLE users DROP COLUMN a;\n').ok).toBe(true)
    // A table-level change does not stand in for a column change.
    expect(pair('ALTER TABLE users ADD COLUMN a int;\n', "ALTER TABLE users COMMENT = '';\n").ok).toBe(false)
  })

  it('refuses when a statement on either side cannot be read', () => {
    expect(pair('CREATE TABLE a (x int);\nSET @n = 1;\n', 'SET @n = NULL;\nDROP TABLE a;\n')).toEqual({
      ok: false,
      reason: 'which objects up statement 2 (SET @n = 1) touches cannot be told',
    })
    expect(pair('CREATE TABLE a (x int);\n', '/*!40101 DROP TABLE a */;\n')).toEqual({
      ok: false,
      reason: 'which objects down statement 1 (/*!40101 DROP TABLE a */) touches cannot be told',
    })
    // An unnamed index: the name the server picks is not in the text.
    expect(pair('ALTER TABLE users ADD UNIQUE (email);\n', 'ALTER TABLE users DROP INDEX email;\n').ok).toBe(false)
  })

  it('never pairs without a dialect reading of statements', () => {
    expect(unread(UP, MIRRORED)).toEqual({ ok: false, reason: 'this database cannot tell which objects a statement touches' })
  })

  it('compares whole sets: a down touching more or fewer objects does not pair', () => {
    const reader: ObjectsOf = (sql) => (sql.startsWith('A') ? ['x', 'y'] : sql.startsWith('B') ? ['x'] : ['y', 'x', 'x'])
    expect(pairDown([{ sql: 'A', line: 1 }], [{ sql: 'B', line: 1 }], reader).ok).toBe(false)
    expect(pairDown([{ sql: 'A', line: 1 }], [{ sql: 'C', line: 1 }], reader).ok).toBe(true)
    expect(pairDown([], [], reader)).toEqual({ ok: true, undo: [] })
  })
})
