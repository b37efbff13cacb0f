import { describe, expect, it } from 'vitest'
import { statementObjects } from '../../../src/dialects/mysql/objects.js'

// What a MySQL statement touches, as the runner's down-file pairing reads it (issue 9).
describe('statementObjects', () => {
  it.each([
    ['CREATE TABLE audit (id int NOT NULL PRIMARY KEY) ENGINE=InnoDB', ['table `audit`']],
    ['CREATE TEMPORARY TABLE IF NOT EXISTS `db`.`a``b` (x int)', ['table `db`.`a``b`']],
    ['create or replace table t like u', ['table `t`']],
    ['DROP TABLE IF EXISTS a, `b` CASCADE', ['table `a`', 'table `b`']],
    ['CREATE SEQUENCE s', ['table `s`']],
    ['CREATE UNIQUE INDEX Ix USING BTREE ON t (a)', ['index `t`.`ix`', 'table `t`']],
    ['DROP INDEX IF EXISTS ix ON t', ['index `t`.`ix`', 'table `t`']],
    ['CREATE OR REPLACE ALGORITHM=MERGE DEFINER=`root`@`%` SQL SECURITY INVOKER VIEW v (a) AS SELECT 1', ['table `v`']],
    ['ALTER ALGORITHM=MERGE VIEW v AS SELECT 2', ['table `v`']],
    ['DROP VIEW IF EXISTS v', ['table `v`']],
    ["CREATE DEFINER=CURRENT_USER() TRIGGER trg BEFORE INSERT ON t FOR EACH ROW SET NEW.a = ';'", ['trigger `trg`']],
    ['DROP TRIGGER IF EXISTS trg', ['trigger `trg`']],
    ['CREATE FUNCTION f() RETURNS int RETURN 1', ['routine `f`']],
    ['DROP PROCEDURE IF EXISTS p', ['routine `p`']],
    ['CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO DELETE FROM t', ['event `e`']],
    ['RENAME TABLE a TO b, c TO d', ['table `a`', 'table `b`', 'table `c`', 'table `d`']],
    ['TRUNCATE TABLE t', ['table `t`']],
    ['TRUNCATE t', ['table `t`']],
    ["INSERT IGNORE INTO audit (id, email) SELECT id, email FROM users WHERE name = 'x'", ['table `audit`']],
    ['REPLACE t VALUES (1)', ['table `t`']],
    ['UPDATE LOW_PRIORITY users AS u SET u.name = LOWER(u.name)', ['table `users`']],
    ['DELETE QUICK FROM users WHERE id > 3 LIMIT 5', ['table `users`']],
    ['DELETE FROM users', ['table `users`']],
  ])('%s', (sql, expected) => {
    expect(statementObjects(sql)).toEqual(expected)
  })

  it.each([
    ['ALTER TABLE users ADD COLUMN Nickname varchar(50) NULL AFTER name', ['column `users`.`nickname`', 'table `users`']],
    ['ALTER TABLE users ADD nickname varchar(50), ADD `index` int', ['column `users`.`index`', 'column `users`.`nickname`', 'table `users`']],
    ['ALTER TABLE users DROP COLUMN IF EXISTS nickname', ['column `users`.`nickname`', 'table `users`']],
    ['ALTER TABLE users DROP nickname', ['column `users`.`nickname`', 'table `users`']],
    ['ALTER TABLE t MODIFY c VARCHAR(3) NOT NULL', ['column `t`.`c`', 'table `t`']],
    ['ALTER TABLE t CHANGE COLUMN a b int, ADD INDEX ib (b), ALGORITHM=INPLACE, LOCK=NONE', ['column `t`.`a`', 'column `t`.`b`', 'index `t`.`ib`', 'table `t`']],
    ['ALTER TABLE t ALTER COLUMN c SET DEFAULT 1', ['column `t`.`c`', 'table `t`']],
    ['ALTER TABLE t RENAME COLUMN a TO b', ['column `t`.`a`', 'column `t`.`b`', 'table `t`']],
    ['ALTER TABLE t RENAME INDEX a TO b', ['index `t`.`a`', 'index `t`.`b`', 'table `t`']],
    ['ALTER TABLE t RENAME TO u', ['table `t`', 'table `u`']],
    ['ALTER TABLE t RENAME u', ['table `t`', 'table `u`']],
    ['ALTER TABLE `users` ADD UNIQUE INDEX `uq_email` (`email`)', ['index `users`.`uq_email`', 'table `users`']],
    ['ALTER TABLE t ADD CONSTRAINT uq UNIQUE (a)', ['index `t`.`uq`', 'table `t`']],
    ['ALTER TABLE t ADD CONSTRAINT fk_p FOREIGN KEY (p) REFERENCES p (id) ON DELETE CASCADE', ['index `t`.`fk_p`', 'table `t`']],
    ['ALTER TABLE t ADD FOREIGN KEY fk_q (q) REFERENCES q (id)', ['index `t`.`fk_q`', 'table `t`']],
    ['ALTER TABLE t DROP FOREIGN KEY fk_p', ['index `t`.`fk_p`', 'table `t`']],
    ['ALTER TABLE t ADD CONSTRAINT ck CHECK (a > 0)', ['index `t`.`ck`', 'table `t`']],
    ['ALTER TABLE t DROP CONSTRAINT ck', ['index `t`.`ck`', 'table `t`']],
    ['ALTER TABLE t ADD PRIMARY KEY (id)', ['index `t`.`primary`', 'table `t`']],
    ['ALTER TABLE t DROP PRIMARY KEY', ['index `t`.`primary`', 'table `t`']],
    ["ALTER TABLE `users` COMMENT = 'people', ENGINE = InnoDB", ['table `users`']],
    ['ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4', ['table `t`']],
  ])('%s', (sql, expected) => {
    expect(statementObjects(sql)).toEqual(expected)
  })

  it.each([
    'SET foreign_key_checks = 0',
    'SELECT 1',
    'CALL p()',
    '/*!40101 ALTER TABLE t ADD COLUMN c int */',
    'ALTER TABLE t ADD UNIQUE (email)',
    'ALTER TABLE t ADD INDEX (email)',
    'ALTER TABLE t ADD CHECK (a > 0)',
    'ALTER TABLE t ADD FOREIGN KEY (p) REFERENCES p (id)',
    'ALTER TABLE t ADD (a int, b int)',
    'ALTER TABLE t ADD PARTITION (PARTITION p3 VALUES LESS THAN (2000))',
    'ALTER TABLE t WAIT 5 ADD COLUMN c int',
    'UPDATE users u JOIN x ON x.id = u.id SET u.name = 1',
    'UPDATE a, b SET a.x = b.x',
    'DELETE u FROM users u JOIN x ON x.id = u.id',
    'DELETE FROM a USING a JOIN b',
    'DROP DATABASE d',
    'CREATE DATABASE d',
    'DROP TABLE t garbage',
  ])('cannot tell: %s', (sql) => {
    expect(statementObjects(sql)).toBeUndefined()
  })

  it('reads past comments and keeps keywords in quotes and strings for names and values', () => {
    expect(statementObjects('ALTER TABLE /* why */ t -- note\n  ADD COLUMN `drop` int # more\n')).toEqual(['column `t`.`drop`', 'table `t`'])
    expect(statementObjects("UPDATE t SET a = 'DROP TABLE x, y'")).toEqual(['table `t`'])
  })
})
