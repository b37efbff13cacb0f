import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { splitStatements } from '../../../src/dialects/mysql/split.js'
import { corpusFile, describeCorpus } from '../../helpers/corpus.js'

const OWN = path.resolve(import.meta.dirname, '../../fixtures/mysql')
const corpus = (file: string): string => readFileSync(corpusFile('mysql', file), 'utf8')

describe('mysql splitStatements', () => {
  it('splits shop.sql: DELIMITER ;; // $$ blocks, triggers and routines, # comments, with start lines', () => {
    const statements = splitStatements(readFileSync(path.join(OWN, 'shop.sql'), 'utf8'))
    expect(statements).toHaveLength(17)
    expect(statements[0]).toEqual({ sql: 'SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0', line: 6 })
    expect(statements[2]?.sql).toMatch(/^CREATE TABLE customer \(/)
    const trigger = statements.find((s) => s.sql.startsWith('CREATE TRIGGER product_price_guard'))
    expect(trigger?.line).toBe(74)
    expect(trigger?.sql.endsWith('END IF;\n  END')).toBe(true)
    expect(statements.find((s) => s.sql.startsWith('CREATE TRIGGER order_item_log'))?.sql).toContain("'; added'")
    const routines = statements.filter((s) => /^CREATE (PROCEDURE|FUNCTION)/.test(s.sql))
    expect(routines.map((r) => r.line)).toEqual([82, 92])
    expect(routines[1]?.sql).toContain("'shipped; done');\nEND")
    // No statement keeps a delimiter, a DELIMITER command or a # comment.
    for (const s of statements) {
      expect(s.sql).not.toMatch(/;;$|\/\/$|\$\$$/)
      expect(s.sql).not.toMatch(/^DELIMITER/im)
      expect(s.sql.startsWith('#')).toBe(false)
    }
    expect(statements.at(-1)).toEqual({ sql: 'SET UNIQUE_CHECKS=@OLD_UNIQUE_CHECKS', line: 100 })
  })

  it('respects quotes, backslash escapes and the three comment styles', () => {
    const sql = [
      "INSERT INTO t VALUES ('a;b', 'it''s', 'back\\'slash;', \"dq;\", `odd;name`);",
      '-- a comment; with a semicolon',
      '--not-a-comment is an expression in MySQL only with a space, so this line ends at the ;',
      '# hash comment;',
      '/* block; comment */ SELECT 1;',
      '/* only a comment */;',
      '  ;',
      '/*!40101 SET NAMES utf8 */;',
    ].join('\n')
    const out = splitStatements(sql)
    expect(out).toEqual([
      { sql: "INSERT INTO t VALUES ('a;b', 'it''s', 'back\\'slash;', \"dq;\", `odd;name`)", line: 1 },
      { sql: '--not-a-comment is an expression in MySQL only with a space, so this line ends at the', line: 3 },
      { sql: 'SELECT 1', line: 5 },
      { sql: '/*!40101 SET NAMES utf8 */', line: 8 },
    ])
  })

  it('keeps BEGIN…END bodies whole without DELIMITER, and END IF/CASE inside them', () => {
    const sql = [
      'CREATE TABLE t (a int);',
      'CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN',
      '  IF NEW.a < 0 THEN SET NEW.a = 0; END IF;',
      '  SET NEW.a = CASE WHEN NEW.a > 9 THEN 9 ELSE NEW.a END;',
      'END;',
      'SELECT 2;',
    ].join('\n')
    const out = splitStatements(sql)
    expect(out.map((s) => s.line)).toEqual([1, 2, 6])
    expect(out[1]?.sql.endsWith('ELSE NEW.a END;\nEND')).toBe(true)
  })

  it('handles a custom delimiter and strips it', () => {
    const out = splitStatements('DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END//\nDELIMITER ;\nSELECT 3;')
    expect(out).toEqual([
      { sql: 'CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END', line: 2 },
      { sql: 'SELECT 3', line: 4 },
    ])
  })
})

describeCorpus('mysql splitStatements on the real-world corpus', () => {
  it('splits sakila: DELIMITER ;; // $$ blocks, triggers and routines, with start lines', () => {
    const statements = splitStatements(corpus('sakila.sql'))
    expect(statements).toHaveLength(38)
    expect(statements[0]).toEqual({ sql: 'SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0', line: 17 })
    const trigger = statements.find((s) => s.sql.startsWith('CREATE TRIGGER `upd_film`'))
    expect(trigger?.line).toBe(186)
    expect(trigger?.sql.endsWith('END IF;\n  END')).toBe(true)
    const procedures = statements.filter((s) => /^CREATE (PROCEDURE|FUNCTION)/.test(s.sql))
    expect(procedures.map((p) => p.line)).toEqual([443, 510, 555, 571, 587, 605])
    // No statement keeps a delimiter or a DELIMITER command.
    for (const s of statements) {
      expect(s.sql).not.toMatch(/;;$|\/\/$|\$\$$/)
      expect(s.sql).not.toMatch(/^DELIMITER/im)
    }
    expect(statements.at(-1)).toEqual({ sql: 'SET UNIQUE_CHECKS=@OLD_UNIQUE_CHECKS', line: 638 })
  })

  it('counts the other fixtures: ambari (# comments, PREPARE), chinook, temporal', () => {
    const count = (file: string): number => splitStatements(corpus(file)).length
    const ambari = splitStatements(corpus('ambari.sql'))
    expect(ambari.some((s) => s.sql.startsWith('#'))).toBe(false)
    expect(ambari.at(-1)?.sql.toLowerCase()).toBe('commit')
    expect(count('chinook.sql')).toBeGreaterThan(11)
    expect(count('temporal.sql')).toBeGreaterThanOrEqual(37)
  })
})
