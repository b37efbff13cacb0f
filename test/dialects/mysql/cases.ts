import type { Flavor } from '../../../src/dialects/mysql/flavor.js'
import type { Schema } from '../../../src/schema/model.js'

/**
 * Single-edit cases: `base` is applied to both databases (after BASE), `edit` only to the desired
 * one; the plan must produce exactly `sql`, converge, and reverse back, keeping the seeded rows.
 */
export interface PlanCase {
  readonly name: string
  readonly base?: string
  readonly edit: string
  readonly sql: readonly string[]
  /** Marks renames on the desired schema (the target's `renamedFrom`). */
  readonly mark?: (desired: Schema) => Schema
  /** The change loses rows or data on purpose (drop table): skip the row check after forward. */
  readonly dropsRows?: boolean
  /** MySQL (not MariaDB) spelling of the edit and of the expected SQL, where they differ. */
  readonly mysql?: Pick<Partial<PlanCase>, 'base' | 'edit' | 'sql'>
}

/** The case as the server's flavor writes it: `mysql` overrides apply on MySQL. */
export function forFlavor(testCase: PlanCase, flavor: Flavor): PlanCase {
  return flavor.mariadb || testCase.mysql === undefined ? testCase : { ...testCase, ...testCase.mysql }
}

export const BASE = `
CREATE TABLE parent (
  id int NOT NULL AUTO_INCREMENT PRIMARY KEY,
  code varchar(20) NOT NULL,
  UNIQUE KEY uq_code (code)
) ENGINE=InnoDB;
CREATE TABLE t (
  id int NOT NULL AUTO_INCREMENT,
  name varchar(50) NOT NULL DEFAULT '',
  qty int NULL,
  price decimal(10,2) NOT NULL DEFAULT 0.00,
  note text,
  parent_id int NULL,
  created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  KEY idx_name (name)
) ENGINE=InnoDB;
INSERT INTO parent (code) VALUES ('a'), ('b');
INSERT INTO t (name, qty, price, note, parent_id) VALUES ('x', 1, 2.5, 'n', 1), ('y', 2, 3.5, NULL, 2);
`

function renameColumn(table: string, from: string, to: string) {
  return (schema: Schema): Schema => ({
    ...schema,
    tables: schema.tables.map((t) =>
      t.name !== table ? t : { ...t, columns: t.columns.map((c) => (c.name === to ? { ...c, renamedFrom: from } : c)) },
    ),
  })
}

function renameTable(from: string, to: string) {
  return (schema: Schema): Schema => ({
    ...schema,
    tables: schema.tables.map((t) => (t.name === to ? { ...t, renamedFrom: from } : t)),
  })
}

export const CASES: readonly PlanCase[] = [
  { name: 'add nullable column', edit: 'ALTER TABLE t ADD COLUMN email varchar(100) NULL', sql: ["ALTER TABLE `t` ADD COLUMN `email` varchar(100) NULL AFTER `created_at`"] },
  { name: 'add NOT NULL column with default (tinyint(1) boolean)', edit: 'ALTER TABLE t ADD COLUMN active boolean NOT NULL DEFAULT TRUE', sql: ["ALTER TABLE `t` ADD COLUMN `active` tinyint(1) NOT NULL DEFAULT 1 AFTER `created_at`"] },
  { name: 'add unsigned bigint column (display width dropped)', edit: 'ALTER TABLE t ADD COLUMN big bigint(20) unsigned NULL', sql: ["ALTER TABLE `t` ADD COLUMN `big` bigint unsigned NULL AFTER `created_at`"] },
  { name: 'add column FIRST', edit: 'ALTER TABLE t ADD COLUMN tenant int NOT NULL DEFAULT 0 FIRST', sql: ["ALTER TABLE `t` ADD COLUMN `tenant` int NOT NULL DEFAULT 0 FIRST"] },
  { name: 'add ENUM column with default', edit: "ALTER TABLE t ADD COLUMN kind enum('a','B','c') NOT NULL DEFAULT 'B'", sql: [
      "ALTER TABLE `t` ADD COLUMN `kind` enum('a','B','c') NOT NULL DEFAULT 'B' AFTER `created_at`",
    ] },
  { name: 'add SET column', edit: "ALTER TABLE t ADD COLUMN tags set('x','y','z') NULL", sql: ["ALTER TABLE `t` ADD COLUMN `tags` set('x','y','z') NULL AFTER `created_at`"] },
  { name: 'add JSON column', edit: 'ALTER TABLE t ADD COLUMN meta json NULL', sql: ["ALTER TABLE `t` ADD COLUMN `meta` json NULL AFTER `created_at`"] },
  { name: 'add VIRTUAL generated column', edit: 'ALTER TABLE t ADD COLUMN total decimal(12,2) AS (price * qty) VIRTUAL', sql: [
      "ALTER TABLE `t` ADD COLUMN `total` decimal(12,2) GENERATED ALWAYS AS (`price` * `qty`) VIRTUAL AFTER `created_at`",
    ] },
  { name: 'add STORED generated column', edit: 'ALTER TABLE t ADD COLUMN name_len int AS (char_length(name)) STORED', sql: [
      "ALTER TABLE `t` ADD COLUMN `name_len` int GENERATED ALWAYS AS (char_length(`name`)) STORED AFTER `created_at`",
    ] },
  {
    name: 'add column with ON UPDATE CURRENT_TIMESTAMP(3)',
    edit: 'ALTER TABLE t ADD COLUMN updated_at timestamp(3) NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)',
    sql: [
      "ALTER TABLE `t` ADD COLUMN `updated_at` timestamp(3) NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3) AFTER `created_at`",
    ],
  },
  { name: 'add column with expression default', edit: 'ALTER TABLE t ADD COLUMN token varchar(36) NOT NULL DEFAULT (uuid())', sql: [
      "ALTER TABLE `t` ADD COLUMN `token` varchar(36) NOT NULL DEFAULT (uuid()) AFTER `created_at`",
    ] },
  { name: 'add column with comment', edit: "ALTER TABLE t ADD COLUMN memo varchar(10) NULL COMMENT 'it''s a \\\\ memo'", sql: [
      "ALTER TABLE `t` ADD COLUMN `memo` varchar(10) NULL COMMENT 'it''s a \\\\ memo' AFTER `created_at`",
    ] },
  { name: 'add column with non-default collation', edit: 'ALTER TABLE t ADD COLUMN slug varchar(30) COLLATE utf8mb4_bin NULL', sql: [
      "ALTER TABLE `t` ADD COLUMN `slug` varchar(30) COLLATE utf8mb4_bin NULL AFTER `created_at`",
    ] },
  { name: 'drop column', edit: 'ALTER TABLE t DROP COLUMN note', sql: ["ALTER TABLE `t` DROP COLUMN `note`"] },
  { name: 'widen varchar', edit: "ALTER TABLE t MODIFY name varchar(100) NOT NULL DEFAULT ''", sql: ["ALTER TABLE `t` MODIFY COLUMN `name` varchar(100) NOT NULL DEFAULT ''"] },
  { name: 'int to bigint', edit: 'ALTER TABLE t MODIFY qty bigint NULL', sql: ["ALTER TABLE `t` MODIFY COLUMN `qty` bigint NULL"] },
  { name: 'decimal precision', edit: 'ALTER TABLE t MODIFY price decimal(12,3) NOT NULL DEFAULT 0', sql: ["ALTER TABLE `t` MODIFY COLUMN `price` decimal(12,3) NOT NULL DEFAULT 0.000"] },
  { name: 'nullable to NOT NULL', edit: 'ALTER TABLE t MODIFY qty int NOT NULL', sql: ["ALTER TABLE `t` MODIFY COLUMN `qty` int NOT NULL"] },
  { name: 'NOT NULL to nullable', edit: "ALTER TABLE t MODIFY name varchar(50) NULL DEFAULT ''", sql: ["ALTER TABLE `t` MODIFY COLUMN `name` varchar(50) NULL DEFAULT ''"] },
  { name: 'change default', edit: 'ALTER TABLE t ALTER price SET DEFAULT 1.00', sql: ["ALTER TABLE `t` MODIFY COLUMN `price` decimal(10,2) NOT NULL DEFAULT 1.00"] },
  { name: 'drop default', edit: 'ALTER TABLE t ALTER name DROP DEFAULT', sql: ["ALTER TABLE `t` MODIFY COLUMN `name` varchar(50) NOT NULL"] },
  { name: 'add column comment', edit: "ALTER TABLE t MODIFY qty int NULL COMMENT 'how many'", sql: ["ALTER TABLE `t` MODIFY COLUMN `qty` int NULL COMMENT 'how many'"] },
  { name: 'change column collation', edit: "ALTER TABLE t MODIFY name varchar(50) COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT ''", sql: [
      "ALTER TABLE `t` MODIFY COLUMN `name` varchar(50) COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT ''",
    ] },
  { name: 'remove AUTO_INCREMENT', edit: 'ALTER TABLE t MODIFY id int NOT NULL', sql: ["ALTER TABLE `t` MODIFY COLUMN `id` int NOT NULL"] },
  { name: 'rename column', edit: 'ALTER TABLE t RENAME COLUMN qty TO quantity', mark: renameColumn('t', 'qty', 'quantity'), sql: ["ALTER TABLE `t` RENAME COLUMN `qty` TO `quantity`"] },
  {
    name: 'rename column and change its type',
    edit: 'ALTER TABLE t CHANGE qty quantity bigint NULL',
    mark: renameColumn('t', 'qty', 'quantity'),
    sql: [
      "ALTER TABLE `t` CHANGE COLUMN `qty` `quantity` bigint NULL",
    ],
  },
  { name: 'add index', edit: 'CREATE INDEX idx_qty ON t (qty)', sql: ["ALTER TABLE `t` ADD INDEX `idx_qty` (`qty`)"] },
  { name: 'drop index', edit: 'DROP INDEX idx_name ON t', sql: ["ALTER TABLE `t` DROP INDEX `idx_name`"] },
  { name: 'add unique index', edit: 'CREATE UNIQUE INDEX uq_name ON t (name)', sql: ["ALTER TABLE `t` ADD UNIQUE INDEX `uq_name` (`name`)"] },
  { name: 'add composite index with a descending part', edit: 'CREATE INDEX idx_price_qty ON t (price DESC, qty)', sql: ["ALTER TABLE `t` ADD INDEX `idx_price_qty` (`price` DESC, `qty`)"] },
  { name: 'add prefix index', edit: 'CREATE INDEX idx_note ON t (note(10))', sql: ["ALTER TABLE `t` ADD INDEX `idx_note` (`note`(10))"] },
  { name: 'add FULLTEXT index', edit: 'CREATE FULLTEXT INDEX ft_note ON t (note)', sql: ["ALTER TABLE `t` ADD FULLTEXT INDEX `ft_note` (`note`)"] },
  {
    name: 'add ignored (invisible) index',
    edit: 'CREATE INDEX idx_qty ON t (qty) IGNORED',
    sql: ["ALTER TABLE `t` ADD INDEX `idx_qty` (`qty`) IGNORED"],
    mysql: { edit: 'CREATE INDEX idx_qty ON t (qty) INVISIBLE', sql: ["ALTER TABLE `t` ADD INDEX `idx_qty` (`qty`) INVISIBLE"] },
  },
  { name: 'rename index', edit: 'ALTER TABLE t RENAME INDEX idx_name TO idx_t_name', sql: ["ALTER TABLE `t` RENAME INDEX `idx_name` TO `idx_t_name`"] },
  { name: 'add index comment', edit: "ALTER TABLE t DROP INDEX idx_name, ADD INDEX idx_name (name) COMMENT 'by name'", sql: [
      "ALTER TABLE `t` DROP INDEX `idx_name`, ADD INDEX `idx_name` (`name`) COMMENT 'by name'",
    ] },
  {
    name: 'add foreign key (InnoDB adds its index)',
    edit: 'ALTER TABLE t ADD CONSTRAINT fk_t_parent FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE SET NULL ON UPDATE CASCADE',
    sql: [
      "ALTER TABLE `t` ADD INDEX `fk_t_parent` (`parent_id`)",
      "ALTER TABLE `t` ADD CONSTRAINT `fk_t_parent` FOREIGN KEY (`parent_id`) REFERENCES `parent` (`id`) ON DELETE SET NULL ON UPDATE CASCADE",
    ],
  },
  {
    name: 'add foreign key with explicit index and CASCADE',
    edit: 'ALTER TABLE t ADD INDEX idx_parent (parent_id), ADD CONSTRAINT fk_t_parent FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE',
    sql: [
      "ALTER TABLE `t` ADD INDEX `idx_parent` (`parent_id`)",
      "ALTER TABLE `t` ADD CONSTRAINT `fk_t_parent` FOREIGN KEY (`parent_id`) REFERENCES `parent` (`id`) ON DELETE CASCADE ON UPDATE RESTRICT",
    ],
  },
  {
    name: 'drop foreign key',
    base: 'ALTER TABLE t ADD INDEX idx_parent (parent_id), ADD CONSTRAINT fk_t_parent FOREIGN KEY (parent_id) REFERENCES parent (id)',
    edit: 'ALTER TABLE t DROP FOREIGN KEY fk_t_parent',
    sql: ["ALTER TABLE `t` DROP FOREIGN KEY `fk_t_parent`"],
  },
  {
    name: 'change foreign key actions',
    base: 'ALTER TABLE t ADD INDEX idx_parent (parent_id), ADD CONSTRAINT fk_t_parent FOREIGN KEY (parent_id) REFERENCES parent (id)',
    edit: 'ALTER TABLE t DROP FOREIGN KEY fk_t_parent; ALTER TABLE t ADD CONSTRAINT fk_t_parent FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE',
    sql: [
      "ALTER TABLE `t` DROP FOREIGN KEY `fk_t_parent`",
      "ALTER TABLE `t` ADD CONSTRAINT `fk_t_parent` FOREIGN KEY (`parent_id`) REFERENCES `parent` (`id`) ON DELETE CASCADE ON UPDATE RESTRICT",
    ],
  },
  {
    name: 'add an index that covers a foreign key (InnoDB drops the FK\'s own index)',
    base: 'ALTER TABLE t ADD CONSTRAINT fk_t_parent FOREIGN KEY (parent_id) REFERENCES parent (id)',
    edit: 'CREATE INDEX idx_parent ON t (parent_id, qty)',
    sql: ["ALTER TABLE `t` DROP INDEX `fk_t_parent`, ADD INDEX `idx_parent` (`parent_id`, `qty`)"],
  },
  {
    name: 'drop the explicit index behind a foreign key',
    base: 'ALTER TABLE t ADD INDEX idx_parent (parent_id), ADD CONSTRAINT fk_t_parent FOREIGN KEY (parent_id) REFERENCES parent (id)',
    edit: 'ALTER TABLE t DROP FOREIGN KEY fk_t_parent; ALTER TABLE t DROP INDEX idx_parent; ALTER TABLE t ADD CONSTRAINT fk_t_parent FOREIGN KEY (parent_id) REFERENCES parent (id)',
    // The differ sees the same shape under a new name.
    sql: ["ALTER TABLE `t` RENAME INDEX `idx_parent` TO `fk_t_parent`"],
  },
  {
    name: 'drop a column together with its index',
    base: 'CREATE INDEX idx_qty ON t (qty)',
    edit: 'ALTER TABLE t DROP COLUMN qty',
    sql: ['ALTER TABLE `t` DROP INDEX `idx_qty`', 'ALTER TABLE `t` DROP COLUMN `qty`'],
  },
  { name: 'add CHECK', edit: 'ALTER TABLE t ADD CONSTRAINT chk_qty CHECK (qty >= 0)', sql: ["ALTER TABLE `t` ADD CONSTRAINT `chk_qty` CHECK (`qty` >= 0)"] },
  { name: 'drop CHECK', base: 'ALTER TABLE t ADD CONSTRAINT chk_qty CHECK (qty >= 0)', edit: 'ALTER TABLE t DROP CONSTRAINT chk_qty', sql: ["ALTER TABLE `t` DROP CONSTRAINT `chk_qty`"], mysql: { edit: 'ALTER TABLE t DROP CHECK chk_qty', sql: ["ALTER TABLE `t` DROP CHECK `chk_qty`"] } },
  { name: 'table comment', edit: "ALTER TABLE t COMMENT = 'things'", sql: ["ALTER TABLE `t` COMMENT = 'things'"] },
  {
    name: 'table engine',
    base: 'CREATE TABLE solo (id int NOT NULL PRIMARY KEY, v varchar(10)) ENGINE=InnoDB; INSERT INTO solo VALUES (1, \'a\')',
    edit: 'ALTER TABLE solo ENGINE=MyISAM',
    sql: ["ALTER TABLE `solo` ENGINE=MyISAM"],
  },
  {
    name: 'table charset',
    base: 'CREATE TABLE solo (id int NOT NULL PRIMARY KEY, v varchar(10)) ENGINE=InnoDB; INSERT INTO solo VALUES (1, \'a\')',
    edit: 'ALTER TABLE solo CONVERT TO CHARACTER SET latin1 COLLATE latin1_swedish_ci',
    sql: ["ALTER TABLE `solo` CONVERT TO CHARACTER SET latin1 COLLATE latin1_swedish_ci"],
  },
  {
    name: 'add primary key',
    base: 'CREATE TABLE solo (id int NOT NULL, v varchar(10)); INSERT INTO solo VALUES (1, \'a\')',
    edit: 'ALTER TABLE solo ADD PRIMARY KEY (id)',
    sql: ["ALTER TABLE `solo` ADD PRIMARY KEY (`id`)"],
  },
  {
    name: 'drop primary key',
    base: 'CREATE TABLE solo (id int NOT NULL, v varchar(10), PRIMARY KEY (id)); INSERT INTO solo VALUES (1, \'a\')',
    edit: 'ALTER TABLE solo DROP PRIMARY KEY',
    sql: ["ALTER TABLE `solo` DROP PRIMARY KEY"],
  },
  { name: 'create table', edit: "CREATE TABLE extra (id bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, label varchar(10) NOT NULL DEFAULT 'x' COMMENT 'shown', UNIQUE KEY uq_label (label)) COMMENT='more'", sql: [
      "CREATE TABLE `extra` (\n  `id` bigint unsigned NOT NULL AUTO_INCREMENT,\n  `label` varchar(10) NOT NULL DEFAULT 'x' COMMENT 'shown',\n  PRIMARY KEY (`id`),\n  UNIQUE INDEX `uq_label` (`label`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='more'",
    ] },
  {
    name: 'drop table',
    base: 'CREATE TABLE extra (id int NOT NULL PRIMARY KEY, label varchar(10))',
    edit: 'DROP TABLE extra',
    sql: ["DROP TABLE `extra`"],
  },
  { name: 'rename table', edit: 'RENAME TABLE t TO items', mark: renameTable('t', 'items'), sql: ["RENAME TABLE `t` TO `items`"] },
  {
    name: 'add SPATIAL index',
    base: 'CREATE TABLE geo (id int NOT NULL PRIMARY KEY, p point NOT NULL)',
    edit: 'CREATE SPATIAL INDEX sp_p ON geo (p)',
    sql: ["ALTER TABLE `geo` ADD SPATIAL INDEX `sp_p` (`p`)"],
  },
  { name: 'create view', edit: 'CREATE VIEW v_t AS SELECT id, name FROM t WHERE qty > 0', sql: [
      "CREATE VIEW `v_t` AS select `t`.`id` AS `id`,`t`.`name` AS `name` from `t` where `t`.`qty` > 0",
    ], mysql: { sql: ["CREATE VIEW `v_t` AS select `t`.`id` AS `id`,`t`.`name` AS `name` from `t` where (`t`.`qty` > 0)"] } },
  { name: 'drop view', base: 'CREATE VIEW v_t AS SELECT id, name FROM t', edit: 'DROP VIEW v_t', sql: ["DROP VIEW `v_t`"] },
  {
    name: 'change view definition',
    base: 'CREATE VIEW v_t AS SELECT id, name FROM t',
    edit: 'CREATE OR REPLACE VIEW v_t AS SELECT id, name, qty FROM t',
    sql: [
      "DROP VIEW `v_t`",
      "CREATE VIEW `v_t` AS select `t`.`id` AS `id`,`t`.`name` AS `name`,`t`.`qty` AS `qty` from `t`",
    ],
  },
  { name: 'create SQL SECURITY INVOKER view', edit: 'CREATE SQL SECURITY INVOKER VIEW v_t AS SELECT id FROM t', sql: ["CREATE SQL SECURITY INVOKER VIEW `v_t` AS select `t`.`id` AS `id` from `t`"] },
  {
    name: 'create trigger',
    edit: 'CREATE TRIGGER trg_qty BEFORE INSERT ON t FOR EACH ROW BEGIN IF NEW.qty < 0 THEN SET NEW.qty = 0; END IF; END',
    sql: [
      "CREATE TRIGGER `trg_qty` BEFORE INSERT ON `t` FOR EACH ROW BEGIN IF NEW.qty < 0 THEN SET NEW.qty = 0; END IF; END",
    ],
  },
  {
    name: 'drop trigger',
    base: 'CREATE TRIGGER trg_qty BEFORE INSERT ON t FOR EACH ROW SET NEW.qty = 1',
    edit: 'DROP TRIGGER trg_qty',
    sql: ["DROP TRIGGER `trg_qty`"],
  },
  {
    name: 'change trigger body',
    base: 'CREATE TRIGGER trg_qty BEFORE INSERT ON t FOR EACH ROW SET NEW.qty = 1',
    edit: 'DROP TRIGGER trg_qty; CREATE TRIGGER trg_qty BEFORE INSERT ON t FOR EACH ROW SET NEW.qty = 2',
    sql: [
      "DROP TRIGGER `trg_qty`",
      "CREATE TRIGGER `trg_qty` BEFORE INSERT ON `t` FOR EACH ROW SET NEW.qty = 2",
    ],
  },
  { name: 'change ENUM values', base: "ALTER TABLE t ADD COLUMN kind enum('a','b') NOT NULL DEFAULT 'a'", edit: "ALTER TABLE t MODIFY kind enum('a','b','c') NOT NULL DEFAULT 'a'", sql: ["ALTER TABLE `t` MODIFY COLUMN `kind` enum('a','b','c') NOT NULL DEFAULT 'a'"] },
  { name: 'add ON UPDATE CURRENT_TIMESTAMP to a column', edit: 'ALTER TABLE t MODIFY created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP', sql: [
      "ALTER TABLE `t` MODIFY COLUMN `created_at` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP",
    ] },
  {
    name: 'add AUTO_INCREMENT',
    base: "CREATE TABLE solo (id int NOT NULL PRIMARY KEY, v varchar(10)); INSERT INTO solo VALUES (1, 'a')",
    edit: 'ALTER TABLE solo MODIFY id int NOT NULL AUTO_INCREMENT',
    sql: ["ALTER TABLE `solo` MODIFY COLUMN `id` int NOT NULL AUTO_INCREMENT"],
  },
  { name: 'create function', edit: 'CREATE FUNCTION f_double(x int) RETURNS int DETERMINISTIC RETURN x * 2', sql: ["CREATE FUNCTION `f_double`(`x` int) RETURNS int DETERMINISTIC\nRETURN x * 2"] },
  {
    name: 'drop procedure',
    base: 'CREATE PROCEDURE p_touch(IN n int) BEGIN UPDATE t SET qty = n; END',
    edit: 'DROP PROCEDURE p_touch',
    sql: ["DROP PROCEDURE `p_touch`"],
  },
]
