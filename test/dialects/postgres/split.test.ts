import { describe, expect, it } from 'vitest'
import { splitStatements } from '../../../src/dialects/postgres/split.js'

describe('postgres splitStatements', () => {
  it('keeps dollar-quoted bodies whole and reports 1-based start lines', () => {
    const sql = [
      '-- header comment',
      'CREATE TABLE a (id int); /* trailing; comment */',
      '',
      'CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$',
      'BEGIN',
      "  RETURN 1; -- not the end; $$ inside",
      'END',
      '$body$;',
      "SELECT $$a;b$$, 'it''s; fine', E'\\';still', \"we;ird\";",
      '/* outer /* nested; */ still comment; */ SELECT 2',
    ].join('\n')
    expect(splitStatements(sql)).toEqual([
      { sql: 'CREATE TABLE a (id int)', line: 2 },
      {
        sql: "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$\nBEGIN\n  RETURN 1; -- not the end; $$ inside\nEND\n$body$",
        line: 4,
      },
      { sql: "SELECT $$a;b$$, 'it''s; fine', E'\\';still', \"we;ird\"", line: 9 },
      { sql: 'SELECT 2', line: 10 },
    ])
  })

  it('drops empty and comment-only chunks', () => {
    expect(splitStatements(';;\n-- only a comment;\n/* x; */;\n  ;')).toEqual([])
  })

  it('does not take $1 parameters or identifiers with $ for dollar quotes', () => {
    expect(splitStatements('SELECT a$b, $1 FROM t; SELECT 2')).toEqual([
      { sql: 'SELECT a$b, $1 FROM t', line: 1 },
      { sql: 'SELECT 2', line: 1 },
    ])
  })
})
