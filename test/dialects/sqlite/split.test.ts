import { describe, expect, it } from 'vitest'
import { splitStatements } from '../../../src/dialects/sqlite/split.js'
import { describeCorpus } from '../../helpers/corpus.js'
import { CORPUS_FIXTURES, readFixture } from './helpers.js'

describe('sqlite splitStatements', () => {
  it('splits on semicolons outside quotes and comments, with 1-based start lines', () => {
    const sql = [
      "-- leading comment; not a statement",
      "CREATE TABLE \"a;b\" (x TEXT DEFAULT 'semi;colon', [y;z] INT, `w;v` INT);",
      '/* block; comment */',
      'INSERT INTO t VALUES (\'it\'\'s; fine\');  -- trailing; comment',
      '',
      'SELECT 1',
    ].join('\n')
    expect(splitStatements(sql)).toEqual([
      { sql: "CREATE TABLE \"a;b\" (x TEXT DEFAULT 'semi;colon', [y;z] INT, `w;v` INT)", line: 2 },
      { sql: "INSERT INTO t VALUES ('it''s; fine')", line: 4 },
      { sql: 'SELECT 1', line: 6 },
    ])
  })

  it('keeps CREATE TRIGGER bodies whole, including nested CASE … END', () => {
    const sql = `CREATE TRIGGER t_ai AFTER INSERT ON t
BEGIN
  UPDATE t SET x = CASE WHEN new.x > 0 THEN 1 ELSE 0 END WHERE rowid = new.rowid;
  INSERT INTO log VALUES ('end; begin');
END;
CREATE TEMP TRIGGER t2 BEFORE DELETE ON t BEGIN SELECT RAISE(ABORT, 'no'); END;
BEGIN;
COMMIT;`
    const out = splitStatements(sql)
    expect(out.map((s) => s.line)).toEqual([1, 6, 7, 8])
    expect(out[0]!.sql).toMatch(/^CREATE TRIGGER t_ai[\s\S]*'end; begin'\);\nEND$/)
    expect(out[1]!.sql).toBe("CREATE TEMP TRIGGER t2 BEFORE DELETE ON t BEGIN SELECT RAISE(ABORT, 'no'); END")
    expect(out.slice(2).map((s) => s.sql)).toEqual(['BEGIN', 'COMMIT'])
  })

  it('drops empty and comment-only chunks', () => {
    expect(splitStatements(';;\n -- only a comment\n/* and; this */ ;\n')).toEqual([])
  })

  it('handles CRLF line endings with correct line numbers', () => {
    const sql = 'CREATE TABLE a (x INT);\r\n\r\n-- c\r\nCREATE VIEW v AS\r\nSELECT x FROM a;\r\n'
    expect(splitStatements(sql)).toEqual([
      { sql: 'CREATE TABLE a (x INT)', line: 1 },
      { sql: 'CREATE VIEW v AS\r\nSELECT x FROM a', line: 4 },
    ])
    const store = splitStatements(readFixture('store.sql').replace(/\n/g, '\r\n'))
    expect(store[0]).toEqual({ sql: 'PRAGMA foreign_keys = off', line: 6 })
    expect(store.filter((s) => /^CREATE VIEW/i.test(s.sql))).toHaveLength(2)
    expect(store.filter((s) => /^CREATE TABLE/i.test(s.sql))).toHaveLength(7)
    expect(store.find((s) => s.sql.startsWith('CREATE VIEW order_totals'))?.line).toBe(78)
  })

  it('counts the trigger bodies of the project fixtures as single statements', () => {
    const store = splitStatements(readFixture('store.sql')).filter((s) => /^CREATE TRIGGER/i.test(s.sql))
    expect(store).toHaveLength(3)
    // A RAISE message and an INSERT value holding semicolons, and CASE … END, stay inside the body.
    expect(store[2]!.sql).toMatch(/^CREATE TRIGGER products_price_check[\s\S]*'negative price; refused'[\s\S]*ELSE 'cut' END\);\nEND$/)
    expect(store[0]!.sql).toContain("'insert; new'")
    const fts = splitStatements(readFixture('search.sql')).filter((s) => /^CREATE TRIGGER/i.test(s.sql))
    expect(fts).toHaveLength(3)
    for (const t of fts) expect(t.sql).toMatch(/END$/)
  })
})

describeCorpus('sqlite splitStatements on the real-world corpus', () => {
  const corpus = (name: string) => readFixture(name, CORPUS_FIXTURES)

  it('handles CRLF line endings (northwind.sql) with correct line numbers', () => {
    const northwind = splitStatements(corpus('northwind.sql'))
    expect(northwind[0]).toEqual({ sql: 'PRAGMA foreign_keys=off', line: 8 })
    expect(northwind.filter((s) => /^CREATE VIEW/i.test(s.sql))).toHaveLength(16)
    expect(northwind.filter((s) => /^CREATE TABLE/i.test(s.sql))).toHaveLength(13)
  })

  it('counts the trigger bodies as single statements', () => {
    expect(splitStatements(corpus('sakila.sql')).filter((s) => /^CREATE TRIGGER/i.test(s.sql))).toHaveLength(30)
    const fts = splitStatements(corpus('temporal_visibility.sql')).filter((s) => /^CREATE TRIGGER/i.test(s.sql))
    expect(fts).toHaveLength(3)
    for (const t of fts) expect(t.sql).toMatch(/END$/)
  })
})
